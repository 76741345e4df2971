"""The organisers' check form: whom to check, for which event. The answer replaces it."""

from __future__ import annotations

from typing import Any

from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import email_input, modal, small, text_input, users_input

CHECK_EXPLAINED = (
    "The answer is only *yes, contact the working group* or *no record*: never a case or "
    "its details. Every check is logged."
)


def sanction_check_modal() -> dict[str, Any]:
    return modal(
        callback_id=Callback.SANCTION_CHECK,
        title="Attendee check",
        blocks=[
            small(CHECK_EXPLAINED),
            users_input(
                "subject_user", "The person (in Slack)", multi=False, hint="Or give an email below."
            ),
            email_input("subject_email", "The person's email"),
            text_input(
                "on_behalf_of",
                "For which event or organiser?",
                optional=True,
                hint="Kept with the log of checks.",
            ),
        ],
        submit="Check",
    )
