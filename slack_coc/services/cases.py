"""Lifecycle step services, one per use case (see `steps.take_step` for the shared path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import ResolutionSource, Trigger
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case, Member
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services import bias, board_summary, reconsideration
from slack_coc.services import feedback as feedback_service
from slack_coc.services.access import active_recusal, find_member, require_case_access
from slack_coc.services.actions import action_facts
from slack_coc.services.decisions import OutcomeInput
from slack_coc.services.mail_outgoing import default_recipients, reporter
from slack_coc.services.shepherds import refuse_if_shepherd_changed
from slack_coc.services.steps import Prepare, StepResult, take_step
from slack_coc.services.timeline import case_changed, meet_deadlines, record_event, set_deadline

ACK_DEADLINES = ("ack", "ack_any")


# Recorded on a step taken without the message that goes with it (the member is offered it).
WITHOUT_MESSAGE = "Without a message to the reporter."


def acknowledge(
    ctx: ServiceContext, actor: Actor, ref: str | int, *, and_then: Prepare | None = None
) -> StepResult:
    """`and_then` runs in the same transaction once the step is taken (e.g. the
    acknowledgement mail, services/mail.py). Without it, the step is recorded as taken
    without a message to the reporter, and if they left an address the result offers the
    "acknowledgement" template."""
    offer: list[str] = []

    def after(session: Session, member: Member, case: Case) -> None:
        case.acknowledged_at = ctx.clock.now()
        case.first_responder_id = member.id
        meet_deadlines(session, case, ACK_DEADLINES, ctx.clock.now())
        if and_then:
            and_then(session, member, case)
        elif default_recipients(reporter(session, case)):
            offer.append("acknowledgement")

    return _offering(
        take_step(ctx, actor, ref, Trigger.ACKNOWLEDGE, after=after, **_told(and_then)), offer
    )


def keep_on_file(
    ctx: ServiceContext, actor: Actor, ref: str | int, *, and_then: Prepare | None = None
) -> StepResult:
    """A report already handled by local representatives: acknowledged and resolved at once
    (offering the "acknowledgement_local" template, as `acknowledge` does)."""
    offer: list[str] = []

    def after(session: Session, member: Member, case: Case) -> None:
        now = ctx.clock.now()
        case.acknowledged_at = case.acknowledged_at or now
        case.first_responder_id = case.first_responder_id or member.id
        case.resolved_at = now
        case.resolution_source = ResolutionSource.LOCAL.value
        meet_deadlines(session, case, (*ACK_DEADLINES, "reporter_response", "resolution"), now)
        if and_then:
            and_then(session, member, case)
        elif default_recipients(reporter(session, case)):
            offer.append("acknowledgement_local")

    return _offering(
        take_step(ctx, actor, ref, Trigger.KEEP_ON_FILE, after=after, **_told(and_then)), offer
    )


def _told(and_then: Prepare | None) -> dict[str, Any]:
    """The timeline records whether the reporter was sent the message with the step."""
    told = and_then is not None
    return {"note": None if told else WITHOUT_MESSAGE, "data": {"reporter_told": told}}


def _offering(result: StepResult, offer: list[str]) -> StepResult:
    return replace(result, offer_mail=offer[0]) if offer else result


ANY_SHEPHERD = "*"  # `seen_shepherd` of a typed command: it names whom it wants, whoever it is now


def assign_shepherd(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    shepherd_user_id: str | None = None,
    *,
    seen_shepherd: str | None = None,
    bias_disclosure: str | None = None,
    reason: str | None = None,
) -> StepResult:
    """Take the case (no user given) or nominate a member. From shepherded or discussed this
    is a change of shepherd, recorded with its reason; the reporter is offered the
    "shepherd assigned" message. A disclosed bias is posted to the group (without its text).

    `seen_shepherd` is the shepherd (user id, None for nobody) the member saw when they
    acted: a "Take as shepherd" button saw nobody, a "Change shepherd" form saw the shepherd
    it replaces. If the case has another one now, the step is refused with who took it and
    when, and nothing changes: a stale click never turns into a change of shepherd."""
    target_user = shepherd_user_id or actor.user_id
    disclosure = (bias_disclosure or "").strip() or None

    def prepare(session: Session, member: Member, case: Case) -> None:
        if seen_shepherd != ANY_SHEPHERD:
            refuse_if_shepherd_changed(session, ctx, case, seen_shepherd)
        shepherd = find_member(session, actor.team_id, target_user)
        if shepherd is None:
            raise InvalidInput(
                f"<@{target_user}> is not an active member of the working group.", "shepherd"
            )
        if active_recusal(session, case.id, shepherd.id) is not None:
            raise InvalidInput("That member is recused from this case.", "shepherd")
        if shepherd.id == case.shepherd_id and case.state in ("shepherded", "discussed"):
            raise InvalidInput(f"<@{target_user}> is already the shepherd.", "shepherd")
        case.shepherd_id = shepherd.id

    def after(session: Session, member: Member, case: Case) -> None:
        now = ctx.clock.now()
        # Every nomination asks the question (docs/process.md "Conflicts of interest").
        shepherd = session.get(Member, case.shepherd_id) if case.shepherd_id else None
        if shepherd is None:
            pass
        elif disclosure:
            bias.record_disclosure(session, case, actor.user_id, shepherd.user_id, disclosure, now)
        else:
            bias.ask(session, case, shepherd.user_id, now)
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=target_user,
            case_id=case.id,
            payload={"template": "shepherd_assigned"},
        )

    trigger = Trigger.ASSIGN_SHEPHERD
    with ctx.read() as session:
        _m, case = require_case_access(session, actor, ref)
        if case.shepherd_id is not None and case.state in ("shepherded", "discussed"):
            trigger = Trigger.CHANGE_SHEPHERD
    notes = [n for n in (disclosure and f"Bias disclosure: {disclosure}", reason) if n]
    return take_step(
        ctx,
        actor,
        ref,
        trigger,
        prepare=prepare,
        after=after,
        note="\n".join(notes) or None,
        data={"shepherd": target_user, "bias_disclosed": bool(disclosure)},
    )


def start_discussion(ctx: ServiceContext, actor: Actor, ref: str | int) -> StepResult:
    return take_step(ctx, actor, ref, Trigger.START_DISCUSSION)


def record_feedback(ctx: ServiceContext, actor: Actor, ref: str | int, feedback: str) -> StepResult:
    return feedback_service.record_feedback(ctx, actor, ref, feedback)


def start_actions(ctx: ServiceContext, actor: Actor, ref: str | int) -> StepResult:
    return take_step(ctx, actor, ref, Trigger.START_ACTIONS)


def resolve(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    *,
    actions_taken: str,
    review_date: date | None,
    resolution_source: str = ResolutionSource.WG.value,
    suspension_ends: date | None = None,
) -> StepResult:
    if not actions_taken.strip():
        raise InvalidInput("Please say what was done and the outcome.", field="actions_taken")
    if review_date is None:
        raise InvalidInput("Please pick a review date.", field="review_date")
    if review_date < ctx.clock.now().date():
        raise InvalidInput("The review date can't be in the past.", field="review_date")
    if resolution_source not in {s.value for s in ResolutionSource}:
        raise InvalidInput("Unknown resolution source.", field="resolution_source")

    def prepare(session: Session, member: Member, case: Case) -> None:
        case.resolution_notes = actions_taken.strip()
        case.review_date = review_date
        case.resolution_source = resolution_source

    def after(session: Session, member: Member, case: Case) -> None:
        now = ctx.clock.now()
        case.resolved_at = now
        meet_deadlines(session, case, ("resolution", "reporter_response", "deadlock"), now)
        set_deadline(session, case, "review_date", _noon(review_date), now)
        if suspension_ends is not None:
            set_deadline(session, case, "suspension_end", _noon(suspension_ends), now)
        board_summary.offer(session, ctx, case, now)

    return take_step(
        ctx,
        actor,
        ref,
        Trigger.RESOLVE,
        prepare=prepare,
        after=after,
        facts=action_facts,
        data={"review_date": review_date.isoformat(), "source": resolution_source},
    )


def request_reconsideration(
    ctx: ServiceContext, actor: Actor, ref: str | int, requested_by: str
) -> StepResult:
    if not requested_by.strip():
        raise InvalidInput("Who asked for reconsideration?", field="requested_by")
    return take_step(
        ctx,
        actor,
        ref,
        Trigger.REQUEST_RECONSIDERATION,
        note=f"Requested by: {requested_by.strip()}",
    )


def conclude_reconsideration(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    *,
    upheld: bool,
    note: str,
    outcomes: list[OutcomeInput] | None = None,
) -> StepResult:
    """Upheld, or changed with the board's new outcome per person (services/reconsideration)."""
    return reconsideration.conclude(ctx, actor, ref, upheld=upheld, note=note, outcomes=outcomes)


def reopen(ctx: ServiceContext, actor: Actor, ref: str | int, new_information: str) -> StepResult:
    if not new_information.strip():
        raise InvalidInput("What is the new information?", field="new_information")

    def after(session: Session, member: Member, case: Case) -> None:
        now = ctx.clock.now()
        case.resolved_at = None
        set_deadline(
            session,
            case,
            "resolution",
            now + timedelta(days=ctx.policy_for(session, case.team_id).resolution_target_days),
            now,
        )

    return take_step(ctx, actor, ref, Trigger.REOPEN, after=after, note=new_information.strip())


def mark_severe(ctx: ServiceContext, actor: Actor, ref: str | int, severe: bool) -> None:
    """Severe or legal cases are decided by majority (see domain.decisions.effective_rule)."""
    with ctx.transaction() as session:
        _member, case = require_case_access(session, actor, ref, for_update=True)
        if case.state in ("decided", "actions_ongoing", "resolved"):
            raise NotPermitted(f"Case #{case.number} is already decided.")
        case.severe = severe
        record_event(
            session,
            case,
            "marked_severe" if severe else "unmarked_severe",
            ctx.clock.now(),
            actor_user_id=actor.user_id,
        )
        case_changed(session, case, ctx.clock.now())


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)
