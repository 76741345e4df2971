"""The "content warning" modal (`/coc warn CASE`): flag what a report describes."""

from __future__ import annotations

from typing import Any

from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import modal, small
from slack_coc.slack.modals.report import content_warning_input


def content_warning_modal(number: int, current: list[str]) -> dict[str, Any]:
    return modal(
        callback_id=Callback.CONTENT_WARNING,
        title=f"Content warning #{number}"[:24],
        blocks=[
            small(
                "Members opening this report will see the warning, and the report only "
                "after choosing *Show the report*. Untick everything to remove the warning."
            ),
            content_warning_input(current),
        ],
        submit="Save",
        metadata={"case": number},
    )
