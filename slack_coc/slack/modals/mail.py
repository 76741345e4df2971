"""The mail modals: compose (template picker, editable To / subject / body, optional review
by a second member), the reviewer's look at a message, and the final text to copy when mail
is sent by hand. Opened only after the service checked the member may see the case.

Input block ids are `<field>_<version>`: a new version after the template changes makes Slack
show the new template's text instead of keeping what was typed (the app's error handler maps
an `InvalidInput(field=...)` onto the `<field>_...` block).
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    Option,
    StaticSelectElement,
)

from slack_coc.services.letters import TEMPLATES
from slack_coc.services.mail import MailDraft, SentMail
from slack_coc.slack.ids import Action, Callback
from slack_coc.slack.modals.common import (
    MAX_INPUT,
    Submitted,
    modal,
    note,
    radio,
    small,
    text_input,
    users_input,
)

COMPOSE_CALLBACK = Callback.MAIL_COMPOSE.value
REVIEW_CALLBACK = Callback.MAIL_REVIEW.value
COMPOSE_ACTION = Action.MAIL_COMPOSE.value
TEMPLATE_ACTION = Action.MAIL_TEMPLATE.value
REVIEW_ACTION = Action.MAIL_REVIEW.value


def compose_value(case_number: int, template_name: str | None = None) -> str:
    """The value of a button that opens the compose form: "12", or "12:acknowledgement" to
    open it with that template chosen."""
    return f"{case_number}:{template_name}" if template_name else str(case_number)


def parse_compose_value(value: str) -> tuple[str, str | None]:
    """(case ref, template or None) from a compose button's value."""
    ref, _, template_name = value.partition(":")
    return ref, template_name or None


STEP_NOTES = {
    "acknowledge": "Sending this *acknowledges* case #{n}: you become its first responder.",
    "keep_on_file": "Sending this *keeps case #{n} on file* (handled locally) and resolves it.",
}


RELAY_NOTE = (
    ":bust_in_silhouette: *To: the anonymous reporter, through the app.* Your message goes to "
    "them as a Slack DM from the app (no email, no names), with a button to answer; their "
    "answer comes back to the case's timeline."
)


def compose_modal(draft: MailDraft, *, smtp_enabled: bool, version: int = 0) -> dict[str, Any]:
    v = str(version)
    options = [Option(value=name, text=label[:75]) for name, label in TEMPLATES.items()]
    chosen = next((o for o in options if o.value == draft.template), None)
    blocks: list[Block] = [
        small(f"Case #{draft.case_number} · {', '.join(draft.cc)} is copied on every message."),
        ActionsBlock(
            block_id="template_picker",
            elements=[
                StaticSelectElement(
                    action_id=TEMPLATE_ACTION,
                    placeholder="Choose a template",
                    options=options,
                    initial_option=chosen,
                )
            ],
        ),
        note(RELAY_NOTE)
        if draft.relay
        else text_input(
            f"to_{v}",
            "To",
            initial=", ".join(draft.to) or None,
            hint="Email addresses, separated by commas.",
            max_length=1000,
        ),
        text_input(f"subject_{v}", "Subject", initial=draft.subject, max_length=250),
        text_input(f"body_{v}", "Message", multiline=True, initial=draft.body[:MAX_INPUT]),
    ]
    if draft.completes_step:
        blocks.append(note(STEP_NOTES[draft.completes_step].format(n=draft.case_number)))
    else:
        blocks.append(
            users_input(
                f"review_{v}",
                "Ask a member to review it first",
                multi=False,
                optional=True,
                hint="The message waits until they approve it.",
            )
        )
    if not smtp_enabled:
        blocks.append(
            small(
                "Mail is not configured here: on *Record*, you get the final text to send from "
                "the group's mailbox, and it is recorded as sent by hand."
            )
        )
    return modal(
        callback_id=COMPOSE_CALLBACK,
        title="Message the reporter",
        submit="Send" if smtp_enabled else "Record",
        blocks=blocks,
        metadata={"case": draft.case_number, "template": draft.template, "v": version},
    )


class ComposeForm:
    """Reads a submitted compose modal (block ids carry the version suffix)."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.submitted = Submitted(view)
        meta = self.submitted.metadata
        self.case = str(meta.get("case", ""))
        self.template = str(meta.get("template", "free_form"))
        self.version = int(meta.get("v", 0) or 0)

    def _field(self, name: str) -> str:
        return f"{name}_{self.version}"

    @property
    def to(self) -> list[str]:
        return [self.submitted.text(self._field("to"))]

    @property
    def subject(self) -> str:
        return self.submitted.text(self._field("subject"))

    @property
    def body(self) -> str:
        return self.submitted.text(self._field("body"))

    @property
    def reviewer(self) -> str | None:
        return self.submitted.user(self._field("review"))

    def blank_fields(self) -> dict[str, str]:
        # No "To" block: an anonymous reporter is written to through the relay.
        names = ("to", "subject", "body") if self._field("to") in self.submitted.values else ()
        return {
            self._field(name): "This can't be blank."
            for name in names or ("subject", "body")
            if not self.submitted.text(self._field(name))
        }


def result_modal(sent: SentMail) -> dict[str, Any]:
    """After a submission: what happened, and the final text when it is sent by hand."""
    if sent.status == "awaiting_review":
        text = f"Saved. The message on case #{sent.case_number} waits for its reviewer."
        return modal(
            callback_id="modal:notice", title="Waiting for review", blocks=[note(text)], submit=None
        )
    if sent.status in ("queued", "sent"):
        lead = f"Sent: the message on case #{sent.case_number} is on its way (and on the timeline)."
        if sent.status == "sent" and not sent.to:
            lead = (
                f"Sent to the reporter of case #{sent.case_number} through the app; their "
                "answer, if any, will land on the case's timeline."
            )
        return modal(
            callback_id="modal:notice", title="Message sent", blocks=[note(lead)], submit=None
        )
    blocks: list[Block] = [
        note(
            f"Recorded on case #{sent.case_number} as *sent by hand*. Send this from the "
            "group's mailbox now:"
        ),
        DividerBlock(),
        *_message_blocks(sent),
    ]
    return modal(callback_id="modal:notice", title="Send it by hand", blocks=blocks, submit=None)


def review_modal(sent: SentMail) -> dict[str, Any]:
    blocks: list[Block] = [
        small(f"Case #{sent.case_number}: a member asked you to review this message."),
        *_message_blocks(sent),
        radio(
            "decision",
            "Your review",
            [("approve", "Approve: send it now"), ("decline", "Send it back to its author")],
            initial="approve",
        ),
        text_input("comment", "Comment (optional)", multiline=True, optional=True),
    ]
    return modal(
        callback_id=REVIEW_CALLBACK,
        title="Review a message",
        submit="Confirm",
        blocks=blocks,
        metadata={"case": sent.case_number, "mail": sent.mail_id},
    )


def _message_blocks(sent: SentMail) -> list[Block]:
    head = (
        f"*To:* {_escape(', '.join(sent.to))}\n*Cc:* {_escape(', '.join(sent.cc))}\n"
        f"*Subject:* {_escape(sent.subject)}"
    )
    blocks: list[Block] = [note(head)]
    body = sent.body
    for start in range(0, len(body), 2900):  # section text is capped at 3000 characters
        blocks.append(note("```" + _escape(body[start : start + 2900]) + "```"))
    return blocks[:90]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
