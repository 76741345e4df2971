"""Ongoing actions in rounds (docs/process.md "Ongoing actions").

From "actions ongoing" the group records actions (what, who owns it, due date) and marks
each done; once a round is done it may add another. "Resolve" waits until every action is
done (lifecycle guard `actions_done`, fed by `open_action_counts`). Each action has a
deadline `action:<id>` on its due date: the sweep reminds its owner (services/deadlines.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import Trigger
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.lifecycle import CaseFacts
from slack_coc.domain.models import Case, Member
from slack_coc.domain.process_models import CaseAction
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services.access import active_recusal, find_member, require_case_access
from slack_coc.services.steps import StepResult, take_step
from slack_coc.services.timeline import meet_deadlines, set_deadline

ACTION_DEADLINE = "action:"


@dataclass(frozen=True)
class NewAction:
    what: str
    owner_user_id: str | None
    due_on: date | None


@dataclass(frozen=True)
class ActionView:
    """An action as the actions form shows it (to members who may see the case)."""

    id: int
    round: int
    what: str
    owner_user_id: str
    due_on: date
    done: bool


def deadline_kind(action_id: int) -> str:
    return f"{ACTION_DEADLINE}{action_id}"


# Built once: every card and opened case reads it (building costs more than running).
_OPEN_ACTION_COUNTS = (
    select(CaseAction.case_id, func.count(CaseAction.id))
    .where(CaseAction.case_id.in_(bindparam("ids", expanding=True)), CaseAction.done_at.is_(None))
    .group_by(CaseAction.case_id)
)


def open_action_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    """Actions not yet done, per case, in one query."""
    if not case_ids:
        return {}
    rows = session.execute(_OPEN_ACTION_COUNTS, {"ids": case_ids})
    return {case_id: int(n) for case_id, n in rows}


def action_facts(session: Session, case: Case) -> CaseFacts:
    return CaseFacts(open_actions=bool(open_action_counts(session, [case.id])))


def case_actions(ctx: ServiceContext, actor: Actor, ref: str | int) -> list[ActionView]:
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        return _actions(session, case)


def _actions(session: Session, case: Case) -> list[ActionView]:
    rows = session.execute(
        select(CaseAction, Member.user_id)
        .join(Member, Member.id == CaseAction.owner_id)
        .where(CaseAction.case_id == case.id)
        .order_by(CaseAction.round, CaseAction.id)
    )
    return [
        ActionView(a.id, a.round, a.what, user_id, a.due_on, a.done_at is not None)
        for a, user_id in rows
    ]


def record_actions(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    *,
    done: list[int] | tuple[int, ...] = (),
    new: NewAction | None = None,
    new_round: bool = False,
) -> StepResult:
    """Mark actions done and/or add one: in the current round, or (`new_round`) in the
    next one, which opens only once every action of the current round is done."""
    what = (new.what.strip() if new else "") or ""
    if new is not None and what:
        if not new.owner_user_id:
            raise InvalidInput("Who does this action?", field="owner")
        if new.due_on is None:
            raise InvalidInput("By when is it due?", field="due_on")
        if new.due_on < ctx.clock.now().date():
            raise InvalidInput("The due date can't be in the past.", field="due_on")
    elif new_round:
        raise InvalidInput("Describe the first action of the new round.", field="what")
    if not what and not done:
        raise InvalidInput("Describe an action, or tick the ones that are done.", field="what")
    facts: dict[str, object] = {}

    def prepare(session: Session, _member: Member, case: Case) -> None:
        now = ctx.clock.now()
        actions = {
            a.id: a
            for a in session.scalars(select(CaseAction).where(CaseAction.case_id == case.id))
        }
        for action_id in done:
            action = actions.get(action_id)
            if action is None:
                raise InvalidInput("That action is not on this case.", field="done")
            if action.done_at is None:
                action.done_at, action.done_by_user_id = now, actor.user_id
                meet_deadlines(session, case, (deadline_kind(action.id),), now)
        facts["done"] = sorted(done)
        if what and new is not None:
            facts.update(_add(session, ctx, actor, case, list(actions.values()), new, new_round))

    return take_step(
        ctx, actor, ref, Trigger.RECORD_ACTIONS, prepare=prepare, note=what or None, data=facts
    )


def _add(
    session: Session,
    ctx: ServiceContext,
    actor: Actor,
    case: Case,
    existing: list[CaseAction],
    new: NewAction,
    new_round: bool,
) -> dict[str, object]:
    now = ctx.clock.now()
    current = max((a.round for a in existing), default=1)
    if new_round and existing:
        if any(a.done_at is None and a.round == current for a in existing):
            raise NotPermitted(
                f"Case #{case.number}: round {current} still has actions not done; mark them "
                "done before starting another round (or add this action to the current round)."
            )
        current += 1
    owner = find_member(session, case.team_id, new.owner_user_id or "")
    if owner is None:
        raise InvalidInput(f"<@{new.owner_user_id}> is not an active member.", field="owner")
    if active_recusal(session, case.id, owner.id) is not None:
        raise InvalidInput("That member is recused from this case.", field="owner")
    assert new.due_on is not None
    action = CaseAction(
        team_id=case.team_id,
        case_id=case.id,
        round=current,
        what=new.what.strip(),
        owner_id=owner.id,
        due_on=new.due_on,
        created_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    due = datetime.combine(new.due_on, time(12, 0), tzinfo=UTC)
    set_deadline(session, case, deadline_kind(action.id), due, now)
    enqueue(
        session,
        team_id=case.team_id,
        kind=Intent.DM,
        now=now,
        recipient=owner.user_id,
        case_id=case.id,
        payload={"template": "action_assigned", "due_on": new.due_on.isoformat()},
    )
    return {"added": action.id, "round": current, "owner": owner.user_id}


def owners_of(session: Session, action_ids: list[int]) -> dict[int, Member]:
    """The owner of each action, for the sweep's reminders."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(CaseAction.id, Member)
        .join(Member, Member.id == CaseAction.owner_id)
        .where(CaseAction.id.in_(action_ids))
    )
    return {action_id: member for action_id, member in rows}
