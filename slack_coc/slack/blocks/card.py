"""The case card: one root message per case in the group's channel, edited in place.

Shows what a channel may show (docs/process.md "Confidentiality"): number, code name, state,
shepherd, next deadline and flags. Never the narrative or the names of the people involved. Its
buttons are the steps the lifecycle offers now (`offered_steps`), plus "Open case".
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.read_models.case_views import CaseView
from slack_coc.slack.block_ids import blocks_json
from slack_coc.slack.format import drill_prefix, slack_date
from slack_coc.slack.ids import Action, step_action

CARD_ACTIONS_BLOCK = "case_card_actions"

# Taken by the service on its own (a vote meeting the decision rule adopts the proposal).
_AUTOMATIC_STEPS = {Trigger.DECIDE}
PROPOSE_STATES = (CaseState.SHEPHERDED, CaseState.DISCUSSED)


def offered_steps(view: CaseView) -> list[Trigger]:
    """The lifecycle steps a card offers as buttons now, in process order: what the machine
    allows (steps whose form supplies their input included), less the automatic ones."""
    return [t for t in Trigger if t in view.allowed and t not in _AUTOMATIC_STEPS]


def card_text(view: CaseView) -> str:
    """The notification / screen-reader fallback of the card."""
    return f"{drill_prefix(view)}Case {view.ref} {view.code_name}: {view.state.label}"


def card_blocks(view: CaseView) -> list[Block]:
    shepherd = f"<@{view.shepherd_user_id}>" if view.shepherd_user_id else "_none yet_"
    deadline = (
        f"{view.next_deadline.label}, {slack_date(view.next_deadline.due_at)}"
        if view.next_deadline is not None
        else "_none_"
    )
    fields = [
        MarkdownTextObject(text=f"*State*\n{view.state.label}"),
        MarkdownTextObject(text=f"*Shepherd*\n{shepherd}"),
        MarkdownTextObject(text=f"*Next deadline*\n{deadline}"),
        MarkdownTextObject(text=f"*Flags*\n{', '.join(view.flags) if view.flags else '_none_'}"),
    ]
    if view.review_date is not None:
        fields.append(MarkdownTextObject(text=f"*Review date*\n{view.review_date.isoformat()}"))
    blocks: list[Block] = [
        HeaderBlock(
            block_id="case_card_header",
            text=f"{drill_prefix(view)}{view.ref} {view.code_name}"[:150],
        ),
        SectionBlock(block_id="case_card_fields", fields=fields),
        ContextBlock(
            block_id="case_card_context",
            elements=[
                MarkdownTextObject(
                    text=f"Received {slack_date(view.received_at)} · details open in a private "
                    "modal, only for members who may see this case"
                )
            ],
        ),
        ActionsBlock(block_id=CARD_ACTIONS_BLOCK, elements=card_buttons(view)),
    ]
    return blocks


def card_buttons(view: CaseView) -> list[ButtonElement]:
    number = str(view.number)
    buttons = [
        ButtonElement(
            text=step.verb,
            action_id=step_action(step),
            value=number,
            style="primary" if step is Trigger.ACKNOWLEDGE else None,
        )
        for step in offered_steps(view)
    ]
    buttons += people_buttons(view)
    buttons += reporter_and_message_buttons(view)
    buttons.append(ButtonElement(text="Open case", action_id=Action.OPEN_CASE.value, value=number))
    return buttons[:25]


def reporter_and_message_buttons(view: CaseView) -> list[ButtonElement]:
    """ "Ask the reporter" for an anonymous reporter reached through the relay; "Hide the
    message" for a report made with "Report this message"."""
    number = str(view.number)
    buttons = []
    if view.relay:
        buttons.append(
            ButtonElement(
                text="Ask the reporter", action_id=Action.ASK_REPORTER.value, value=number
            )
        )
    if view.reported_message:
        buttons.append(
            ButtonElement(
                text="Hide the message", action_id=Action.HIDE_MESSAGE.value, value=number
            )
        )
    return buttons


def people_buttons(view: CaseView, *, conclude: bool = False) -> list[ButtonElement]:
    """ "Propose decision" once a case names someone as reported; before that, "Identify
    reported people" (a proposal would fail). `conclude` (details modal) also offers the
    proposal that concludes a case with no identifiable person. Then "People"."""
    number = str(view.number)
    buttons = []
    if view.state in PROPOSE_STATES and not view.reported_people:
        buttons.append(
            ButtonElement(
                text="Identify reported people",
                action_id=Action.IDENTIFY_PEOPLE.value,
                value=number,
                style="primary",
            )
        )
    if view.state in PROPOSE_STATES and (view.reported_people or conclude):
        text = "Propose decision" if view.reported_people else "Conclude: no identifiable person"
        buttons.append(ButtonElement(text=text, action_id=Action.PROPOSE.value, value=number))
    if view.reported_people or view.state not in PROPOSE_STATES:
        buttons.append(ButtonElement(text="People", action_id=Action.PEOPLE.value, value=number))
    return buttons


def build_card(view: CaseView) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage / chat.update (limits checked by slack_sdk)."""
    return {"text": card_text(view), "blocks": blocks_json(card_blocks(view))}
