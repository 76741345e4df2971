"""Synthetic cases for benchmarks and demos (`slack-coc cases seed`).

They are spread over states, outcomes and two years of dates, marked `synthetic`, and carry
no personal data. Nothing counts them (records, statistics, lists, retention) unless a
benchmark asks. Inserted in bulk: 100,000 cases take seconds, not minutes. They get no
deadlines and no outbox messages, so the sweep never chases them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from slack_coc.context import ServiceContext
from slack_coc.domain.codenames import _ADJECTIVE_NOUNS as _WORDS
from slack_coc.domain.codenames import _BIRDS, _COLOURS
from slack_coc.domain.decision_models import Proposal, ProposalStatus, ProposedOutcome
from slack_coc.domain.enums import CaseSource, CaseState, Outcome, PartyRole, ResolutionSource
from slack_coc.domain.models import Case, Member, Party, Person
from slack_coc.services.intake import ensure_workspace

SYNTHETIC_MEMBER = "U0SYNTHETIC"
_BATCH = 5000
# Most cases in a long-running group are resolved; some are on their way.
_STATES = [
    (CaseState.RESOLVED, 70),
    (CaseState.RECEIVED, 4),
    (CaseState.ACKNOWLEDGED, 4),
    (CaseState.SHEPHERDED, 5),
    (CaseState.DISCUSSED, 5),
    (CaseState.ESCALATED, 2),
    (CaseState.DECIDED, 4),
    (CaseState.ACTIONS_ONGOING, 4),
    (CaseState.RECONSIDERATION, 2),
]
_OUTCOMES = [
    (Outcome.NOT_A_VIOLATION, 20),
    (Outcome.OUT_OF_SCOPE, 8),
    (Outcome.WARNING, 30),
    (Outcome.SUSPENSION_SHORT, 8),
    (Outcome.SUSPENSION_EXTENDED, 4),
    (Outcome.PERMANENT_BAN, 2),
    (Outcome.NO_ACTION, 12),
    (Outcome.FACILITATED_COMMUNICATION, 8),
    (Outcome.REFERRAL, 5),
    (Outcome.OTHER, 3),
]
_DECIDED_STATES = {
    CaseState.DECIDED,
    CaseState.ACTIONS_ONGOING,
    CaseState.RESOLVED,
    CaseState.RECONSIDERATION,
}


@dataclass(frozen=True)
class SeedResult:
    cases: int
    first_number: int
    last_number: int


def seed_cases(
    ctx: ServiceContext, team_id: str, count: int, *, seed: int | None = None
) -> SeedResult:
    if count < 1:
        raise ValueError("count must be at least 1")
    rng = random.Random(seed)
    now = ctx.clock.now()
    with ctx.transaction() as session:
        ensure_workspace(session, team_id, ctx)
        member_id = _synthetic_member(session, team_id, now)
        first = (
            session.scalar(select(func.max(Case.number)).where(Case.team_id == team_id)) or 0
        ) + 1
        people = _people(session, team_id, max(10, count // 3), rng, now)
        done = 0
        while done < count:
            size = min(_BATCH, count - done)
            _insert_batch(session, team_id, first + done, size, people, member_id, rng, now)
            done += size
        if session.get_bind().dialect.name == "postgresql":
            # Fresh bulk data has no planner statistics until autovacuum gets to it; without
            # them PostgreSQL picks nested loops for the report queries.
            for table in ("case", "party", "person", "proposal", "proposed_outcome"):
                session.execute(text(f'ANALYZE "{table}"'))
    return SeedResult(count, first, first + count - 1)


def _synthetic_member(session: Session, team_id: str, now: datetime) -> int:
    """Proposals need a proposer: an inactive roster entry that never sees anything."""
    existing = session.scalar(
        select(Member.id).where(Member.team_id == team_id, Member.user_id == SYNTHETIC_MEMBER)
    )
    if existing is not None:
        return existing
    member = Member(
        team_id=team_id,
        user_id=SYNTHETIC_MEMBER,
        display_name="synthetic data",
        is_chair=False,
        active=False,
        added_at=now,
        conflicts_declared_at=now,
    )
    session.add(member)
    session.flush()
    return member.id


def _people(
    session: Session, team_id: str, count: int, rng: random.Random, now: datetime
) -> list[int]:
    start = (session.scalar(select(func.max(Person.id))) or 0) + 1
    rows = [
        {
            "team_id": team_id,
            "code_name": f"{rng.choice(_COLOURS)} {rng.choice(_BIRDS)} s{start + i}",
            "created_at": now,
        }
        for i in range(count)
    ]
    return _insert_with_ids(session, Person, rows)


def _insert_with_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert with ids chosen here: RETURNING in parameter order makes SQLite insert
    row by row. PostgreSQL's id sequence is moved past them afterwards."""
    start = (session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(start, start + len(rows)))
    table = model.__table__
    keys = {key for row in rows for key in row}
    for row, row_id in zip(rows, ids, strict=True):
        row["id"] = row_id
        for key in keys - row.keys():
            row[key] = None  # same keys in every row: one executemany, not one per shape
    session.connection().execute(table.insert(), rows)
    if session.get_bind().dialect.name == "postgresql" and ids:
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
            {"t": f'"{table.name}"', "v": ids[-1]},
        )
    return ids


