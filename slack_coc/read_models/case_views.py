"""Read models handed to renderers: only what may appear in Slack outside a detail modal."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import Session

from slack_coc.domain.deadline_kinds import deadline_label
from slack_coc.domain.enums import CaseState, PartyRole, Trigger
from slack_coc.domain.lifecycle import CaseFacts, CaseFlow
from slack_coc.domain.models import Case, Deadline, Member, Party
from slack_coc.domain.relay_models import RelayContact
from slack_coc.queues.sweep_models import SentNotice
from slack_coc.services.actions import open_action_counts


@dataclass(frozen=True)
class DeadlineView:
    kind: str
    due_at: datetime

    @property
    def label(self) -> str:
        return deadline_label(self.kind)


@dataclass(frozen=True)
class CaseView:
    """A case as a card, list row or App Home entry may show it: no narrative, no names."""

    id: int
    team_id: str
    number: int
    code_name: str
    state: CaseState
    source: str
    safety_risk: bool
    ongoing: str
    handled_locally: bool
    severe: bool
    received_at: datetime
    shepherd_user_id: str | None
    first_responder_user_id: str | None
    next_deadline: DeadlineView | None
    allowed: tuple[Trigger, ...]
    review_date: date | None = None
    decision_rule: str | None = None
    card_channel_id: str | None = None
    card_ts: str | None = None
    flags: tuple[str, ...] = field(default=())
    drill: bool = False
    # How many people the case names as reported (none: "Identify reported people").
    reported_people: int = 0
    # An anonymous reporter the group can write to through the app (services/relay.py).
    relay: bool = False
    # Reported with "Report this message": the message may be hidden from the case.
    reported_message: bool = False

    @property
    def ref(self) -> str:
        return f"#{self.number}"


DRILL_FLAG = "DRILL"
WAITING_FOR_FEEDBACK = "waiting for the reporter's feedback"
DELAY_NOTE_DUE = "resolution target passed: delay note due"


def flags_of(case: Case) -> tuple[str, ...]:
    flags = [DRILL_FLAG] if case.drill else []
    if case.safety_risk:
        flags.append("safety risk")
    if case.ongoing in ("Yes", "Maybe"):
        flags.append(f"ongoing: {case.ongoing.lower()}")
    if case.handled_locally:
        flags.append("handled locally")
    if case.anonymous:
        flags.append("anonymous")
    if case.severe:
        flags.append("severe / legal")
    if case.state == CaseState.DECIDED.value and case.feedback_settled_at is None:
        flags.append(WAITING_FOR_FEEDBACK)
    return tuple(flags)


# Cards, App Home and every opened case read these: the statements are built once (building
# one costs more CPU than running it) and given the cases' ids when run.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
# Every open deadline of the cases (a case has a few), found by case. Not sorted in SQL:
# SQLite would then walk the sweep's (met, due) index, which holds every open case's
# deadlines, to spare itself a sort of a handful of rows.
_OPEN_DEADLINES = select(Deadline.case_id, Deadline.kind, Deadline.due_at).where(
    Deadline.case_id.in_(_IDS), Deadline.met_at.is_(None)
)
_OVERDUE = (
    select(Deadline.case_id)
    .join(SentNotice, SentNotice.deadline_id == Deadline.id)
    .where(
        Deadline.case_id.in_(_IDS),
        Deadline.kind == "resolution",
        Deadline.met_at.is_(None),
        SentNotice.stage == "due",
    )
)
_REPORTED_COUNTS = (
    select(Party.case_id, func.count(Party.id))
    .where(Party.case_id.in_(_IDS), Party.role == PartyRole.REPORTED.value)
    .group_by(Party.case_id)
)
_RELAYED = select(RelayContact.case_id).where(RelayContact.case_id.in_(_IDS))
_MEMBER_USER_IDS = select(Member.id, Member.user_id).where(Member.id.in_(_IDS))


def next_deadlines(session: Session, case_ids: list[int]) -> dict[int, DeadlineView]:
    """The earliest open deadline of each case, in one query."""
    if not case_ids:
        return {}
    result: dict[int, DeadlineView] = {}
    for case_id, kind, due_at in session.execute(_OPEN_DEADLINES, {"ids": case_ids}):
        known = result.get(case_id)
        if known is None or (due_at, kind) < (known.due_at, known.kind):
            result[case_id] = DeadlineView(kind, due_at)
    return result


def overdue_ids(session: Session, case_ids: list[int]) -> set[int]:
    """Cases whose resolution target has passed (the sweep sent its "due" notice) and was not
    moved since: the shepherd owes the group a delay note (`/coc delay`)."""
    if not case_ids:
        return set()
    return set(session.scalars(_OVERDUE, {"ids": case_ids}))


def reported_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = session.execute(_REPORTED_COUNTS, {"ids": case_ids})
    return {case_id: int(n) for case_id, n in rows}


def _hideable(case: Case) -> bool:
    """Reported with "Report this message", and the message not hidden yet."""
    found = (case.details or {}).get("reported_message")
    return isinstance(found, dict) and bool(found.get("ts")) and not found.get("hidden_at")


def relayed_cases(session: Session, case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(session.scalars(_RELAYED, {"ids": case_ids}))


def member_user_ids(session: Session, member_ids: set[int]) -> dict[int, str]:
    if not member_ids:
        return {}
    rows = session.execute(_MEMBER_USER_IDS, {"ids": list(member_ids)})
    return {mid: uid for mid, uid in rows}


def case_views(
    session: Session, cases: list[Case], facts: dict[int, CaseFacts] | None = None
) -> list[CaseView]:
    """Views of many cases with a fixed number of queries."""
    deadlines = next_deadlines(session, [c.id for c in cases])
    reported = reported_counts(session, [c.id for c in cases])
    relayed = relayed_cases(session, [c.id for c in cases if c.anonymous])
    acting = [c.id for c in cases if c.state == CaseState.ACTIONS_ONGOING.value]
    open_actions = open_action_counts(session, acting)
    overdue = overdue_ids(session, [c.id for c in cases if c.state != CaseState.RESOLVED.value])
    people = member_user_ids(
        session,
        {m for c in cases for m in (c.shepherd_id, c.first_responder_id) if m is not None},
    )
    facts = facts or {}
    views = []
    for case in cases:
        known = facts.get(case.id, CaseFacts())
        flow = CaseFlow(case, replace(known, open_actions=bool(open_actions.get(case.id))))
        views.append(
            CaseView(
                id=case.id,
                team_id=case.team_id,
                number=case.number,
                code_name=case.code_name,
                state=CaseState(case.state),
                source=case.source,
                safety_risk=case.safety_risk,
                ongoing=case.ongoing,
                handled_locally=case.handled_locally,
                severe=case.severe,
                received_at=case.received_at,
                shepherd_user_id=people.get(case.shepherd_id) if case.shepherd_id else None,
                first_responder_user_id=(
                    people.get(case.first_responder_id) if case.first_responder_id else None
                ),
                next_deadline=deadlines.get(case.id),
                allowed=tuple(flow.allowed()),
                review_date=case.review_date,
                decision_rule=case.decision_rule,
                card_channel_id=case.card_channel_id,
                card_ts=case.card_ts,
                flags=flags_of(case) + ((DELAY_NOTE_DUE,) if case.id in overdue else ()),
                drill=case.drill,
                reported_people=reported.get(case.id, 0),
                relay=case.id in relayed,
                # Only a shortcut report can be about a message: others' details stay sealed.
                reported_message=case.source == "slack" and _hideable(case),
            )
        )
    return views
