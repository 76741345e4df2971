"""The case detail modal: the full report and timeline, for a member allowed to see the case
(the only surface that carries report content; `services.queries.case_detail` checks
access and records the view). Report text is shown as plain text, never as mrkdwn, so
nothing in a report can mention, link or format its way into Slack."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from slack_coc.domain.enums import CaseState, Outcome, PartyRole
from slack_coc.read_models.cases import CaseDetail, PartyDetail
from slack_coc.slack.blocks.card import (
    offered_steps,
    people_buttons,
    reporter_and_message_buttons,
)
from slack_coc.slack.format import case_line, slack_date
from slack_coc.slack.ids import Action, Callback, step_action, vote_value
from slack_coc.slack.modals.common import modal, note

CHUNK = 2900  # section text max is 3000
MAX_TIMELINE_LINES = 60
DETAIL_FIELDS = (
    ("when_where", "When and where"),
    ("account", "What happened"),
    ("links", "Links"),
    ("context", "Extra context"),
    ("language", "Language / translation"),
    ("anything_else", "Anything else"),
)
ROLE_LABELS = {
    PartyRole.REPORTER.value: "Reporter",
    PartyRole.REPORTED.value: "Reported",
    PartyRole.WITNESS.value: "Witness",
    PartyRole.OTHER_AFFECTED.value: "Other affected",
}


def case_detail_modal(detail: CaseDetail) -> dict[str, Any]:
    view = detail.view
    blocks: list[Block] = [
        SectionBlock(block_id="summary", text=MarkdownTextObject(text=case_line(view))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Received {slack_date(view.received_at)} · source: {view.source}"
                    + (f" · decided by rule: {view.decision_rule}" if view.decision_rule else "")
                )
            ]
        ),
    ]
    actions = _action_buttons(detail)
    if actions:
        blocks.append(ActionsBlock(block_id="case_actions", elements=actions))
    if detail.gated:
        blocks += content_warning_gate(detail)
        return modal(
            callback_id=Callback.CASE_DETAIL,
            title=f"Case {view.ref}"[:24],
            blocks=blocks,
            submit=None,
            metadata={"case": view.number},
        )
    if detail.warnings:
        blocks.append(note(f":warning: *Content warning:* {', '.join(detail.warnings)}"))
    if detail.links.retaliation_of is not None:
        blocks.append(
            note(f":link: Retaliation against the reporter of #{detail.links.retaliation_of}.")
        )
    if detail.links.retaliated_by:
        later = ", ".join(f"#{n}" for n in detail.links.retaliated_by)
        blocks.append(note(f":link: Retaliation against this case's reporter: {later}."))
    blocks.append(HeaderBlock(text="Report"))
    for key, label in DETAIL_FIELDS:
        value = detail.details.get(key)
        if value:
            blocks += _labelled_text(label, str(value))
    message = detail.details.get("reported_message")
    if isinstance(message, dict) and message:
        blocks += _labelled_text(
            "Reported message",
            " · ".join(
                f"{k}: {v}" for k, v in message.items() if k in ("permalink", "author", "ts")
            ),
        )
        if message.get("text"):
            blocks += _labelled_text("The message as reported", str(message["text"]))
    blocks.append(HeaderBlock(text="People"))
    anonymous = "anonymous" in view.flags
    people = "\n".join(_party_line(p, anonymous) for p in detail.parties) or "none recorded"
    blocks += _labelled_text("", people, mrkdwn=True)
    if detail.recusals:
        blocks.append(HeaderBlock(text="Recused"))
        lines = [
            f"<@{user_id}> ({reason.replace('_', ' ')})" for user_id, reason in detail.recusals
        ]
        blocks += _labelled_text("", "\n".join(lines), mrkdwn=True)
    if detail.proposal_summary:
        blocks.append(HeaderBlock(text="Open proposal"))
        names = {p.id: _party_name(p) for p in detail.parties}
        lines = [
            f"{names.get(pid, 'someone') if pid is not None else 'The case'}: "
            f"{_outcome_label(outcome)}"
            for pid, outcome in detail.proposal_outcomes
        ]
        blocks += _labelled_text(
            "", "\n".join([*lines, escape(detail.proposal_summary)]), mrkdwn=True
        )
    if detail.resolution_notes:
        blocks += _labelled_text("Resolution: actions taken and outcome", detail.resolution_notes)
    blocks.append(HeaderBlock(text="Timeline"))
    blocks += _timeline(detail)
    blocks = _fit(blocks)
    return modal(
        callback_id=Callback.CASE_DETAIL,
        title=f"Case {view.ref}"[:24],
        blocks=blocks,
        submit=None,
        metadata={"case": view.number},
    )


def content_warning_gate(detail: CaseDetail) -> list[Block]:
    """What a member sees before any text of a flagged report (or of every report, when they
    asked to be always warned): the warning and one button."""
    if detail.warnings:
        text = (
            ":warning: *Content warning.* This report describes: "
            f"{', '.join(detail.warnings)}. Nothing of it is shown until you choose to see it."
        )
    else:
        text = (
            ":warning: You asked to be warned before any report's text (App Home). "
            "Nothing of it is shown until you choose to see it."
        )
    return [
        note(text, "content_warning"),
        ActionsBlock(
            block_id="content_warning_actions",
            elements=[
                ButtonElement(
                    text="Show the report",
                    action_id=Action.SHOW_REPORT.value,
                    value=str(detail.view.number),
                    style="primary",
                )
            ],
        ),
    ]


def _action_buttons(detail: CaseDetail) -> list[ButtonElement]:
    view = detail.view
    number = str(view.number)
    # The same steps as the case card (input-guarded steps included: their form supplies
    # what the guard needs).
    buttons = [
        ButtonElement(text=t.verb, action_id=step_action(t), value=number)
        for t in offered_steps(view)
    ]
    if detail.proposal_id is not None and view.state is CaseState.DISCUSSED:
        vote = vote_value(view.number, detail.proposal_id)
        buttons += [
            ButtonElement(text="Vote: agree", action_id=Action.VOTE_AGREE.value, value=vote),
            ButtonElement(text="Vote: object", action_id=Action.VOTE_OBJECT.value, value=vote),
            ButtonElement(text="Vote: abstain", action_id=Action.VOTE_ABSTAIN.value, value=vote),
        ]
    buttons += people_buttons(view, conclude=True)
    buttons += reporter_and_message_buttons(view)
    if view.state.is_open:
        buttons.append(
            ButtonElement(
                text="Record emergency action",
                action_id=Action.EMERGENCY_ACTION.value,
                value=number,
            )
        )
    buttons.append(
        ButtonElement(
            text="Message the reporter", action_id=Action.MAIL_COMPOSE.value, value=number
        )
    )
    buttons.append(ButtonElement(text="Recuse myself", action_id=Action.RECUSE.value, value=number))
    return buttons[:25]


def _outcome_label(value: str) -> str:
    try:
        return Outcome(value).label
    except ValueError:
        return value


def escape(text: str) -> str:
    """Neutralise mrkdwn control characters in user-provided text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _party_name(party: PartyDetail) -> str:
    who = (escape(party.name) if party.name else None) or (
        f"<@{party.slack_user_id}>" if party.slack_user_id else "unnamed"
    )
    return f"{who} ({party.person_code_name})" if party.person_code_name else who


