"""DM and channel texts about mail (outbox `dm` / `channel` intents). Like every message
template, they carry the case number only: never who wrote, the subject or the text.
Imported by `slack_coc.slack.outbound` (templates register on import)."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from slack_coc.slack.blocks.messages import (
    MessageInput,
    Rendered,
    case_ref,
    message,
    template,
)
from slack_coc.slack.blocks.thread_notes import EVENT_LABELS
from slack_coc.slack.modals.mail import COMPOSE_ACTION, REVIEW_ACTION, compose_value

MAIL_OFFERS = {
    "acknowledgement": "Send the acknowledgement",
    "acknowledgement_local": 'Send the "kept on file" message',
}

for _kind, _label in {
    "mail_received": "filed a message from the mailbox",
    "mail_note": "noted something about a message from the mailbox",
    "mail_sent": "sent a message to the reporter",
    "mail_sent_by_hand": "recorded a message sent by hand",
    "mail_review_requested": "asked a member to review a message",
    "mail_review_approved": "approved a message",
    "mail_review_declined": "sent a message back to its author",
}.items():
    EVENT_LABELS.setdefault(_kind, _label)


@template("mail_reply_received")
def _mail_reply_received(msg: MessageInput) -> Rendered:
    button = ButtonElement(
        text="Reply to the reporter",
        action_id=COMPOSE_ACTION,
        value=str(msg.payload.get("case_number", "")),
    )
    return message(
        f":envelope: A new message arrived by mail on {case_ref(msg)}. Open the case to read it.",
        [button],
    )


@template("mail_unreadable")
def _mail_unreadable(msg: MessageInput) -> Rendered:
    mail_id = msg.payload.get("mail_id", "")
    return message(
        ":warning: A message in the mailbox could not be read, so it was not filed on any "
        f"case (it may be a report). It is kept, encrypted, as mail record {mail_id}: a member "
        f"can read it with `slack-coc mail show {mail_id}`, or in the mailbox "
        f"(UID {msg.payload.get('uid', '?')}).",
        [],
    )


@template("mail_review_requested")
def _mail_review_requested(msg: MessageInput) -> Rendered:
    number = msg.payload.get("case_number", "")
    button = ButtonElement(
        text="Review the message",
        action_id=REVIEW_ACTION,
        value=f"{number}:{msg.payload.get('mail_id', '')}",
    )
    return message(
        f":memo: You were asked to review a message to the reporter on {case_ref(msg)}.",
        [button],
    )


@template("mail_review_declined")
def _mail_review_declined(msg: MessageInput) -> Rendered:
    return message(
        f":leftwards_arrow_with_hook: Your message to the reporter on {case_ref(msg)} was sent "
        "back by its reviewer; see the case timeline for their comment."
    )


def step_done_with_offer(summary: str, case_number: int, template_name: str) -> Rendered:
    """The clicker's private confirmation of a step whose message to the reporter was not
    sent with it: a button opens the mail form with that template chosen, ready to edit.
    Not sending is fine too (the timeline says the step was taken without a message)."""
    button = ButtonElement(
        text=MAIL_OFFERS.get(template_name, "Write to the reporter"),
        action_id=COMPOSE_ACTION,
        value=compose_value(case_number, template_name),
        style="primary",
    )
    return message(
        f"{summary} The reporter left an address: send them the message that goes with "
        "this step (you can edit it first), or leave it for now.",
        [button],
    )
