"""A read-only modal that tells the person something (a refusal, a confirmation) where an
ephemeral message is not possible (App Home, buttons inside a modal, submissions)."""

from __future__ import annotations

from functools import cache
from typing import Any

from slack_sdk.models.blocks import PlainTextObject, SectionBlock

from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import modal, note, small

SECTION_TEXT = 2900  # Slack's limit for a section's text is 3000 characters


def notice_modal(
    title: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """`blocks` (a message's, with its buttons) are shown instead of `text` when given."""
    return modal(
        callback_id=Callback.NOTICE,
        title=title[:24],
        blocks=list(blocks or []) or [note(text[:2900], "notice")],
        submit=None,
    )


def not_logged_modal(reason: str, account: str) -> dict[str, Any]:
    """A stored report form that could not be logged: why, and what was written (the form
    itself is gone), so that nothing typed is lost. Only the person who wrote it sees it."""
    blocks: list[Any] = [note(f"*Not logged.* {reason}"[:SECTION_TEXT], "notice")]
    text = account.strip()
    if text:
        blocks.append(small("What you wrote, to copy and send again:"))
        for n, start in enumerate(range(0, len(text), SECTION_TEXT)):
            chunk = PlainTextObject(text=text[start : start + SECTION_TEXT])
            blocks.append(SectionBlock(block_id=f"written_{n}", text=chunk))
    return modal(callback_id=Callback.NOTICE, title="Not logged", blocks=blocks, submit=None)


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
