"""Reports for the chairs only (docs/process.md "Conflicts of interest": a report that
concerns a member is left out of that member's sight; the reporter may not know which).

A reporter who ticks "only the chairs should see this" gets a case that every member who is
not a chair is recused from (reason `chairs_only`), so every existing check hides it: lists,
App Home, details, pages and reminders (which go to the chairs, the only members left). It
has no card in the channel; channel notices about it go to the chairs by DM
(slack/outbound.py). `access.may_see` also refuses it to any non-chair, so a member added
later never sees it. A chair opens it to the group: the chairs-only recusals are lifted,
except for the members it concerns, who are recused as concerned; the card is posted then.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import RecusalReason
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case, Member, Recusal
from slack_coc.services.access import find_member, require_case_access
from slack_coc.services.timeline import case_changed, record_event


def restrict_to_chairs(session: Session, case: Case, now: datetime) -> set[int]:
    """Inside the intake transaction: recuse every active member who is not a chair.
    Returns their ids (they are not paged)."""
    case.chairs_only = True
    already = set(
        session.scalars(
            select(Recusal.member_id).where(Recusal.case_id == case.id, Recusal.lifted_at.is_(None))
        )
    )
    hidden: set[int] = set()
    for member in session.scalars(
        select(Member).where(
            Member.team_id == case.team_id, Member.active.is_(True), Member.is_chair.is_(False)
        )
    ):
        hidden.add(member.id)
        if member.id not in already:
            session.add(
                Recusal(
                    team_id=case.team_id,
                    case_id=case.id,
                    member_id=member.id,
                    reason=RecusalReason.CHAIRS_ONLY.value,
                    declared_at=now,
                )
            )
    session.flush()
    return hidden


def chairs_of(session: Session, team_id: str, case_id: int) -> list[str]:
    """The active chairs not recused from the case: who hears of a chairs-only case."""
    recused = select(Recusal.member_id).where(
        Recusal.case_id == case_id, Recusal.lifted_at.is_(None)
    )
    return list(
        session.scalars(
            select(Member.user_id)
            .where(
                Member.team_id == team_id,
                Member.active.is_(True),
                Member.is_chair.is_(True),
                Member.id.not_in(recused),
            )
            .order_by(Member.id)
        )
    )


def open_to_group(
    ctx: ServiceContext, actor: Actor, ref: str | int, concerned_user_ids: list[str]
) -> int:
    """A chair opens a chairs-only case to the group, with the members it concerns recused.
    Returns how many members can now see it."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        chair, case = require_case_access(session, actor, ref, for_update=True)
        if not chair.is_chair:
            raise NotPermitted("Only a chair can open a chairs-only report to the group.")
        if not case.chairs_only:
            raise NotPermitted(f"Case #{case.number} is already open to the group.")
        concerned: set[int] = set()
        for user_id in dict.fromkeys(concerned_user_ids):
            member = find_member(session, case.team_id, user_id)
            if member is None:
                raise InvalidInput(
                    f"<@{user_id}> is not an active member of the working group.", "concerned"
                )
            if member.id == chair.id:
                raise InvalidInput(
                    "A report that concerns you is for the other chairs (or the board) to open.",
                    "concerned",
                )
            concerned.add(member.id)
        opened = 0
        for recusal in session.scalars(
            select(Recusal).where(
                Recusal.case_id == case.id,
                Recusal.reason == RecusalReason.CHAIRS_ONLY.value,
                Recusal.lifted_at.is_(None),
            )
        ):
            if recusal.member_id in concerned:
                recusal.reason = RecusalReason.CONCERNED.value
                concerned.discard(recusal.member_id)
            else:
                recusal.lifted_at, recusal.lifted_by_member_id = now, chair.id
                opened += 1
        for member_id in concerned:  # a chair it concerns (not recused until now)
            session.add(
                Recusal(
                    team_id=case.team_id,
                    case_id=case.id,
                    member_id=member_id,
                    reason=RecusalReason.CONCERNED.value,
                    declared_at=now,
                )
            )
        case.chairs_only = False
        record_event(
            session,
            case,
            "opened_to_group",
            now,
            actor_user_id=actor.user_id,
            data={"recused": len(concerned_user_ids)},
        )
        case_changed(session, case, now)
        return opened
