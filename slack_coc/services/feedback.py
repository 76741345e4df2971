"""The reporter's feedback on a decision, before anything is carried out (docs/process.md
"Reporter feedback").

A decision (vote adopted or board) clears `Case.feedback_settled_at`, sets a `feedback`
deadline `feedback_days` ahead (the sweep reminds the shepherd when it passes) and asks the
shepherd by DM to send the proposed-resolution message. "Start actions" and "Resolve" wait
(lifecycle guard `feedback_settled`) until a member records the feedback, or why there is
none: no answer within the policy time, the reporter asked not to be contacted, or the
report is anonymous.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import Trigger
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case, Member
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services.mail_outgoing import default_recipients, reporter
from slack_coc.services.steps import Prepare, StepResult, take_step
from slack_coc.services.timeline import meet_deadlines, set_deadline

PROPOSED_RESOLUTION = "proposed_resolution"


class NoFeedback(StrEnum):
    NO_ANSWER = "no_answer"
    NOT_TO_BE_CONTACTED = "not_to_be_contacted"
    ANONYMOUS = "anonymous"

    @property
    def label(self) -> str:
        return NO_FEEDBACK_LABELS[self]


NO_FEEDBACK_LABELS = {
    NoFeedback.NO_ANSWER: "No answer within the time we gave",
    NoFeedback.NOT_TO_BE_CONTACTED: "The reporter asked not to be contacted",
    NoFeedback.ANONYMOUS: "The report is anonymous",
}


def on_decided(session: Session, ctx: ServiceContext, case: Case, now: datetime) -> str | None:
    """Inside the deciding transaction: feedback is awaited again, its deadline set, and the
    shepherd asked to send the proposed resolution. Returns the template to offer to the
    member who decided when the reporter left an address (`StepResult.offer_mail`)."""
    case.feedback_settled_at = None
    days = ctx.policy_for(session, case.team_id).feedback_days
    set_deadline(session, case, "feedback", now + timedelta(days=days), now)
    offer = PROPOSED_RESOLUTION if default_recipients(reporter(session, case)) else None
    shepherd = session.get(Member, case.shepherd_id) if case.shepherd_id else None
    if shepherd is not None:
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=shepherd.user_id,
            case_id=case.id,
            payload={
                "template": "feedback_requested",
                "case_number": case.number,
                "code_name": case.code_name,
                "offer_mail": offer,
            },
        )
    return offer


def _settled(ctx: ServiceContext) -> Prepare:
    def after(session: Session, _member: Member, case: Case) -> None:
        now = ctx.clock.now()
        case.feedback_settled_at = now
        meet_deadlines(session, case, ("feedback",), now)

    return after


def record_feedback(ctx: ServiceContext, actor: Actor, ref: str | int, feedback: str) -> StepResult:
    """What the reporter (and other affected parties) said about the proposal: on the
    record (encrypted); the group is not bound by it."""
    if not feedback.strip():
        raise InvalidInput("Please write down the feedback.", field="feedback")
    return take_step(
        ctx,
        actor,
        ref,
        Trigger.RECORD_FEEDBACK,
        after=_settled(ctx),
        note=feedback.strip(),
        data={"feedback": "given"},
    )


def record_no_feedback(
    ctx: ServiceContext, actor: Actor, ref: str | int, reason: str, note: str = ""
) -> StepResult:
    """Why there is no feedback. "No answer" is accepted only once the policy time since the
    decision has passed (the reporter was promised that time to answer)."""
    try:
        why = NoFeedback(reason)
    except ValueError:
        raise InvalidInput(
            "Choose why there is no feedback: "
            + "; ".join(r.label.lower() for r in NoFeedback)
            + ".",
            field="none_reason",
        ) from None

    def prepare(session: Session, _member: Member, case: Case) -> None:
        if why is not NoFeedback.NO_ANSWER or case.decided_at is None:
            return
        days = ctx.policy_for(session, case.team_id).feedback_days
        wait_until = case.decided_at + timedelta(days=days)
        if ctx.clock.now() < wait_until:
            raise NotPermitted(
                f"Case #{case.number}: the reporter has until "
                f"{wait_until:%Y-%m-%d %H:%M} UTC to answer ({days:g} days after the "
                "decision); record their feedback when it comes, or wait until then."
            )

    return take_step(
        ctx,
        actor,
        ref,
        Trigger.RECORD_FEEDBACK,
        prepare=prepare,
        after=_settled(ctx),
        note=note.strip() or None,
        data={"feedback": "none", "reason": why.value},
    )
