"""Retention (docs/process.md "Records"): personal data is kept only as long as the policy allows.

By outcome, in months after resolution (`policy.retention_months`): no violation 0; no
identifiable person 6; resolved 14; flagged (a warning, or a severe or safety-risk case) 26;
suspended: the end of the suspension + 26; permanently banned: kept. A new violation by the
same person extends the earlier records to the new record's date, and while a later case of
the same person is open the earlier records are held.

The sweep expunges personal data (narratives, contact details, names, identities, notes, raw
mail: every Encrypted* column of the case's rows) and keeps the plain columns the statistics
count: dates, states, outcomes, code names. It records that it did, on the timeline and in
`Case.personal_data_expunged_at`. Synthetic cases hold no personal data and are left alone.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, func, select, update
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import ServiceContext
from slack_coc.crypto import EncryptedJSON, EncryptedText
from slack_coc.db import Base
from slack_coc.domain.decision_models import Proposal, ProposalStatus, ProposedOutcome
from slack_coc.domain.enums import CaseState, Outcome, PartyRole
from slack_coc.domain.models import Case, Party, Person
from slack_coc.services.relay import forget as forget_relay
from slack_coc.services.timeline import record_event

log = logging.getLogger(__name__)

KEPT = "kept"  # permanent ban: no expiry


@dataclass(frozen=True)
class RetentionItem:
    case_id: int
    team_id: str
    number: int
    code_name: str
    category: str
    due_at: datetime | None  # None: kept (permanent ban) or held (a later case is open)
    extended_by: int | None = None  # number of the later case that extended this record
    held_by: int | None = None  # number of an open later case of the same person

    def is_due(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at <= now


@dataclass
class _CaseFacts:
    case_id: int
    team_id: str
    number: int
    code_name: str
    received_at: datetime
    resolved_at: datetime | None
    open: bool
    flagged: bool
    people: set[int]
    outcomes: list[tuple[str, date | None]]


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _latest_decisive(case_ids: Sequence[int]) -> Select[Any]:
    """Ids of the latest decisive proposal of each of these cases."""
    return (
        select(func.max(Proposal.id))
        .where(
            Proposal.case_id.in_(case_ids),
            Proposal.status.in_((ProposalStatus.ADOPTED, ProposalStatus.ESCALATED)),
        )
        .group_by(Proposal.case_id)
    )


def _load_facts(session: Session, condition: ColumnElement[bool]) -> dict[int, _CaseFacts]:
    facts: dict[int, _CaseFacts] = {}
    rows = session.execute(
        select(
            Case.id,
            Case.team_id,
            Case.number,
            Case.code_name,
            Case.received_at,
            Case.resolved_at,
            Case.state,
            Case.severe,
            Case.safety_risk,
        ).where(condition)
    )
    for cid, team, number, code, received, resolved, state, severe, risk in rows:
        facts[cid] = _CaseFacts(
            cid,
            team,
            number,
            code,
            received,
            resolved,
            state != CaseState.RESOLVED.value or resolved is None,
            bool(severe or risk),
            set(),
            [],
        )
    ids = list(facts)
    for chunk in _chunks(ids, 500):
        person_key = func.coalesce(Person.merged_into_id, Person.id)
        for cid, key in session.execute(
            select(Party.case_id, person_key)
            .join(Person, Person.id == Party.person_id)
            .where(Party.case_id.in_(chunk), Party.role == PartyRole.REPORTED.value)
        ):
            facts[cid].people.add(int(key))
        for cid, outcome, ends_on in session.execute(
            select(Proposal.case_id, ProposedOutcome.outcome, ProposedOutcome.ends_on)
            .join(Proposal, Proposal.id == ProposedOutcome.proposal_id)
            .join(Case, Case.id == Proposal.case_id)
            .where(
                Proposal.id.in_(_latest_decisive(chunk)),
                Case.decided_at.is_not(None),
            )
        ):
            facts[cid].outcomes.append((outcome, ends_on))
    return facts


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _category(f: _CaseFacts, months: dict[str, int]) -> tuple[str, datetime | None]:
    """The policy category and the base due instant (before any extension)."""
    resolved = f.resolved_at or f.received_at
    outcomes = [Outcome(o) for o, _e in f.outcomes]
    if not f.people:
        return "no_identifiable_person", add_months(resolved, months["no_identifiable_person"])
    if Outcome.PERMANENT_BAN in outcomes:
        return "banned", None
    suspension_ends = [
        e
        for o, e in f.outcomes
        if e and o in (Outcome.SUSPENSION_SHORT.value, Outcome.SUSPENSION_EXTENDED.value)
    ]
    if suspension_ends:
        end = datetime.combine(max(suspension_ends), time(0, 0), tzinfo=UTC)
        return "suspended", add_months(max(end, resolved), months["banned_extra"])
    if f.flagged or any(o.severity > 0 for o in outcomes):
        return "flagged", add_months(resolved, months["flagged"])
    if outcomes and all(o is Outcome.NOT_A_VIOLATION for o in outcomes):
        return "not_a_violation", add_months(resolved, months["not_a_violation"])
    return "resolved", add_months(resolved, months["resolved"])


def _is_violation(f: _CaseFacts) -> bool:
    return any(Outcome(o).severity > 0 for o, _e in f.outcomes)


def plan(ctx: ServiceContext, *, team_id: str | None = None) -> list[RetentionItem]:
    """Every resolved real case whose personal data is still held, with when it falls due."""
    with ctx.read() as session:
        return _plan(session, ctx.policy, team_id)


def _plan(session: Session, policy: Policy, team_id: str | None) -> list[RetentionItem]:
    condition = and_(
        Case.synthetic.is_(False),
        Case.drill.is_(False),  # a practice case holds no one's personal data
        Case.personal_data_expunged_at.is_(None),
        Case.state == CaseState.RESOLVED.value,
        Case.team_id == team_id if team_id else Case.id.is_not(None),
    )
    candidates = _load_facts(session, condition)
    people = {p for f in candidates.values() for p in f.people}
    later = _cases_of_people(session, people) if people else {}
    by_person: dict[int, list[_CaseFacts]] = defaultdict(list)
    for f in later.values():
        for p in f.people:
            by_person[p].append(f)
    months = policy.retention_months
    items = []
    for f in sorted(candidates.values(), key=lambda c: (c.team_id, c.number)):
        category, due = _category(f, months)
        extended_by = held_by = None
        for person in f.people:
            for other in by_person.get(person, []):
                if other.case_id == f.case_id or other.received_at <= f.received_at:
                    continue
                if other.open:
                    held_by = other.number
                elif _is_violation(other) and due is not None:
                    _c, other_due = _category(other, months)
                    if other_due is None or other_due > due:
                        due, extended_by = other_due, other.number
        if held_by is not None:
            due = None
        items.append(
            RetentionItem(
                f.case_id, f.team_id, f.number, f.code_name, category, due, extended_by, held_by
            )
        )
    return items


def _cases_of_people(session: Session, people: set[int]) -> dict[int, _CaseFacts]:
    person_key = func.coalesce(Person.merged_into_id, Person.id)
    case_ids: set[int] = set()
    for chunk in _chunks(sorted(people), 500):
        case_ids.update(
            session.scalars(
                select(Party.case_id)
                .join(Person, Person.id == Party.person_id)
                .where(person_key.in_(chunk), Party.role == PartyRole.REPORTED.value)
            )
        )
    return _load_facts(
        session,
        and_(Case.id.in_(sorted(case_ids)), Case.synthetic.is_(False), Case.drill.is_(False)),
    )


# Cases a scheduled sweep expunges at most: a backlog (a first run over years of cases, a
# policy shortened) is cleared over several sweeps, a minute apart, instead of holding the
# worker's CPU and the database for minutes while reports come in.
SWEEP_BATCH = 100


def sweep(ctx: ServiceContext, *, limit: int | None = None) -> int:
    """Expunge the personal data that is due, the `limit` longest due first (all of it when
    None); returns how many cases were expunged. Idempotent: an expunged case is never
    touched again."""
    now = ctx.clock.now()
    due = [item for item in plan(ctx) if item.is_due(now)]
    due.sort(key=lambda item: item.due_at or now)
    if limit is not None and len(due) > limit:
        log.info("retention: %s cases due; %s now, the rest in the next sweeps", len(due), limit)
        due = due[:limit]
    for item in due:
        with ctx.transaction() as session:
            case = session.get(Case, item.case_id, with_for_update=True)
            if case is None or case.personal_data_expunged_at is not None:
                continue
            expunge_case(session, case, now)
            record_event(
                session,
                case,
                "personal_data_expunged",
                now,
                actor_user_id=None,
                data={"category": item.category, "extended_by": item.extended_by},
                to_thread=False,
            )
        log.info("retention: expunged personal data of case #%s (%s)", item.number, item.category)
    return len(due)


def _encrypted_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]


def _emptied(table: Table, names: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in names:
        column = table.columns[name]
        if column.nullable:
            values[name] = None
        else:
            values[name] = {} if isinstance(column.type, EncryptedJSON) else ""
    return values


def expunge_case(session: Session, case: Case, now: datetime) -> None:
    """Empty every encrypted column of the case and of every row that belongs to it (found
    from the schema, so new models such as mail are covered without a change here), then
    the identities of people who appear in no other case still holding data."""
    case.details = {}
    case.resolution_notes = None
    case.personal_data_expunged_at = now
    session.flush()
    forget_relay(session, [case.id])  # the way to an anonymous reporter goes first, whole
    tables = Base.metadata.tables
    owned = {name: t for name, t in tables.items() if "case_id" in t.columns and name != "case"}
    for name, table in owned.items():
        columns = _encrypted_columns(table)
        condition = table.c.case_id == case.id
        if "status" in table.columns and name == "outbox":
            condition = and_(condition, table.c.status != "pending")
        values = _emptied(table, columns)
        # Keyed digests identify a person as surely as the encrypted value: cleared too.
        values.update({c.name: None for c in table.columns if c.info.get("digest_of")})
        if values:
            session.execute(update(table).where(condition).values(values))
    for table in tables.values():
        columns = _encrypted_columns(table)
        if not columns or "case_id" in table.columns or table.name in ("case", "person"):
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in owned:
                parents = select(parent.c.id).where(parent.c.case_id == case.id)
                session.execute(
                    update(table).where(fk.parent.in_(parents)).values(_emptied(table, columns))
                )
    _expunge_people(session, case)


def _expunge_people(session: Session, case: Case) -> None:
    person_ids = set(
        session.scalars(
            select(Party.person_id).where(Party.case_id == case.id, Party.person_id.is_not(None))
        )
    )
    for person_id in person_ids:
        still_held = session.scalar(
            select(func.count(Party.id))
            .join(Case, Case.id == Party.case_id)
            .where(Party.person_id == person_id, Case.personal_data_expunged_at.is_(None))
        )
        if still_held:
            continue
        session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(
                display_name=None,
                email=None,
                slack_user_id=None,
                slack_user_digest=None,
                email_digest=None,
                name_digest=None,
            )
        )
