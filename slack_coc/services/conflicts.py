"""Conflicts of interest: declaring, recusing, lifting, and a new member's onboarding."""

from __future__ import annotations

from dataclasses import dataclass

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import RecusalReason
from slack_coc.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, Member, Recusal
from slack_coc.services.access import (
    active_recusal,
    find_member,
    load_case,
    require_case_access,
    require_chair,
    require_member,
    visible_cases_query,
    visible_to,
)
from slack_coc.services.concerned import names_member
from slack_coc.services.timeline import case_changed, record_event, refresh_homes


def recuse(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    reason: str,
    note: str = "",
    member_user_id: str | None = None,
) -> int:
    """A member declares a conflict and is recused at once, everywhere. A chair may record
    the recusal of another member. The thread says a member recused, never who or why."""
    try:
        reason_value = RecusalReason(reason)
    except ValueError:
        raise InvalidInput(
            "Reason must be one of: " + ", ".join(r.value for r in RecusalReason), field="reason"
        ) from None
    now = ctx.clock.now()
    with ctx.transaction() as session:
        acting, case = require_case_access(session, actor, ref, for_update=True)
        target = acting
        if member_user_id and member_user_id != actor.user_id:
            require_chair(session, actor)
            found = find_member(session, actor.team_id, member_user_id)
            if found is None:
                raise InvalidInput(f"<@{member_user_id}> is not a member.", field="member")
            target = found
        if active_recusal(session, case.id, target.id) is not None:
            raise Conflict("Already recused from this case.")
        recusal = Recusal(
            team_id=case.team_id,
            case_id=case.id,
            member_id=target.id,
            reason=reason_value.value,
            note=note.strip() or None,
            declared_at=now,
        )
        session.add(recusal)
        if case.shepherd_id == target.id:
            case.shepherd_id = None
        session.flush()
        record_event(
            session,
            case,
            "recused",
            now,
            actor_user_id=None,
            note=f"{target.display_name}: {reason_value.value} {note}".strip(),
            data={},
        )
        case_changed(session, case, now)
        return recusal.id


def lift_recusal(
    ctx: ServiceContext, actor: Actor, ref: str | int, member_user_id: str, why: str
) -> None:
    """Only a chair lifts a recusal, with a reason; it is a timeline event, never silent.
    A recusal because the report concerns the member can't be lifted."""
    if not why.strip():
        raise InvalidInput("Say why the recusal is lifted.", field="why")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        chair = require_chair(session, actor)
        case = load_case(session, actor.team_id, ref, for_update=True)
        if active_recusal(session, case.id, chair.id) is not None:
            raise NotFound("You can't open that case: it doesn't exist or you are recused from it.")
        target = find_member(session, actor.team_id, member_user_id)
        recusal = active_recusal(session, case.id, target.id) if target else None
        if target is None or recusal is None:
            raise NotFound("That member is not recused from this case.")
        if recusal.reason == RecusalReason.CONCERNED.value and names_member(session, case, target):
            raise NotPermitted(
                "A member the report concerns stays excluded from the case (correct the "
                "case's people first if they were identified by mistake)."
            )
        recusal.lifted_at, recusal.lifted_by_member_id = now, chair.id
        record_event(
            session,
            case,
            "recusal_lifted",
            now,
            actor_user_id=actor.user_id,
            note=f"{target.display_name}: {why.strip()}",
        )
        case_changed(session, case, now)


@dataclass(frozen=True)
class OnboardingCase:
    number: int
    code_name: str


def cases_to_declare(ctx: ServiceContext, actor: Actor) -> list[OnboardingCase]:
    """Code names of open cases that a new member must declare conflicts on (never one
    they are recused from already: a case that names them is not even listed)."""
    with ctx.read() as session:
        member = require_member(session, actor)
        rows = session.execute(
            visible_cases_query(chair=member.is_chair)
            .with_only_columns(Case.number, Case.code_name)
            .order_by(Case.number),
            visible_to(member),
        )
        return [OnboardingCase(n, c) for n, c in rows]


def declare_conflicts(ctx: ServiceContext, actor: Actor, conflicted_refs: list[str]) -> int:
    """A new member declares conflicts (possibly none); only then do cases become visible.
    Returns how many recusals were recorded."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member: Member = require_member(session, actor)
        if member.conflicts_declared_at is not None:
            raise Conflict("You have declared your conflicts already; recuse per case instead.")
        count = 0
        for ref in conflicted_refs:
            case = load_case(session, actor.team_id, ref)
            if active_recusal(session, case.id, member.id) is None:
                session.add(
                    Recusal(
                        team_id=case.team_id,
                        case_id=case.id,
                        member_id=member.id,
                        reason=RecusalReason.OTHER.value,
                        declared_at=now,
                        note="declared on joining",
                    )
                )
                count += 1
        member.conflicts_declared_at = now
        refresh_homes(session, actor.team_id, now)
        return count
