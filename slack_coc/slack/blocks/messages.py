"""Texts of DMs, channel notices and thread notes, by template name.

An outbox `dm` or `channel` intent names a template and carries non-confidential facts
(case number, code name, state, flags, dates, member ids). A renderer turns that, plus the
case as a card may show it (`CaseView`, read at send time), into `text` + `blocks`. Nothing
here can reach a narrative or a name: renderers only see the payload and the CaseView.

Add a template with `@template("name")` in this module (or a module imported by
`slack_coc.slack.outbound`); an unknown name raises `UnknownTemplate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.read_models.case_views import CaseView
from slack_coc.slack.block_ids import blocks_json
from slack_coc.slack.format import slack_date
from slack_coc.slack.ids import Action, step_action, vote_value


@dataclass(frozen=True)
class MessageInput:
    template: str
    payload: dict[str, Any]
    case: CaseView | None = None
    recipient: str | None = None
    mailbox_address: str = "conduct@example.org"


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


Renderer = Callable[[MessageInput], Rendered]
TEMPLATES: dict[str, Renderer] = {}


class UnknownTemplate(ValueError):
    pass


def template(*names: str) -> Callable[[Renderer], Renderer]:
    def register(renderer: Renderer) -> Renderer:
        for name in names:
            if name in TEMPLATES:
                raise ValueError(f"message template {name!r} is registered twice")
            TEMPLATES[name] = renderer
        return renderer

    return register


def render(msg: MessageInput) -> Rendered:
    renderer = TEMPLATES.get(msg.template)
    if renderer is None:
        raise UnknownTemplate(
            f"no message template {msg.template!r}; known: {', '.join(sorted(TEMPLATES))}"
        )
    return renderer(msg)


# ---------------------------------------------------------------------- helpers


def case_ref(msg: MessageInput) -> str:
    """`*#12* amber heron`, from the case at send time, else from the payload."""
    if msg.case is not None:
        return f"{'*DRILL* · ' if msg.case.drill else ''}*{msg.case.ref}* {msg.case.code_name}"
    number, code = msg.payload.get("case_number"), msg.payload.get("code_name")
    drill = "*DRILL* · " if msg.payload.get("drill") else ""
    return f"{drill}*#{number}* {code or ''}".strip() if number is not None else "a case"


def _plain(text: str) -> str:
    """The notification text: bold markers dropped. Underscores stay: emoji names
    (`:rotating_light:`) and date tokens (`{date_short_pretty}`) contain them."""
    return text.replace("*", "")


def when(value: Any, with_time: bool = True) -> str:
    """An ISO date or datetime from a payload, as Slack shows dates to each reader."""
    if isinstance(value, datetime):
        return slack_date(value, with_time)
    if not isinstance(value, str) or not value:
        return "an unknown date"
    try:
        if len(value) == 10:
            return date.fromisoformat(value).strftime("%A %-d %B %Y")
        return slack_date(datetime.fromisoformat(value), with_time)
    except ValueError:
        return value


def user(user_id: Any) -> str:
    return f"<@{user_id}>" if user_id else "someone"


def flags_text(msg: MessageInput) -> str:
    flags = list(msg.case.flags) if msg.case else list(msg.payload.get("flags") or [])
    return f" · :warning: {', '.join(flags)}" if flags else ""


def case_buttons(msg: MessageInput, *steps: Trigger) -> list[ButtonElement]:
    """Buttons for `steps` the case still offers, plus "Open case"."""
    if msg.case is None:
        return []
    number = str(msg.case.number)
    buttons = [
        ButtonElement(
            text=s.verb,
            action_id=step_action(s),
            value=number,
            style="primary" if s is Trigger.ACKNOWLEDGE else None,
        )
        for s in steps
        if s in msg.case.allowed
    ]
    buttons.append(ButtonElement(text="Open case", action_id=Action.OPEN_CASE.value, value=number))
    return buttons


def message(
    text: str, buttons: list[ButtonElement] | None = None, note: str | None = None
) -> Rendered:
    blocks: list[Block] = [SectionBlock(block_id="message", text=MarkdownTextObject(text=text))]
    if note:
        blocks.append(ContextBlock(block_id="note", elements=[MarkdownTextObject(text=note)]))
    if buttons:
        blocks.append(ActionsBlock(block_id="message_actions", elements=buttons))
    return Rendered(_plain(text)[:3000], blocks_json(blocks))


# ---------------------------------------------------------------------- paging (DMs)

PAGE_LEAD = {
    "page_new_case": "New case for the on-call {level}",
    "page_reminder": "Reminder: still not acknowledged",
    "page_acting_primary": "You are now acting primary: the primary has not acknowledged",
}


@template("page_new_case", "page_reminder", "page_acting_primary")
def _page(msg: MessageInput) -> Rendered:
    level = str(msg.payload.get("level", "member")).replace("_", " ")
    lead = PAGE_LEAD[msg.template].format(level=level)
    text = f":rotating_light: {lead}: {case_ref(msg)}{flags_text(msg)}"
    if msg.case is not None and msg.case.state is not CaseState.RECEIVED:
        text += f"\nIt has been acknowledged meanwhile ({msg.case.state.label})."
    note = "Please acknowledge it, then open it to read the report (only you and the members "
    note += "who may see it can)."
    return message(text, case_buttons(msg, Trigger.ACKNOWLEDGE), note)


@template("reporter_receipt")
def _reporter_receipt(msg: MessageInput) -> Rendered:
    """The reporter's own confirmation: no case list, no code name, nothing of other cases."""
    ref = f" (reference #{msg.case.number})" if msg.case else ""
    text = (
        f"Thank you: your report{ref} reached the Code of Conduct working group. "
        "The members on call have been told and will handle it confidentially.\n"
        f"*What happens next:* a member will get back to you by "
        f"{when(msg.payload.get('respond_by'), with_time=False)}. "
        f"You can add information or ask questions at {msg.mailbox_address}.\n"
        "If anyone is in immediate danger, contact local emergency services first."
    )
    if msg.payload.get("anonymous"):
        text = text.replace(
            f"You can add information or ask questions at {msg.mailbox_address}.",
            "You reported anonymously: the group does not know who you are. They will write "
            "to you here, through the app, and you can answer with the button on their "
            "message; your answer reaches them without your name.",
        ).replace("a member will get back to you", "the group will get back to you")
    return message(text)


