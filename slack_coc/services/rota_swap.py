"""Swapping duty weeks (docs/process.md "Roles": a member who cannot serve swaps weeks with
another).

A member on duty in week A asks a member on duty in week B; on "Accept" each takes the
other's slot (a conditional update: an answer counts once, and a rota changed meanwhile
voids the request), both are told, and the rota, App Home, paging and the handover reminder
read the new pair. "Decline" tells the requester.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Member
from slack_coc.domain.rota_models import OncallWeek, SwapRequest
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import find_member, require_member
from slack_coc.services.rota import WEEK
from slack_coc.services.rota_cover import _week_for as duty_week
from slack_coc.services.timeline import refresh_homes

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


@dataclass(frozen=True)
class SwapView:
    request_id: int
    requester_user_id: str
    requester_week: datetime
    requester_slot: str
    other_user_id: str
    other_week: datetime
    other_slot: str
    status: str


def _slot(week: OncallWeek, member: Member) -> str:
    return "primary" if week.primary_id == member.id else "secondary"


def _holder(week: OncallWeek, slot: str) -> int:
    return week.primary_id if slot == "primary" else week.secondary_id


def _other_slot_holder(week: OncallWeek, slot: str) -> int:
    return week.secondary_id if slot == "primary" else week.primary_id


def _view(session: Session, request: SwapRequest) -> SwapView:
    requester = session.get(Member, request.requester_id)
    other = session.get(Member, request.other_id)
    mine, theirs = (
        session.get(OncallWeek, request.requester_week_id),
        session.get(OncallWeek, request.other_week_id),
    )
    assert requester and other and mine and theirs
    return SwapView(
        request.id,
        requester.user_id,
        mine.starts_at,
        request.requester_slot,
        other.user_id,
        theirs.starts_at,
        request.other_slot,
        request.status,
    )


def _payload(template: str, view: SwapView) -> dict[str, object]:
    return {
        "template": template,
        "request_id": view.request_id,
        "requester": view.requester_user_id,
        "requester_week": view.requester_week.isoformat(),
        "requester_slot": view.requester_slot,
        "other": view.other_user_id,
        "other_week": view.other_week.isoformat(),
        "other_slot": view.other_slot,
    }


def request_swap(
    ctx: ServiceContext,
    actor: Actor,
    other_user_id: str,
    my_day: date | None = None,
    their_day: date | None = None,
) -> SwapView:
    """Ask `other_user_id` to swap: the requester's duty week (the next one, or the one
    starting `my_day`) for theirs (their next one after it, or the one starting `their_day`)."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member = require_member(session, actor)
        other = find_member(session, member.team_id, other_user_id)
        if other is None:
            raise InvalidInput(f"<@{other_user_id}> is not an active member.", field="member")
        if other.id == member.id:
            raise InvalidInput("Swap with another member, not yourself.", field="member")
        mine = duty_week(session, ctx, member, my_day)
        try:
            theirs = duty_week(session, ctx, other, their_day)
        except NotFound:
            raise NotFound(f"<@{other_user_id}> is not on call in that week.") from None
        if mine.id == theirs.id:
            raise InvalidInput("You are both on call that week: nothing to swap.", "date")
        my_slot, their_slot = _slot(mine, member), _slot(theirs, other)
        if _other_slot_holder(mine, my_slot) == other.id:
            raise Conflict(f"<@{other_user_id}> already holds the other slot of your week.")
        if _other_slot_holder(theirs, their_slot) == member.id:
            raise Conflict("You already hold the other slot of their week.")
        request = SwapRequest(
            team_id=member.team_id,
            requester_id=member.id,
            requester_week_id=mine.id,
            requester_slot=my_slot,
            other_id=other.id,
            other_week_id=theirs.id,
            other_slot=their_slot,
            status=PENDING,
            created_at=now,
        )
        session.add(request)
        session.flush()
        view = _view(session, request)
        enqueue_once(
            session,
            team_id=member.team_id,
            kind=Intent.DM,
            now=now,
            recipient=other.user_id,
            payload=_payload("swap_request", view),
            dedupe_key=f"swap:{request.id}:ask",
        )
        return view


def answer_swap(ctx: ServiceContext, actor: Actor, request_id: int, *, accept: bool) -> SwapView:
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member = require_member(session, actor)
        request = session.get(SwapRequest, request_id)
        if request is None or request.team_id != member.team_id:
            raise NotFound("That swap request does not exist.")
        if request.other_id != member.id:
            raise NotPermitted("Only the member asked can answer this swap.")
        answered = session.execute(
            update(SwapRequest)
            .where(SwapRequest.id == request_id, SwapRequest.status == PENDING)
            .values(status=ACCEPTED if accept else DECLINED, answered_at=now)
        )
        if getattr(answered, "rowcount", 0) != 1:
            raise Conflict("This swap request was already answered.")
        session.refresh(request)
        if accept:
            _swap(session, request, now)
        view = _view(session, request)
        for user_id in (view.requester_user_id, view.other_user_id):
            enqueue_once(
                session,
                team_id=member.team_id,
                kind=Intent.DM,
                now=now,
                recipient=user_id,
                payload=_payload("swap_done" if accept else "swap_declined", view),
                dedupe_key=f"swap:{request.id}:{view.status}:{user_id}",
            )
        if accept:
            refresh_homes(session, member.team_id, now)
        return view


def _swap(session: Session, request: SwapRequest, now: datetime) -> None:
    mine = session.get(OncallWeek, request.requester_week_id, with_for_update=True)
    theirs = session.get(OncallWeek, request.other_week_id, with_for_update=True)
    if mine is None or theirs is None:
        raise Conflict("One of those duty weeks no longer exists; the swap is void.")
    if min(mine.starts_at, theirs.starts_at) + WEEK <= now:
        raise Conflict("One of those weeks is over; the swap is void.")
    if (
        _holder(mine, request.requester_slot) != request.requester_id
        or _holder(theirs, request.other_slot) != request.other_id
    ):
        raise Conflict("The rota for those weeks changed meanwhile; this swap is void.")
    for week, slot, member_id in (
        (mine, request.requester_slot, request.other_id),
        (theirs, request.other_slot, request.requester_id),
    ):
        if slot == "primary":
            week.primary_id = member_id
        else:
            week.secondary_id = member_id
