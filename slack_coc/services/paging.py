"""Who is paged about a new case, skipping anyone who must not hear of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.domain.models import Case, Member
from slack_coc.services.outbox import Intent, enqueue
from slack_coc.services.rota import week_at


def eligible_members(session: Session, team_id: str, excluded: set[int]) -> list[Member]:
    members = session.scalars(
        select(Member).where(Member.team_id == team_id, Member.active.is_(True)).order_by(Member.id)
    )
    return [m for m in members if m.id not in excluded and m.conflicts_declared_at is not None]


def on_call_pair(
    session: Session, team_id: str, at: datetime, policy: Policy, excluded: set[int]
) -> list[Member]:
    """This week's primary and secondary; a recused one is replaced by the next available
    member in roster order (the replacement is never explained by naming who was skipped)."""
    week = week_at(session, team_id, at, policy)
    wanted = [week.primary, week.secondary] if week else []
    pair = [m for m in wanted if m.active and m.id not in excluded]
    for candidate in eligible_members(session, team_id, excluded):
        if len(pair) >= 2:
            break
        if candidate not in pair:
            pair.append(candidate)
    return pair[:2]


def page_new_case(
    session: Session, case: Case, now: datetime, policy: Policy, excluded: set[int]
) -> list[str]:
    """DM the on-call pair about a new case; returns the paged user ids."""
    paged = []
    for level, member in zip(
        ("primary", "secondary"),
        on_call_pair(session, case.team_id, now, policy, excluded),
        strict=False,
    ):
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=member.user_id,
            case_id=case.id,
            payload={"template": "page_new_case", "level": level},
            dedupe_key=f"page:{case.id}:new:{level}",
        )
        paged.append(member.user_id)
    return paged
