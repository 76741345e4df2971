"""Modals for the lifecycle steps that need input. Each modal's private_metadata carries the
case number (`{"case": 12}`), plus the ids a step needs (proposal, emergency action)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from slack_coc.config import DEFAULT_VIOLATION_TYPES
from slack_coc.domain.enums import (
    CASE_OUTCOMES,
    Outcome,
    PartyRole,
    RecusalReason,
    ResolutionSource,
)
from slack_coc.read_models.case_views import CaseView
from slack_coc.read_models.cases import CaseDetail, PartyDetail
from slack_coc.read_models.prompts import PendingEmergency
from slack_coc.services.conflicts import OnboardingCase
from slack_coc.services.feedback import NoFeedback
from slack_coc.slack.format import slack_date
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import (
    date_input,
    modal,
    multi_select,
    note,
    radio,
    select,
    small,
    text_input,
    users_input,
)
from slack_coc.slack.modals.detail import escape

RECUSAL_REASONS = (
    (RecusalReason.INVOLVED.value, "I was involved in the incident"),
    (RecusalReason.PERSONAL_RELATIONSHIP.value, "Personal relationship with a party"),
    (RecusalReason.SAME_EMPLOYER.value, "Same employer as a party"),
    (RecusalReason.PRIVATE_INFORMATION.value, "Private information that could bias me"),
    (RecusalReason.OTHER.value, "Another conflict"),
)
OUTCOMES = tuple((o.value, o.label) for o in Outcome if o is not Outcome.NO_IDENTIFIABLE_PERSON)
RESOLUTION_SOURCES = (
    (ResolutionSource.WG.value, "The working group"),
    (ResolutionSource.BOARD.value, "The board"),
    (ResolutionSource.LOCAL.value, "Local representatives"),
    (ResolutionSource.NONE.value, "None"),
)
VOTES = (("agree", "Agree"), ("object", "Object"), ("abstain", "Abstain"))
NO_FEEDBACK = tuple((r.value, r.label) for r in NoFeedback)


def _head(view: CaseView) -> Block:
    drill = "*DRILL* · " if view.drill else ""
    return note(f"{drill}*{view.ref}* {view.code_name} · {view.state.label}", "case_head")


def _meta(view: CaseView, **extra: Any) -> dict[str, Any]:
    return {"case": view.number, **extra}


def assign_shepherd_modal(view: CaseView, suggested_user_id: str | None) -> dict[str, Any]:
    change = view.shepherd_user_id is not None
    blocks: list[Block] = [_head(view)]
    if change:
        blocks.append(small(f"Current shepherd: <@{view.shepherd_user_id}>."))
    shepherd = users_input(
        "shepherd", "Shepherd", multi=False, optional=False, initial_user=suggested_user_id
    )
    blocks += [
        shepherd,
        text_input(
            "bias_disclosure",
            "Biases to disclose",
            multiline=True,
            optional=True,
            hint="The group decides whether to pick another shepherd. The channel only hears "
            "that a bias was disclosed.",
        ),
    ]
    if change:
        blocks.append(text_input("reason", "Why the change?", optional=True))
    return modal(
        callback_id=Callback.ASSIGN_SHEPHERD,
        title="Change shepherd" if change else "Assign shepherd",
        blocks=blocks,
        # Whom this form replaces: if the shepherd changed meanwhile, it is refused.
        metadata=_meta(view, seen_shepherd=view.shepherd_user_id),
    )


def recuse_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.RECUSE,
        title="Recuse",
        submit="Recuse me",
        metadata=_meta(view),
        blocks=[
            _head(view),
            small(
                "You will see nothing more about this case. "
                "The thread only says that a member recused."
            ),
            select("reason", "Reason", RECUSAL_REASONS),
            text_input("note", "Note (optional)", optional=True),
        ],
    )


def party_outcome_blocks(
    party: PartyDetail, kinds: list[tuple[str, str]], *, optional: bool = False
) -> list[Block]:
    """One reported person's outcome inputs: outcome, types of behaviour, end, conditions."""
    who = (
        escape(party.name)
        if party.name
        else (f"<@{party.slack_user_id}>" if party.slack_user_id else "unnamed")
    )
    code = party.person_code_name or "unnamed"
    return [
        note(f"*{code}* — {who}", f"party_{party.id}"),
        select(f"outcome_{party.id}", f"Outcome for {code}"[:2000], OUTCOMES, optional=optional),
        multi_select(
            f"violation_{party.id}",
            "Type(s) of behaviour",
            kinds,
            hint='Counted, without names, in the transparency report. None for "not a violation".',
        ),
        date_input(f"ends_on_{party.id}", "Suspension ends (suspensions only)", optional=True),
        text_input(
            f"conditions_{party.id}",
            "Conditions (for return, or of the outcome)",
            optional=True,
        ),
    ]


