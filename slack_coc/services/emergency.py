"""Unilateral emergency action (docs/process.md "Decisions"): for ongoing incidents or threats
to safety any member may act before consensus; the group is alerted at once and reviews the
action within the policy time (24 h)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import EmergencyAction
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import require_case_access
from slack_coc.services.timeline import case_changed, meet_deadlines, record_event, set_deadline


def record_emergency_action(ctx: ServiceContext, actor: Actor, ref: str | int, action: str) -> int:
    """Any member may act at once on an ongoing incident or a threat to safety; the group
    is alerted now and reviews the action within the policy time (24 h)."""
    if not action.strip():
        raise InvalidInput("Describe the action you took.", field="action")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        due = now + timedelta(hours=ctx.policy_for(session, case.team_id).emergency_review_hours)
        emergency = EmergencyAction(
            team_id=case.team_id,
            case_id=case.id,
            member_id=member.id,
            action=action.strip(),
            taken_at=now,
            review_due_at=due,
        )
        session.add(emergency)
        session.flush()
        set_deadline(session, case, "emergency_review", due, now)
        record_event(
            session,
            case,
            "emergency_action",
            now,
            actor_user_id=actor.user_id,
            note=action.strip(),
            data={"emergency_action_id": emergency.id},
        )
        enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.CHANNEL,
            now=now,
            case_id=case.id,
            payload={
                "template": "emergency_action",
                "actor": actor.user_id,
                "review_due": due.isoformat(),
            },
            dedupe_key=f"emergency:{emergency.id}",
        )
        case_changed(session, case, now)
        return emergency.id


def review_emergency_action(
    ctx: ServiceContext, actor: Actor, ref: str | int, action_id: int, outcome: str, note: str = ""
) -> None:
    if outcome not in ("upheld", "changed", "reversed"):
        raise InvalidInput("The review is upheld, changed or reversed.", field="review_outcome")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        _member, case = require_case_access(session, actor, ref, for_update=True)
        emergency = session.get(EmergencyAction, action_id)
        if emergency is None or emergency.case_id != case.id:
            raise NotFound("No such emergency action on this case.")
        if emergency.reviewed_at is not None:
            raise NotPermitted("That action has been reviewed already.")
        emergency.review_outcome, emergency.reviewed_at = outcome, now
        if not session.scalar(
            select(EmergencyAction.id).where(
                EmergencyAction.case_id == case.id, EmergencyAction.reviewed_at.is_(None)
            )
        ):
            meet_deadlines(session, case, ("emergency_review",), now)
        record_event(
            session,
            case,
            "emergency_reviewed",
            now,
            actor_user_id=actor.user_id,
            note=note.strip() or None,
            data={"result": outcome},
        )
        case_changed(session, case, now)
