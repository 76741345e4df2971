"""Bulk data for benchmarks: a roster and N cases spread over states and three years, written
with multi-row INSERTs (the services would take minutes for 100,000 cases).

The cases are NOT marked synthetic on purpose: the benchmark database is throwaway, and
`/coc list`, App Home and the sweep skip synthetic cases, which would make them look faster
than they are with a real history. Each case gets what the read paths touch: a reporter and a
reported party (encrypted columns), a `logged` event, and deadlines (open ones in the future
for open cases, met ones for resolved cases).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import CaseSource, CaseState, PartyRole
from slack_coc.domain.models import Case, CaseEvent, Deadline, Member, Party
from slack_coc.services import members

ROSTER = [
    ("U0ANA0001", "Ana", True),
    ("U0BEN0002", "Ben", False),
    ("U0CAT0003", "Cat", False),
    ("U0DAN0004", "Dan", False),
    ("U0EVE0005", "Eve", True),
]
# Twenty more members: "many people at once" in the benchmark of what a person sees are
# different people (the worker keeps each person's requests in order, one at a time).
PEOPLE = [(f"U0PPL{i:04d}", f"Person {i}", False) for i in range(1, 21)]
OPEN_STATES = [
    CaseState.RECEIVED,
    CaseState.ACKNOWLEDGED,
    CaseState.SHEPHERDED,
    CaseState.DISCUSSED,
    CaseState.DECIDED,
    CaseState.ACTIONS_ONGOING,
]
BATCH = 2000


def add_roster(ctx: ServiceContext, team_id: str) -> list[str]:
    """The working group, added before any case so nobody has conflicts to declare."""
    for user_id, name, chair in ROSTER:
        members.add_member(ctx, team_id, user_id, name, chair=chair)
    return [u for u, _n, _c in ROSTER]


def add_people(ctx: ServiceContext, team_id: str, now: datetime) -> list[str]:
    """`PEOPLE` join the group (for what a person sees, after the other measures)."""
    for user_id, name, chair in PEOPLE:
        members.add_member(ctx, team_id, user_id, name, chair=chair)
    declare_everyone(ctx, team_id, now)
    return [u for u, _n, _c in PEOPLE]


def seed_cases(
    ctx: ServiceContext, team_id: str, count: int, now: datetime, *, open_share: float = 0.1
) -> None:
    """Add `count` cases after the existing ones: `open_share` of them open."""
    rng = random.Random(count)
    with ctx.transaction() as session:
        member_ids = list(
            session.scalars(select(Member.id).where(Member.team_id == team_id).order_by(Member.id))
        )
        first = (
            session.scalar(select(func.max(Case.number)).where(Case.team_id == team_id)) or 0
        ) + 1
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        numbers = range(first + done, first + done + size)
        rows = [_case_row(rng, team_id, n, now, member_ids, open_share) for n in numbers]
        with ctx.transaction() as session:
            session.execute(insert(Case), rows)
            found = session.execute(
                select(Case.number, Case.id).where(
                    Case.team_id == team_id, Case.number.in_(list(numbers))
                )
            )
            ids = {number: case_id for number, case_id in found}
            _children(session, rng, team_id, rows, ids, now)
        done += size


def _case_row(
    rng: random.Random,
    team_id: str,
    number: int,
    now: datetime,
    member_ids: list[int],
    open_share: float,
) -> dict[str, object]:
    received = now - timedelta(days=rng.uniform(0, 3 * 365))
    is_open = rng.random() < open_share
    state = rng.choice(OPEN_STATES) if is_open else CaseState.RESOLVED
    shepherded = state not in (CaseState.RECEIVED, CaseState.ACKNOWLEDGED)
    acknowledged = state != CaseState.RECEIVED
    return {
        "team_id": team_id,
        "number": number,
        "code_name": f"bench case {number}",
        "state": state.value,
        "source": rng.choice(list(CaseSource)).value,
        "safety_risk": rng.random() < 0.05,
        "ongoing": rng.choice(["No", "No", "No", "Maybe", "Yes"]),
        "handled_locally": rng.random() < 0.1,
        "severe": False,
        "synthetic": False,
        "received_at": received,
        "acknowledged_at": received + timedelta(hours=3) if acknowledged else None,
        "resolved_at": received + timedelta(days=9) if state == CaseState.RESOLVED else None,
        "created_by_user_id": ROSTER[number % len(ROSTER)][0],
        "shepherd_id": rng.choice(member_ids) if shepherded else None,
        "first_responder_id": rng.choice(member_ids) if acknowledged else None,
        "details": {"account": f"benchmark narrative {number}"},
        "updated_at": received,
        "version": 1,
    }


def _children(
    session: object,
    rng: random.Random,
    team_id: str,
    rows: list[dict[str, object]],
    ids: dict[int, int],
    now: datetime,
) -> None:
    parties, events, deadlines = [], [], []
    for row in rows:
        case_id = ids[int(row["number"])]  # type: ignore[call-overload]
        received = row["received_at"]
        assert isinstance(received, datetime)
        parties.append(
            {
                "team_id": team_id,
                "case_id": case_id,
                "role": PartyRole.REPORTER.value,
                "contact": f"reporter{case_id}@example.org",
            }
        )
        parties.append(
            {
                "team_id": team_id,
                "case_id": case_id,
                "role": PartyRole.REPORTED.value,
                "name": f"person {case_id % 5000}",
            }
        )
        events.append(
            {
                "team_id": team_id,
                "case_id": case_id,
                "kind": "logged",
                "to_state": "received",
                "data": {},
                "at": received,
            }
        )
        resolved = row["state"] == CaseState.RESOLVED.value
        due = now + timedelta(days=rng.uniform(2, 30)) if not resolved else received
        deadlines.append(
            {
                "team_id": team_id,
                "case_id": case_id,
                "kind": "resolution",
                "due_at": due,
                "met_at": received + timedelta(days=9) if resolved else None,
                "created_at": received,
            }
        )
    session.execute(insert(Party), parties)  # type: ignore[attr-defined]
    session.execute(insert(CaseEvent), events)  # type: ignore[attr-defined]
    session.execute(insert(Deadline), deadlines)  # type: ignore[attr-defined]


def declare_everyone(ctx: ServiceContext, team_id: str, now: datetime) -> None:
    """Members added after open cases exist must declare conflicts; benchmarks skip that."""
    with ctx.transaction() as session:
        session.execute(
            update(Member).where(Member.team_id == team_id).values(conflicts_declared_at=now)
        )