def _weighted(rng: random.Random, table: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in table], weights=[w for _v, w in table])[0]


def _insert_batch(
    session: Session,
    team_id: str,
    first_number: int,
    size: int,
    people: list[int],
    member_id: int,
    rng: random.Random,
    now: datetime,
) -> None:
    cases: list[dict[str, Any]] = []
    span = 730 * 24 * 3600  # two years back from now
    for i in range(size):
        number = first_number + i
        state = _weighted(rng, _STATES)
        received = now - timedelta(seconds=rng.randrange(span))
        ack = received + timedelta(hours=rng.uniform(0.5, 72))
        decided = ack + timedelta(days=rng.uniform(1, 20))
        resolved = decided + timedelta(days=rng.uniform(0, 10))
        local = state is CaseState.RESOLVED and rng.random() < 0.1
        is_decided = state in _DECIDED_STATES and not local
        cases.append(
            {
                "team_id": team_id,
                "number": number,
                "code_name": f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} s{number}",
                "state": state.value,
                "source": rng.choice([s.value for s in CaseSource]),
                "safety_risk": rng.random() < 0.08,
                "ongoing": rng.choice(["No", "No", "No", "Yes", "Maybe"]),
                "handled_locally": local,
                "severe": rng.random() < 0.03,
                "synthetic": True,
                "received_at": received,
                "acknowledged_at": None if state is CaseState.RECEIVED else min(ack, now),
                "decided_at": min(decided, now) if is_decided else None,
                "resolved_at": min(resolved, now) if state is CaseState.RESOLVED else None,
                "resolution_source": (
                    ResolutionSource.LOCAL.value
                    if local
                    else ResolutionSource.WG.value
                    if state is CaseState.RESOLVED
                    else None
                ),
                "details": {"account": "Synthetic case (no real report)."},
                "updated_at": now,
                "version": 1,
            }
        )
    case_ids = _insert_with_ids(session, Case, cases)
    parties: list[dict[str, Any]] = []
    reported: list[tuple[int, int]] = []  # (case index, party row index)
    for index, case_id in enumerate(case_ids):
        parties.append({"team_id": team_id, "case_id": case_id, "role": PartyRole.REPORTER.value})
        for person in rng.sample(people, rng.choice([1, 1, 1, 2])):
            reported.append((index, len(parties)))
            parties.append(
                {
                    "team_id": team_id,
                    "case_id": case_id,
                    "role": PartyRole.REPORTED.value,
                    "person_id": person,
                }
            )
    party_ids = _insert_with_ids(session, Party, parties)
    decided_cases = [i for i, c in enumerate(cases) if c["decided_at"] is not None]
    proposals = [
        {
            "team_id": team_id,
            "case_id": case_ids[i],
            "proposer_id": member_id,
            "rule": "two_members",
            "rationale": "synthetic",
            "status": ProposalStatus.ADOPTED,
            "created_at": cases[i]["decided_at"],
            "closed_at": cases[i]["decided_at"],
        }
        for i in decided_cases
    ]
    if not proposals:
        return
    proposal_ids = _insert_with_ids(session, Proposal, proposals)
    proposal_of = dict(zip(decided_cases, proposal_ids, strict=True))
    outcomes = []
    for case_index, party_index in reported:
        if case_index not in proposal_of:
            continue
        outcome = _weighted(rng, _OUTCOMES)
        decided_on: date = cases[case_index]["decided_at"].date()
        ends_on = None
        if outcome is Outcome.SUSPENSION_SHORT:
            ends_on = decided_on + timedelta(days=rng.randint(30, 90))
        elif outcome is Outcome.SUSPENSION_EXTENDED:
            ends_on = decided_on + timedelta(days=rng.randint(91, 400))
        outcomes.append(
            {
                "proposal_id": proposal_of[case_index],
                "party_id": party_ids[party_index],
                "outcome": outcome.value,
                "ends_on": ends_on,
            }
        )
    _insert_with_ids(session, ProposedOutcome, outcomes)
