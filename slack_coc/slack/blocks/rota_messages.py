"""Message templates for cover requests (registered into `blocks.messages.TEMPLATES`).

Imported by the rota listener (serve) and by the sweep's default handlers (worker, tick), so
every process that may deliver a `cover_request` / `cover_taken` DM can render it.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from slack_coc.slack.blocks.messages import (
    TEMPLATES,
    MessageInput,
    Rendered,
    message,
    template,
    user,
    when,
)
from slack_coc.slack.ids import Action

COVER_ACCEPT = Action.COVER_ACCEPT.value


def _register() -> None:
    if "cover_request" in TEMPLATES:
        return

    @template("cover_request")
    def _cover_request(msg: MessageInput) -> Rendered:
        text = (
            f":raised_hand: {user(msg.payload.get('requester'))} asks for cover as on-call "
            f"*{msg.payload.get('slot', 'member')}* for the week from "
            f"{when(msg.payload.get('week_starts_at'))}. The first to accept takes the slot."
        )
        button = ButtonElement(
            text="Take this week",
            action_id=COVER_ACCEPT,
            value=str(msg.payload.get("request_id", "")),
            style="primary",
        )
        return message(text, [button])

    @template("cover_taken")
    def _cover_taken(msg: MessageInput) -> Rendered:
        text = (
            f":white_check_mark: {user(msg.payload.get('taker'))} covers "
            f"{user(msg.payload.get('requester'))} as on-call "
            f"*{msg.payload.get('slot', 'member')}* for the week from "
            f"{when(msg.payload.get('week_starts_at'))}. The rota is updated."
        )
        return message(text)


_register()
