"""A read-only modal that tells the person something (a refusal, a confirmation) where an
ephemeral message is not possible (App Home, buttons inside a modal, submissions)."""

from __future__ import annotations

from typing import Any

from slack_coc.slack.ids import Callback
from slack_coc.slack.views.common import modal, note


def notice_modal(title: str, text: str) -> dict[str, Any]:
    return modal(
        callback_id=Callback.NOTICE,
        title=title[:24],
        blocks=[note(text[:2900], "notice")],
        submit=None,
    )
