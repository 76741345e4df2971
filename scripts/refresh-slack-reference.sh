#!/bin/sh
# Refresh the Slack reference data the tests read (tests/data/slack-reference/, see its
# README.md) from the public sources, at the pinned versions below. Change a pin to move on,
# then run the suite: a new version may change what the fake Slack accepts.
#   scripts/refresh-slack-reference.sh            download (curl), and regenerate the Block Kit
#                                                 schemas when npx is available
#   scripts/refresh-slack-reference.sh --from DIR copy from a local copy with the same layout
set -eu

API_SPECS_COMMIT=bc08db49625630e3585bf2f1322128ea04f2a7f3     # slackapi/slack-api-specs
MANIFEST_COMMIT=c50cfa8508ff1017344550a5e5fb29a1416e5b98      # slackapi/manifest-schema
JAVA_SDK_COMMIT=86ff7ca9915e21882def04c2d579ac02503f95fe      # slackapi/java-slack-sdk
SLACK_TYPES_VERSION=3.2.0                                      # npm @slack/types

DEST=$(cd "$(dirname "$0")/.." && pwd)/tests/data/slack-reference
RAW=https://raw.githubusercontent.com

# Each line: local path, then the upstream URL it comes from.
files() {
  spec=$RAW/slackapi/slack-api-specs/$API_SPECS_COMMIT
  man=$RAW/slackapi/manifest-schema/$MANIFEST_COMMIT
  java=$RAW/slackapi/java-slack-sdk/$JAVA_SDK_COMMIT
  cat <<LIST
web-api/slack_web_openapi_v2.json $spec/web-api/slack_web_openapi_v2.json
web-api/LICENSE.slack-api-specs $spec/LICENSE
manifest-schema/LICENSE $man/LICENSE
manifest-schema/manifest.schema.json $man/manifest.schema.json
manifest-schema/schemas/manifest.schema.1.0.0.json $man/schemas/manifest.schema.1.0.0.json
manifest-schema/schemas/manifest.schema.2.0.0.json $man/schemas/manifest.schema.2.0.0.json
manifest-schema/examples/v1.manifest.valid.json $man/examples/v1.manifest.valid.json
manifest-schema/examples/v1.manifest.invalid.json $man/examples/v1.manifest.invalid.json
sample-payloads/LICENSE $java/LICENSE
sample-payloads/slash-commands/SlashCommandPayload.json $java/json-logs/samples/app-backend/slash-commands/SlashCommandPayload.json
sample-payloads/interactive-components/BlockActionPayload.json $java/json-logs/samples/app-backend/interactive-components/BlockActionPayload.json
sample-payloads/views/ViewSubmissionPayload.json $java/json-logs/samples/app-backend/views/ViewSubmissionPayload.json
sample-responses/LICENSE $java/LICENSE
LIST
  for method in auth.test chat.postMessage chat.update chat.postEphemeral conversations.open \
    conversations.members users.info views.publish files.getUploadURLExternal; do
    echo "sample-responses/$method.json $java/json-logs/samples/api/$method.json"
  done
}

if [ "${1:-}" = "--from" ]; then
  src=${2:?usage: $0 --from DIR}
  (cd "$src" && find . -type f) | sed 's|^\./||' | while read -r path; do
    if [ -e "$DEST/$path" ]; then cp "$src/$path" "$DEST/$path"; fi
  done
  echo "copied from $src into $DEST"
  exit 0
fi

files | while read -r path url; do
  mkdir -p "$DEST/$(dirname "$path")"
  curl -fsSL "$url" -o "$DEST/$path.new" && mv "$DEST/$path.new" "$DEST/$path"
done
echo "$API_SPECS_COMMIT (slackapi/slack-api-specs)" >"$DEST/web-api/SOURCE_COMMIT.slack-api-specs"
echo "$MANIFEST_COMMIT" >"$DEST/manifest-schema/SOURCE_COMMIT"
echo "$JAVA_SDK_COMMIT" >"$DEST/sample-payloads/SOURCE_COMMIT"

# The Block Kit schemas are generated from @slack/types' TypeScript definitions.
if command -v npx >/dev/null 2>&1; then
  work=$(mktemp -d)
  (cd "$work" && npm init -y >/dev/null && npm install --silent "@slack/types@$SLACK_TYPES_VERSION" ts-json-schema-generator >/dev/null)
  # Named wrapper types give the schemas the root names the tests use.
  cat >"$work/slack.ts" <<'TS'
import type { KnownBlock, ModalView, HomeView } from "@slack/types";
export type SlackBlocks = KnownBlock[];
export type SlackModalView = ModalView;
export type SlackHomeView = HomeView;
TS
  for name in SlackBlocks SlackModalView SlackHomeView; do
    (cd "$work" && npx ts-json-schema-generator --path slack.ts --type "$name" \
      --no-type-check) >"$DEST/blockkit-schema/$name.schema.json"
  done
  rm -rf "$work"
else
  echo "npx not found: Block Kit schemas left as they are (@slack/types $SLACK_TYPES_VERSION)" >&2
fi
echo "refreshed $DEST"
