"""Who is paged about a case, skipping anyone who must not hear of it.

The escalation chain (docs/process.md "Deadlines"): a new case pages the on-call primary and
secondary at once; no acknowledgement within `initial_response_hours` pages the primary
again and the secondary as acting primary; within `any_member_after_hours` still none, the
channel is asked for any member to step in. Safety-risk and ongoing cases have those
deadlines due at receipt (intake), and every level is written with the report itself.

A recused member, a member the report concerns, or a member away is skipped and the next
available member is paged instead; the replacement is never explained by naming anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.domain.models import Case, Member
from slack_coc.domain.rota_models import OncallWeek
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.rota import away_member_ids, week_at


def eligible_members(session: Session, team_id: str, excluded: set[int]) -> list[Member]:
    members = session.scalars(
        select(Member).where(Member.team_id == team_id, Member.active.is_(True)).order_by(Member.id)
    )
    return [m for m in members if m.id not in excluded and m.conflicts_declared_at is not None]


def choose_pair(
    week: OncallWeek | None, roster: Sequence[Member], skipped: set[int]
) -> list[Member]:
    """The week's primary and secondary, each replaced (in order) by the next available
    roster member when skipped (recused, concerned, away) or inactive. Pure: no queries."""
    wanted = [week.primary, week.secondary] if week else []
    pair = [
        m
        for m in wanted
        if m.active and m.conflicts_declared_at is not None and m.id not in skipped
    ]
    for candidate in roster:
        if len(pair) >= 2:
            break
        if (
            candidate.active
            and candidate.conflicts_declared_at is not None
            and candidate.id not in skipped
            and candidate not in pair
        ):
            pair.append(candidate)
    return pair[:2]


def on_call_pair(
    session: Session, team_id: str, at: datetime, policy: Policy, excluded: set[int]
) -> list[Member]:
    """This week's primary and secondary; a recused or away one is replaced by the next
    available member in roster order."""
    week = week_at(session, team_id, at, policy)
    skipped = set(excluded) | away_member_ids(session, team_id, at.date())
    pair = choose_pair(week, eligible_members(session, team_id, set()), skipped)
    if len(pair) < 2:  # everyone left is away: better to page someone away than no one
        pair = choose_pair(week, eligible_members(session, team_id, set()), set(excluded))
    return pair


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
        enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=member.user_id,
            case_id=case.id,
            payload={"template": "page_new_case", "level": level, **page_facts(case)},
            dedupe_key=f"page:{case.id}:new:{level}",
        )
        paged.append(member.user_id)
    return paged


def page_facts(case: Case) -> dict[str, object]:
    """What a page or reminder may say about a case: number, code name, state, flags."""
    flags = ["DRILL"] if case.drill else []
    if case.safety_risk:
        flags.append("safety risk")
    if case.ongoing in ("Yes", "Maybe"):
        flags.append(f"ongoing: {case.ongoing.lower()}")
    facts: dict[str, object] = {
        "case_number": case.number,
        "code_name": case.code_name,
        "state": case.state,
        "flags": flags,
    }
    if case.drill:
        facts["drill"] = True
    return facts


def escalation_pages(
    case: Case, pair: Iterable[Member], stage_key: str
) -> list[tuple[str, dict[str, object], str]]:
    """No acknowledgement in time: page the primary again and the secondary as acting
    primary. Returns (recipient, payload, dedupe key) triples."""
    pages = []
    for level, member in zip(("primary", "acting_primary"), pair, strict=False):
        template = "page_reminder" if level == "primary" else "page_acting_primary"
        pages.append(
            (
                member.user_id,
                {"template": template, "level": level, **page_facts(case)},
                f"{stage_key}:{level}",
            )
        )
    return pages