def _party_line(party: PartyDetail, anonymous: bool = False) -> str:
    if anonymous and party.role == PartyRole.REPORTER.value:
        return "Reporter: anonymous (reached only through the app's relay, if at all)"
    line = f"{ROLE_LABELS.get(party.role, party.role)}: {_party_name(party)}"
    if party.contact:
        line += f" · {escape(party.contact)}"
    return line


def _timeline(detail: CaseDetail) -> list[Block]:
    events = detail.timeline[-MAX_TIMELINE_LINES:]
    lines = []
    for event in events:
        line = f"{event.at:%Y-%m-%d %H:%M} UTC · {event.kind.replace('_', ' ')}"
        if event.to_state and event.to_state != event.from_state:
            line += f" → {CaseState(event.to_state).label}"
        if event.actor_user_id:
            line += f" · by <@{event.actor_user_id}>"
        if event.note:
            line += f"\n    {escape(event.note)}"
        lines.append(line)
    skipped = len(detail.timeline) - len(events)
    if skipped:
        lines.insert(0, f"({skipped} earlier entries not shown)")
    return _labelled_text("", "\n".join(lines) or "nothing yet", mrkdwn=True)


def _labelled_text(label: str, text: str, *, mrkdwn: bool = False) -> list[Block]:
    """Plain-text sections of at most CHUNK characters (user mentions as <@U> stay literal)."""
    blocks: list[Block] = []
    if label:
        blocks.append(note(f"*{label}*"))
    for start in range(0, max(len(text), 1), CHUNK):
        part = text[start : start + CHUNK] or " "
        body = MarkdownTextObject(text=part) if mrkdwn else PlainTextObject(text=part, emoji=False)
        blocks.append(SectionBlock(text=body))
    return blocks


def _fit(blocks: list[Block]) -> list[Block]:
    """A modal holds at most 100 blocks: cut the tail and say so."""
    if len(blocks) <= 100:
        return blocks
    return [*blocks[:98], DividerBlock(), note("_Too long to show in full here._")]