@template("shepherd_assigned")
def _shepherd_assigned(msg: MessageInput) -> Rendered:
    text = f"You are now the shepherd of {case_ref(msg)}{flags_text(msg)}."
    note = (
        "As shepherd you keep the case moving: discussion, proposal, reporter contact. "
        "Start by telling the reporter you are their contact now."
    )
    buttons = case_buttons(msg, Trigger.START_DISCUSSION)
    if msg.case is not None:
        buttons.insert(
            0,
            ButtonElement(
                text="Tell the reporter",
                action_id=Action.MAIL_COMPOSE.value,
                value=str(msg.case.number),
            ),
        )
        if not msg.case.reported_people:
            # A mailed report names people in prose: the shepherd identifies them first.
            note += " Nobody is identified as reported yet: identify them from the report."
            buttons.insert(
                0,
                ButtonElement(
                    text="Identify reported people",
                    action_id=Action.IDENTIFY_PEOPLE.value,
                    value=str(msg.case.number),
                ),
            )
    return message(text, buttons, note)


# ---------------------------------------------------------------------- deadlines

DEADLINE_LEADS = {
    "deadline_nearing": ":hourglass_flowing_sand: {label} for {ref} is due {due}.",
    "deadline_passed": ":alarm_clock: {label} for {ref} was due {due} and has passed.",
    "readmission_prompt": ":calendar: The suspension in {ref} ends {due}: time to decide on "
    "readmission (`/coc readmission` with the case number records the request).",
    "review_due": ":calendar: {ref} is due for its review {due}.",
    "emergency_review_due": ":rotating_light: The emergency action on {ref} needs its review "
    "by {due}.",
    "deadlock_reached": ":scales: The proposal on {ref} has had no decision since {due}: it "
    "may now be escalated to the board.",
}


@template(*DEADLINE_LEADS)
def _deadline(msg: MessageInput) -> Rendered:
    label = str(msg.payload.get("label") or msg.payload.get("deadline") or "A deadline")
    text = DEADLINE_LEADS[msg.template].format(
        label=label[:1].upper() + label[1:], ref=case_ref(msg), due=when(msg.payload.get("due_at"))
    )
    note = "You are its shepherd." if msg.payload.get("audience") == "shepherd" else None
    return message(text + flags_text(msg), case_buttons(msg), note)


