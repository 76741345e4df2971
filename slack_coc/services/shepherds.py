"""What a stale shepherd step is told: who has the case now, and since when.

A "Take as shepherd" button on a card that someone else has taken since, or a "Change
shepherd" form opened before another change, must not displace the shepherd: the member is
told what changed ("<@U…> took this case 2 minutes ago") and nothing is written. Only members
are named, and never one who is now recused from the case (the member a report concerns is
recused): such a member is "another member"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import Trigger
from slack_coc.domain.errors import Conflict
from slack_coc.domain.models import Case, CaseEvent, Member
from slack_coc.services.access import active_recusal

SHEPHERD_STEPS = (Trigger.ASSIGN_SHEPHERD.value, Trigger.CHANGE_SHEPHERD.value)


def refuse_if_shepherd_changed(
    session: Session, ctx: ServiceContext, case: Case, seen_user_id: str | None
) -> None:
    """Raise `Conflict` saying what changed if the case's shepherd is not `seen_user_id`
    (None: the member saw no shepherd). Called with the case row locked."""
    current = session.get(Member, case.shepherd_id) if case.shepherd_id else None
    current_user = current.user_id if current else None
    if current_user == seen_user_id:
        return
    if current is None:  # the shepherd the member saw is gone (not a state the UI offers)
        raise Conflict(
            f"Case #{case.number} ({case.code_name}) has no shepherd any more; nothing was "
            "changed. Look at the card again."
        )
    event = session.scalar(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(SHEPHERD_STEPS))
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    shepherd = _name(session, case, current)
    when = f" {ago(event.at, ctx.clock.now())}" if event is not None else ""
    actor = event.actor_user_id if event is not None else None
    if actor is None or actor == current_user:
        what = f"{shepherd} took this case{when}"
    else:
        by = _name(session, case, _member(session, case.team_id, actor))
        what = f"{by} made {shepherd} its shepherd{when}"
    raise Conflict(
        f"Case #{case.number} ({case.code_name}): {what}. Nothing was changed. To change "
        "its shepherd, use *Change shepherd* on the card (it asks for a reason)."
    )


def _member(session: Session, team_id: str, user_id: str) -> Member | None:
    return session.scalar(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    )


def _name(session: Session, case: Case, member: Member | None) -> str:
    if member is None or active_recusal(session, case.id, member.id) is not None:
        return "another member"
    return f"<@{member.user_id}>"


def ago(then: datetime, now: datetime) -> str:
    """How long ago `then` was: "2 minutes ago", "3 hours ago" (whole units, rounded down)."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "a moment ago"
