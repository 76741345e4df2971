"""A read-only modal that tells the person something (a refusal, a confirmation) where an
ephemeral message is not possible (App Home, buttons inside a modal, submissions)."""

from __future__ import annotations

from functools import cache
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


LOADING_TITLE = "Code of conduct"


@cache  # the same every time; Slack calls do not change what they are given
def loading_modal() -> dict[str, Any]:
    """Opened at once for a click whose answer is a modal; the answer replaces it."""
    return _waiting(":hourglass_flowing_sand: Just a moment…")


def saving_modal() -> dict[str, Any]:
    """Shown in place of a report form as soon as it is stored; the case number replaces it."""
    return _waiting(":hourglass_flowing_sand: Saving the report…")


def _waiting(text: str) -> dict[str, Any]:
    return modal(
        callback_id=Callback.LOADING,
        title=LOADING_TITLE,
        blocks=[note(text, "loading")],
        submit=None,
    )
