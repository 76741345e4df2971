"""Small forms a member fills for themself: a shepherd's bias disclosure, and "away" (App
Home). Built here, like every modal, by pure functions."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import date_input, modal, small, text_input


def bias_disclose_modal(number: str) -> dict[str, Any]:
    return modal(
        callback_id=Callback.BIAS_DISCLOSE,
        title="Disclose a bias",
        submit="Disclose",
        metadata={"case": number},
        blocks=[
            small(
                "Only members who may see the case read this. The group is told that you "
                "disclosed a bias and decides whether to pick another shepherd."
            ),
            text_input("bias", "Your bias", multiline=True),
        ],
    )


def away_modal(today: date) -> dict[str, Any]:
    return modal(
        callback_id=Callback.MARK_AWAY,
        title="Mark me away",
        submit="Save",
        blocks=[
            small(
                "While you are away nobody pages you, the rota skips you and the handover "
                "reminder says so. Already on duty that week? Ask for cover or a swap too."
            ),
            date_input("from", "From", initial=today),
            date_input("to", "To (included)", initial=today),
        ],
    )
