"""Message templates for cover requests (registered into `blocks.messages.TEMPLATES`).

Imported by the rota listener (serve) and by the sweep's default handlers (worker, tick), so
every process that may deliver a `cover_request` / `cover_taken` DM (or a swap's) can
render it.
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
SWAP_ACCEPT = Action.SWAP_ACCEPT.value
SWAP_DECLINE = Action.SWAP_DECLINE.value


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

    def _swap_terms(msg: MessageInput) -> str:
        p = msg.payload
        return (
            f"{user(p.get('requester'))}'s *{p.get('requester_slot')}* week from "
            f"{when(p.get('requester_week'))} for {user(p.get('other'))}'s "
            f"*{p.get('other_slot')}* week from {when(p.get('other_week'))}"
        )

    @template("swap_request")
    def _swap_request(msg: MessageInput) -> Rendered:
        value = str(msg.payload.get("request_id", ""))
        buttons = [
            ButtonElement(
                text="Accept the swap", action_id=SWAP_ACCEPT, value=value, style="primary"
            ),
            ButtonElement(text="Decline", action_id=SWAP_DECLINE, value=value),
        ]
        text = f":arrows_counterclockwise: Swap on-call weeks? {_swap_terms(msg)}."
        return message(text, buttons)

    @template("swap_done")
    def _swap_done(msg: MessageInput) -> Rendered:
        return message(f":white_check_mark: Swapped: {_swap_terms(msg)}. The rota is updated.")

    @template("swap_declined")
    def _swap_declined(msg: MessageInput) -> Rendered:
        return message(f":no_entry_sign: Declined, nothing changed: {_swap_terms(msg)}.")


_register()
