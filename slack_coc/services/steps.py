"""Taking one lifecycle step on a case: the shared path of every step service.

Lock the case row, check the member may act, let the machine move (or refuse), record the
event, refresh card and homes. A refusal names who took the step first, so two members
clicking at once see "already acknowledged by @ana", not a bare error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import Conflict, IllegalStep
from slack_coc.domain.lifecycle import CaseFacts, CaseFlow
from slack_coc.domain.models import Case, CaseEvent, Member
from slack_coc.services.access import require_case_access
from slack_coc.services.timeline import case_changed, record_event


@dataclass(frozen=True)
class StepResult:
    case_id: int
    number: int
    code_name: str
    from_state: CaseState
    to_state: CaseState
    # The message to the reporter this step calls for, when they left an address: the
    # template the member is offered ("acknowledgement" after a plain acknowledgement).
    offer_mail: str | None = None
    drill: bool = False


Prepare = Callable[[Session, Member, Case], None]
Facts = Callable[[Session, Case], CaseFacts]


def take_step(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    trigger: Trigger,
    *,
    prepare: Prepare | None = None,
    after: Prepare | None = None,
    facts: Facts | None = None,
    note: str | None = None,
    data: dict[str, object] | None = None,
) -> StepResult:
    """`prepare` runs before the machine (sets what guards check); `after` runs once the
    step is taken (meets deadlines, writes outbox intents). Both inside the transaction."""
    try:
        with ctx.transaction() as session:
            member, case = require_case_access(session, actor, ref, for_update=True)
            if prepare:
                prepare(session, member, case)
            flow = CaseFlow(case, facts(session, case) if facts else CaseFacts())
            try:
                step = flow.fire(trigger)
            except IllegalStep as exc:
                raise _explain(session, case, exc) from None
            record_event(
                session,
                case,
                trigger.value,
                ctx.clock.now(),
                actor_user_id=actor.user_id,
                from_state=step.from_state.value,
                to_state=step.to_state.value,
                note=note,
                data=dict(data or {}),
            )
            if after:
                after(session, member, case)
            case_changed(session, case, ctx.clock.now())
            return StepResult(
                case.id,
                case.number,
                case.code_name,
                step.from_state,
                step.to_state,
                drill=case.drill,
            )
    except StaleDataError:
        raise Conflict(
            "Someone changed this case at the same moment; nothing was saved. "
            "Look at the card again and retry if it still makes sense."
        ) from None


def _explain(session: Session, case: Case, exc: IllegalStep) -> IllegalStep:
    """Say who moved the case into its current state, when a step is no longer possible."""
    last = session.scalar(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_state == case.state)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )
    if last is None or last.actor_user_id is None or last.kind == "logged":
        return exc  # never name who logged a report: they may be the reporter
    state = CaseState(case.state).label.lower()
    return IllegalStep(
        case.number,
        exc.state,
        exc.trigger,
        exc.allowed,
        detail=f"Case #{case.number} is already {state} (by <@{last.actor_user_id}>): "
        f"'{exc.trigger}' is not possible now.",
    )
