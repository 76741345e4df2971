#!/bin/sh
# Regenerate the README's screenshots (docs/preview/*.png) from `slack-coc preview`, with
# headless Chromium (`sudo apt-get install chromium`). `index.html#only=<id>` shows one surface.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/slack-coc preview --out "$out" >/dev/null
mkdir -p docs/preview
shoot() {  # surface id, file name, window size
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/profile" \
    --window-size="$3" --screenshot="docs/preview/$2.png" "file://$out/index.html#only=$1" 2>/dev/null
}
shoot case-card-in-discussion card 800,330
shoot messages-page-new-case page 800,250
shoot modals-propose-decision modal 600,640
shoot app-home-member-ben home 800,880
rm -rf "$out"
ls -l docs/preview