def propose_modal(
    detail: CaseDetail, today: date, violation_types: Sequence[str] = DEFAULT_VIOLATION_TYPES
) -> dict[str, Any]:
    view = detail.view
    kinds = [(t, t) for t in violation_types][:100]
    blocks: list[Block] = [_head(view)]
    reported = [p for p in detail.parties if p.role == PartyRole.REPORTED.value]
    if not reported:
        blocks += [
            note(
                "This case names nobody as reported. Identify them first (*People*), or "
                "conclude the case as a whole: not a violation, no identifiable person..."
            ),
            select(
                "outcome_case",
                "Outcome for the case",
                [(o.value, o.label) for o in CASE_OUTCOMES],
            ),
        ]
    for party in reported:
        blocks += party_outcome_blocks(party, kinds)
    blocks += [
        text_input("rationale", "Rationale", multiline=True),
        small(
            f"Short suspensions end {today + timedelta(days=30):%Y-%m-%d} to "
            f"{today + timedelta(days=90):%Y-%m-%d}; extended ones after that, with conditions."
        ),
    ]
    return modal(
        callback_id=Callback.PROPOSE,
        title="Propose decision",
        submit="Propose",
        metadata=_meta(view, parties=[p.id for p in reported]),
        blocks=blocks,
    )


def vote_modal(detail: CaseDetail, proposal_id: int) -> dict[str, Any]:
    view = detail.view
    names: dict[int | None, str] = {p.id: (p.person_code_name or "someone") for p in detail.parties}
    names[None] = "The case"
    lines = [
        f"{names.get(pid, 'someone')}: {Outcome(o).label}" for pid, o in detail.proposal_outcomes
    ]
    return modal(
        callback_id=Callback.VOTE,
        title="Vote",
        submit="Vote",
        metadata=_meta(view, proposal=proposal_id),
        blocks=[
            _head(view),
            note("*Proposal*\n" + ("\n".join(lines) or "no outcomes")),
            small(escape(detail.proposal_summary or ""))
            if detail.proposal_summary
            else small("No votes yet."),
            radio("vote", "Your vote", VOTES),
        ],
    )


def feedback_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.RECORD_FEEDBACK,
        title="Reporter feedback",
        metadata=_meta(view),
        blocks=[
            _head(view),
            small("The feedback goes on the record; the group is not bound by it."),
            text_input(
                "feedback",
                "Feedback from the reporter and affected parties",
                multiline=True,
                optional=True,
            ),
            radio("none_reason", "Or: why there is no feedback", NO_FEEDBACK, optional=True),
        ],
    )


def resolve_modal(view: CaseView, today: date, review_after_days: int = 180) -> dict[str, Any]:
    return modal(
        callback_id=Callback.RESOLVE,
        title="Resolve",
        submit="Resolve",
        metadata=_meta(view),
        blocks=[
            _head(view),
            text_input("actions_taken", "Actions taken and outcome", multiline=True),
            date_input(
                "review_date", "Review date", initial=today + timedelta(days=review_after_days)
            ),
            select(
                "resolution_source",
                "Resolved by",
                RESOLUTION_SOURCES,
                initial=ResolutionSource.WG.value,
            ),
            date_input("suspension_ends", "Suspension ends (if any)", optional=True),
        ],
    )


