"""DM and channel texts of the steps after a decision: the reporter's feedback and the
actions carried out in rounds. Case number and code name only, never the text of an action
or of the feedback. Imported by `slack_coc.slack.outbound` (templates register on import)."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement

from slack_coc.domain.enums import Trigger
from slack_coc.slack.blocks.mail_messages import MAIL_OFFERS
from slack_coc.slack.blocks.messages import (
    MessageInput,
    Rendered,
    case_buttons,
    case_ref,
    message,
    template,
    user,
    when,
)
from slack_coc.slack.blocks.thread_notes import EVENT_LABELS
from slack_coc.slack.ids import Action
from slack_coc.slack.modals.mail import COMPOSE_ACTION, compose_value

MAIL_OFFERS.setdefault("proposed_resolution", "Send the proposed resolution")
MAIL_OFFERS.setdefault("update", "Tell the reporter (update)")
for _kind, _label in {
    "record_actions": "recorded actions",
    "board_summary_sent": "sent the board its summary",
    "opened_to_group": "opened the case to the group",
    "retaliation_linked": "linked this case to another one",
}.items():
    EVENT_LABELS.setdefault(_kind, _label)

FEEDBACK_ASK = (
    "Before anything is carried out, the reporter (and anyone else affected) hears the "
    "proposed resolution and may give feedback. Record it with *Record reporter feedback* "
    "(or why there is none) to unlock *Start carrying out actions* and *Resolve*."
)


@template("feedback_requested")
def _feedback_requested(msg: MessageInput) -> Rendered:
    buttons = case_buttons(msg, Trigger.RECORD_FEEDBACK)
    if msg.payload.get("offer_mail") and msg.case is not None:
        buttons.insert(
            0,
            ButtonElement(
                text=MAIL_OFFERS["proposed_resolution"],
                action_id=COMPOSE_ACTION,
                value=compose_value(msg.case.number, "proposed_resolution"),
                style="primary",
            ),
        )
    return message(f":speech_balloon: {case_ref(msg)} is decided. {FEEDBACK_ASK}", buttons)


@template("feedback_overdue")
def _feedback_overdue(msg: MessageInput) -> Rendered:
    text = (
        f":hourglass: The reporter's feedback on {case_ref(msg)} was expected by "
        f"{when(msg.payload.get('due_at'))}. Record what they said, or that there was no answer, "
        "so the decision can be carried out."
    )
    note = "You are its shepherd." if msg.payload.get("audience") == "shepherd" else None
    return message(text, case_buttons(msg, Trigger.RECORD_FEEDBACK), note)


@template("resolution_overdue")
def _resolution_overdue(msg: MessageInput) -> Rendered:
    number = msg.case.number if msg.case else msg.payload.get("case_number", "CASE")
    if msg.payload.get("audience") == "shepherd":
        text = (
            f":hourglass: The resolution target of {case_ref(msg)} passed "
            f"{when(msg.payload.get('due_at'))}. Please tell the group why and when you now "
            f"expect to resolve it: `/coc delay {number} YYYY-MM-DD reason`. You can then send "
            "the reporter an update."
        )
        return message(text, case_buttons(msg), "You are its shepherd.")
    text = (
        f":hourglass: The resolution target of {case_ref(msg)} passed "
        f"{when(msg.payload.get('due_at'))}; its shepherd is asked for a delay note."
    )
    return message(text, case_buttons(msg))


@template("board_summary_offer")
def _board_summary_offer(msg: MessageInput) -> Rendered:
    button = ButtonElement(
        text="Send the board summary",
        action_id=Action.BOARD_SUMMARY.value,
        value=str(msg.case.number if msg.case else msg.payload.get("case_number", "")),
        style="primary",
    )
    text = (
        f":bookmark_tabs: {case_ref(msg)} is resolved. As a chair you may send the board its "
        "summary: code names, the outcome per person, the rule applied and the dates (no "
        "account, no names)."
    )
    return message(text, [button, *case_buttons(msg)])


@template("bias_question")
def _bias_question(msg: MessageInput) -> Rendered:
    number = str(msg.case.number if msg.case else msg.payload.get("case_number", ""))
    buttons = [
        ButtonElement(text="No bias to disclose", action_id=Action.BIAS_NONE.value, value=number),
        ButtonElement(text="Disclose a bias", action_id=Action.BIAS_DISCLOSE.value, value=number),
    ]
    text = (
        f":mag: Before you shepherd {case_ref(msg)}: do you have a bias to disclose (a link to "
        "a party, a view formed beforehand)? The group decides whether to pick another "
        "shepherd; it hears that you disclosed one, not what you wrote."
    )
    return message(text, buttons)


@template("bias_review")
def _bias_review(msg: MessageInput) -> Rendered:
    value = f"{msg.case.number if msg.case else msg.payload.get('case_number', '')}:" + str(
        msg.payload.get("event", "")
    )
    buttons = [
        ButtonElement(text="Keep the shepherd", action_id=Action.BIAS_KEEP.value, value=value),
        ButtonElement(
            text="Pick another shepherd", action_id=Action.BIAS_REPLACE.value, value=value
        ),
        *case_buttons(msg),
    ]
    text = (
        f":information_source: {user(msg.payload.get('shepherd'))} disclosed a possible bias "
        f"as shepherd of {case_ref(msg)} (the details are in the case). Should they keep it?"
    )
    return message(text, buttons)


@template("bias_pick_another")
def _bias_pick_another(msg: MessageInput) -> Rendered:
    text = (
        f":arrows_counterclockwise: {user(msg.payload.get('by'))} answered the shepherd's "
        f"disclosure on {case_ref(msg)}: pick another shepherd."
    )
    return message(text, case_buttons(msg, Trigger.CHANGE_SHEPHERD))


@template("action_assigned")
def _action_assigned(msg: MessageInput) -> Rendered:
    text = (
        f":clipboard: You own an action on {case_ref(msg)}, due "
        f"{when(msg.payload.get('due_on'), with_time=False)}. Open the case to read it; mark it "
        "done with *Record actions* when it is."
    )
    return message(text, case_buttons(msg, Trigger.RECORD_ACTIONS))


@template("action_due")
def _action_due(msg: MessageInput) -> Rendered:
    text = (
        f":alarm_clock: An action you own on {case_ref(msg)} is due "
        f"{when(msg.payload.get('due_at'))}. Mark it done with *Record actions*, or tell the "
        "group what is holding it up."
    )
    return message(text, case_buttons(msg, Trigger.RECORD_ACTIONS))
