"""Reads that come before a step's form opens: may this member take that step on that case
now? A stale button is refused here, before any modal appears."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import EmergencyAction
from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep, NotFound
from slack_coc.domain.lifecycle import CaseFlow
from slack_coc.read_models.case_views import CaseView
from slack_coc.read_models.cases import card_view
from slack_coc.services.access import require_case_access, require_member
from slack_coc.services.actions import action_facts
from slack_coc.services.decisions import standing


def step_prompt(ctx: ServiceContext, actor: Actor, ref: str | int, trigger: Trigger) -> CaseView:
    """The case, if `trigger` is a step from its current state and the member may see it.
    Guards that the form itself satisfies (a shepherd, a resolution) are not checked here;
    the step's service checks them on submission."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        flow = CaseFlow(case)
        possible = flow.steps_from_here()
        if trigger not in possible:
            raise IllegalStep(
                case.number,
                CaseState(case.state).label.lower(),
                trigger.value,
                [t.value for t in possible],
            )
        view = card_view(ctx, session, case)
        if trigger in WAITS_FOR_THE_GROUP and trigger not in view.allowed:
            # Resolve's form would be refused on submission: say why now, before it opens.
            facts = replace(
                standing(session, case, ctx).facts,
                open_actions=action_facts(session, case).open_actions,
            )
            raise GuardFailed(f"Case #{case.number}: {CaseFlow(case, facts).refusal(trigger)}.")
        return view


# Steps whose form opens only when what the group must do first is done: the reporter's
# feedback, every action of the round.
WAITS_FOR_THE_GROUP = (Trigger.RESOLVE,)


def case_for_member(ctx: ServiceContext, actor: Actor, ref: str | int) -> CaseView:
    """The card view of a case the member may see (number, code name, state: no content)."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        return card_view(ctx, session, case)


@dataclass(frozen=True)
class PendingEmergency:
    id: int
    taken_at: datetime
    review_due_at: datetime


def pending_emergency_actions(
    ctx: ServiceContext, actor: Actor, ref: str | int
) -> list[PendingEmergency]:
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        rows = session.scalars(
            select(EmergencyAction)
            .where(EmergencyAction.case_id == case.id, EmergencyAction.reviewed_at.is_(None))
            .order_by(EmergencyAction.id)
        )
        found = [PendingEmergency(r.id, r.taken_at, r.review_due_at) for r in rows]
        if not found:
            raise NotFound(f"Case #{case.number} has no emergency action waiting for review.")
        return found


def require_member_of(ctx: ServiceContext, actor: Actor) -> None:
    """Refuse anyone who is not an active member of this workspace's roster."""
    with ctx.read() as session:
        require_member(session, actor)