@template("page_any_member")
def _page_any_member(msg: MessageInput) -> Rendered:
    text = (
        f":rotating_light: {case_ref(msg)} has not been acknowledged by the on-call pair. "
        f"Any member who can: please step in.{flags_text(msg)}"
    )
    return message(text, case_buttons(msg, Trigger.ACKNOWLEDGE))


@template("resolution_delayed")
def _resolution_delayed(msg: MessageInput) -> Rendered:
    text = (
        f"{user(msg.payload.get('by'))} moved the resolution target of {case_ref(msg)} to "
        f"{when(msg.payload.get('due_at'))}."
    )
    return message(text, case_buttons(msg))


# ---------------------------------------------------------------------- channel notices


@template("bias_disclosed")
def _bias_disclosed(msg: MessageInput) -> Rendered:
    text = (
        f":information_source: {user(msg.payload.get('shepherd'))} disclosed a possible bias "
        f"when taking {case_ref(msg)} as shepherd. Any member may raise a concern."
    )
    return message(text, case_buttons(msg))


@template("vote_requested")
def _vote_requested(msg: MessageInput) -> Rendered:
    text = f":ballot_box_with_ballot: A decision is proposed for {case_ref(msg)}. Please vote."
    buttons = []
    proposal_id = msg.payload.get("proposal_id")
    if msg.case is not None and isinstance(proposal_id, int):
        value = vote_value(msg.case.number, proposal_id)
        buttons = [
            ButtonElement(text="Agree", action_id=Action.VOTE_AGREE.value, value=value),
            ButtonElement(text="Object", action_id=Action.VOTE_OBJECT.value, value=value),
            ButtonElement(text="Abstain", action_id=Action.VOTE_ABSTAIN.value, value=value),
        ]
    note = "Open the case to read the proposal. Recused members can't vote."
    return message(text, buttons + case_buttons(msg), note)


@template("emergency_action")
def _emergency_action(msg: MessageInput) -> Rendered:
    text = (
        f":rotating_light: {user(msg.payload.get('actor'))} took emergency action on "
        f"{case_ref(msg)}. The group reviews it by {when(msg.payload.get('review_due'))}."
    )
    return message(text, case_buttons(msg))


@template("handover_notice")
def _handover_notice(msg: MessageInput) -> Rendered:
    def pair(value: Any) -> str:
        if not isinstance(value, dict) or not value:
            return "_not set_"
        return f"primary {user(value.get('primary'))}, secondary {user(value.get('secondary'))}"

    text = (
        f":handshake: On call from {when(msg.payload.get('week_starts_at'))}: "
        f"{pair(msg.payload.get('this_week'))}.\nNext week: {pair(msg.payload.get('next_week'))}."
    )
    return message(text)


@template("handover_duty")
def _handover_duty(msg: MessageInput) -> Rendered:
    numbers = [f"#{n}" for n in msg.payload.get("open_cases") or []]
    count = int(msg.payload.get("open_count") or 0)
    listed = ", ".join(numbers) + (" and more" if count > len(numbers) else "")
    text = (
        f":wave: Your on-call week as *{msg.payload.get('role', 'member')}* starts now "
        f"(until {when(msg.payload.get('week_ends_at'))}). New reports page you by DM; "
        "acknowledge them quickly.\n"
        + (f"Open cases ({count}): {listed}." if count else "There are no open cases.")
    )
    return message(text)


@template("handover_reminder")
def _handover_reminder(msg: MessageInput) -> Rendered:
    text = (
        f":calendar: Reminder: you are on call as *{msg.payload.get('role', 'member')}* from "
        f"{when(msg.payload.get('week_starts_at'))}, with {user(msg.payload.get('partner'))}."
    )
    away = msg.payload.get("away") or []
    if msg.recipient in away:
        text += (
            "\nYou are marked away during that week: ask for cover (`/coc cover`) or swap "
            "weeks (`/coc swap`)."
        )
    elif away:
        text += f"\n{user(away[0])} is marked away during that week; paging passes them over."
    return message(text)


@template("outbox_parked")
def _outbox_parked(msg: MessageInput) -> Rendered:
    numbers = ", ".join(f"#{n}" for n in msg.payload.get("case_numbers") or [])
    text = (
        f":warning: {msg.payload.get('count', 'Some')} message(s) could not be delivered to "
        f"Slack{' (cases ' + numbers + ')' if numbers else ''}. An operator can send them "
        "again with `slack-coc outbox retry`."
    )
    return message(text)
