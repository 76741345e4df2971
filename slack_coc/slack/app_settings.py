"""The Slack app's own settings, in one list: the bot scopes the OAuth flow asks for and the
events the app subscribes to and handles. `manifest.yml` must say exactly the same
(tests/slack/test_manifest.py checks both ways, and that the app answers each event).

Scopes, by the Web API methods the app calls: `chat:write` (chat.postMessage, chat.update,
chat.postEphemeral), `commands` (/coc and the shortcuts), `files:write` (the v2 file upload
of /coc records and /coc stats), `im:write` (conversations.open before a DM). views.*,
chat.getPermalink and response_url replies need none.
"""

from __future__ import annotations

from enum import StrEnum

BOT_SCOPES = ("chat:write", "commands", "files:write", "im:write")


class BotEvent(StrEnum):
    APP_HOME_OPENED = "app_home_opened"  # publish the person's App Home
    APP_UNINSTALLED = "app_uninstalled"  # disable the workspace, forget its tokens
    TOKENS_REVOKED = "tokens_revoked"  # forget the revoked tokens (the bot's: as uninstalled)
