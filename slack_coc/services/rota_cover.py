"""Cover requests: a member asks the others to take their slot for one duty week.

The request is DMed to every other rota member who is not away that week and does not
already hold the other slot; the first to accept takes the slot (a conditional update, so
two members accepting at once cannot both win), both are told, and the rota changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Member
from slack_coc.domain.rota_models import Absence, CoverRequest, OncallWeek
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import require_member
from slack_coc.services.rota import WEEK, handover_instant, is_away, rota_members, week_start
from slack_coc.services.timeline import refresh_homes


@dataclass(frozen=True)
class CoverView:
    request_id: int
    week_starts_at: datetime
    slot: str
    requester_user_id: str
    asked_user_ids: tuple[str, ...]


@dataclass(frozen=True)
class CoverTaken:
    request_id: int
    week_starts_at: datetime
    slot: str
    requester_user_id: str
    taker_user_id: str


def _week_for(
    session: Session, ctx: ServiceContext, member: Member, day: date | None
) -> OncallWeek:
    """The week the member asks about: the one starting on `day`, else the first current or
    future week where they are on duty."""
    query = select(OncallWeek).where(OncallWeek.team_id == member.team_id)
    if day is not None:
        query = query.where(OncallWeek.starts_at == handover_instant(day, ctx.policy))
    else:
        query = query.where(
            OncallWeek.starts_at >= week_start(ctx.clock.now(), ctx.policy),
            (OncallWeek.primary_id == member.id) | (OncallWeek.secondary_id == member.id),
        )
    week = session.scalar(query.order_by(OncallWeek.starts_at).limit(1))
    if week is None or member.id not in (week.primary_id, week.secondary_id):
        raise NotFound("You are not on call in that week: nothing to cover.")
    if week.starts_at + WEEK <= ctx.clock.now():
        raise InvalidInput("That week is over.", field="date")
    return week


def request_cover(ctx: ServiceContext, actor: Actor, day: date | None = None) -> CoverView:
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member = require_member(session, actor)
        week = _week_for(session, ctx, member, day)
        slot = "primary" if week.primary_id == member.id else "secondary"
        other = week.secondary_id if slot == "primary" else week.primary_id
        absences = list(session.scalars(select(Absence).where(Absence.team_id == member.team_id)))
        first, last = week.starts_at.date(), (week.starts_at + WEEK).date()
        asked = [
            m
            for m in rota_members(session, member.team_id)
            if m.id not in (member.id, other) and not is_away(absences, m.id, first, last)
        ]
        if not asked:
            raise Conflict("Nobody else is available that week; ask a chair to rearrange it.")
        request = CoverRequest(
            team_id=member.team_id,
            week_id=week.id,
            requester_id=member.id,
            slot=slot,
            created_at=now,
        )
        session.add(request)
        session.flush()
        for m in asked:
            enqueue_once(
                session,
                team_id=member.team_id,
                kind=Intent.DM,
                now=now,
                recipient=m.user_id,
                payload={
                    "template": "cover_request",
                    "request_id": request.id,
                    "slot": slot,
                    "requester": member.user_id,
                    "week_starts_at": week.starts_at.isoformat(),
                },
                dedupe_key=f"cover:{request.id}:ask:{m.user_id}",
            )
        return CoverView(
            request.id, week.starts_at, slot, member.user_id, tuple(m.user_id for m in asked)
        )


def accept_cover(ctx: ServiceContext, actor: Actor, request_id: int) -> CoverTaken:
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member = require_member(session, actor)
        request = session.get(CoverRequest, request_id)
        if request is None or request.team_id != member.team_id:
            raise NotFound("That cover request does not exist.")
        if request.requester_id == member.id:
            raise NotPermitted("You asked for this cover; someone else has to take it.")
        week = session.get(OncallWeek, request.week_id)
        if week is None:
            raise NotFound("That duty week no longer exists.")
        if week.starts_at + WEEK <= now:
            raise Conflict("That week is over.")
        other = week.secondary_id if request.slot == "primary" else week.primary_id
        if member.id == other:
            raise Conflict("You already hold the other slot that week.")
        taken = session.execute(
            update(CoverRequest)
            .where(CoverRequest.id == request_id, CoverRequest.taken_by_id.is_(None))
            .values(taken_by_id=member.id, taken_at=now)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise Conflict("Someone else has already taken this cover. Thank you anyway!")
        current = week.primary_id if request.slot == "primary" else week.secondary_id
        if current != request.requester_id:
            raise Conflict("The rota for that week changed meanwhile; this request is void.")
        if request.slot == "primary":
            week.primary_id = member.id
        else:
            week.secondary_id = member.id
        requester = session.get(Member, request.requester_id)
        assert requester is not None
        payload = {
            "template": "cover_taken",
            "request_id": request.id,
            "slot": request.slot,
            "requester": requester.user_id,
            "taker": member.user_id,
            "week_starts_at": week.starts_at.isoformat(),
        }
        for user_id in (requester.user_id, member.user_id):
            enqueue_once(
                session,
                team_id=member.team_id,
                kind=Intent.DM,
                now=now,
                recipient=user_id,
                payload=payload,
                dedupe_key=f"cover:{request.id}:taken:{user_id}",
            )
        refresh_homes(session, member.team_id, now)
        return CoverTaken(
            request.id, week.starts_at, request.slot, requester.user_id, member.user_id
        )
