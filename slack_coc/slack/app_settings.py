"""The Slack app's own settings, in one list: the bot scopes the OAuth flow asks for and the
events the app subscribes to and handles. `manifest.yml` must say exactly the same
(tests/slack/test_manifest.py checks both ways, and that the app answers each event).

Scopes, by the Web API methods the app calls: `chat:write` (chat.postMessage, chat.update,
chat.postEphemeral), `commands` (/coc and the shortcuts), `files:write` (the v2 file upload
of /coc records and /coc stats), `im:write` (conversations.open before a DM). views.*,
chat.getPermalink and response_url replies need none.

"Hide the message" (a reported message) needs more than a bot can have: `chat.delete` of
another person's message takes a workspace admin's *user* token with `ADMIN_USER_SCOPES`,
given as the setting SLACK_ADMIN_USER_TOKEN (not asked for by OAuth, not in the manifest: the
workspace's admins grant it, or not). Without it the app explains what to ask them.
"""

from __future__ import annotations

from enum import StrEnum

BOT_SCOPES = ("chat:write", "commands", "files:write", "im:write")
ADMIN_USER_SCOPES = ("chat:write",)  # SLACK_ADMIN_USER_TOKEN: chat.delete of any message


class BotEvent(StrEnum):
    APP_HOME_OPENED = "app_home_opened"  # publish the person's App Home
    APP_UNINSTALLED = "app_uninstalled"  # disable the workspace, forget its tokens
    TOKENS_REVOKED = "tokens_revoked"  # forget the revoked tokens (the bot's: as uninstalled)