def request_reconsideration_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.REQUEST_RECONSIDERATION,
        title="Reconsideration",
        metadata=_meta(view),
        blocks=[
            _head(view),
            text_input("requested_by", "Who asked the board to reconsider?"),
        ],
    )


def conclude_reconsideration_modal(
    view: CaseView,
    reported: Sequence[PartyDetail] = (),
    violation_types: Sequence[str] = DEFAULT_VIOLATION_TYPES,
) -> dict[str, Any]:
    """Upheld, or changed: then the board's new outcome for each reported person, which
    replaces the decision in the records, retention and statistics."""
    blocks: list[Block] = [
        _head(view),
        radio("result", "The board's decision", (("upheld", "Upheld"), ("changed", "Changed"))),
    ]
    if reported:
        blocks.append(small("If changed: the new outcome for each reported person."))
        kinds = [(t, t) for t in violation_types][:100]
        for party in reported:
            blocks += party_outcome_blocks(party, kinds, optional=True)
    blocks.append(text_input("note", "Note", multiline=True, optional=True))
    return modal(
        callback_id=Callback.CONCLUDE_RECONSIDERATION,
        title="Conclude reconsideration",
        metadata=_meta(view, parties=[p.id for p in reported]),
        blocks=blocks,
    )


def reopen_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.REOPEN,
        title="Reopen case",
        submit="Reopen",
        metadata=_meta(view),
        blocks=[_head(view), text_input("new_information", "New information", multiline=True)],
    )


def emergency_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.EMERGENCY_ACTION,
        title="Emergency action",
        submit="Record",
        metadata=_meta(view),
        blocks=[
            _head(view),
            small(
                "For ongoing incidents or threats to safety: act at once (temporary restriction, "
                "block, contact law enforcement), record it here, "
                "and the group reviews it within 24 h."
            ),
            text_input("action", "What did you do?", multiline=True),
        ],
    )


def review_emergency_modal(view: CaseView, pending: list[PendingEmergency]) -> dict[str, Any]:
    choices = [(str(p.id), f"Action of {p.taken_at:%Y-%m-%d %H:%M} UTC") for p in pending]
    return modal(
        callback_id=Callback.REVIEW_EMERGENCY,
        title="Review emergency",
        metadata=_meta(view),
        blocks=[
            _head(view),
            select(
                "action_id", "Which action", choices, initial=choices[0][0] if choices else None
            ),
            radio(
                "review_outcome",
                "The group's review",
                (("upheld", "Upheld"), ("changed", "Changed"), ("reversed", "Reversed")),
            ),
            text_input("note", "Note", multiline=True, optional=True),
            small(
                f"Review due {slack_date(pending[0].review_due_at)}."
                if pending
                else "Nothing to review."
            ),
        ],
    )


def escalate_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.ESCALATE,
        title="Escalate to board",
        submit="Escalate",
        metadata=_meta(view),
        blocks=[
            _head(view),
            text_input("note", "Note for the record", multiline=True, optional=True),
        ],
    )


def board_decision_modal(view: CaseView) -> dict[str, Any]:
    return modal(
        callback_id=Callback.BOARD_DECISION,
        title="Board decision",
        metadata=_meta(view),
        blocks=[_head(view), text_input("decision", "What the board decided", multiline=True)],
    )


def declare_conflicts_modal(cases: list[OnboardingCase]) -> dict[str, Any]:
    from slack_sdk.models.blocks import InputBlock, Option, StaticMultiSelectElement

    blocks: list[Block] = [
        small(
            "Choose the open cases you have a conflict of interest with (code names only), or none."
        )
    ]
    if cases:
        blocks.append(
            InputBlock(
                block_id="conflicted",
                label="I am conflicted on",
                optional=True,
                element=StaticMultiSelectElement(
                    action_id="conflicted",
                    options=[
                        Option(value=str(c.number), text=f"#{c.number} {c.code_name}")
                        for c in cases[:100]
                    ],
                ),
            )
        )
    return modal(
        callback_id=Callback.DECLARE_CONFLICTS,
        title="Declare conflicts",
        submit="Declare",
        blocks=blocks,
    )
