"""A shepherd's biases (docs/process.md "Conflicts of interest": a shepherd discloses biases
when nominated; the group decides whether to choose someone else).

Every nomination (taking a case, being given one, a change of shepherd) asks the new
shepherd by DM: "no bias to disclose", or a disclosure. A disclosure is on the timeline (its
text encrypted) and posted to the group (without its text) with "Keep" and "Pick another
shepherd"; the first answer from another member is recorded, and "pick another" asks the
group to change the shepherd.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Member
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services.access import require_case_access
from slack_coc.services.timeline import case_changed, record_event

KEEP, REPLACE = "keep", "replace"


def ask(session: Session, case: Case, shepherd_user_id: str, now: datetime) -> None:
    """Inside the nominating transaction: the new shepherd is asked the question."""
    enqueue(
        session,
        team_id=case.team_id,
        kind=Intent.DM,
        now=now,
        recipient=shepherd_user_id,
        case_id=case.id,
        payload={"template": "bias_question", "case_number": case.number},
    )


def record_disclosure(
    session: Session,
    case: Case,
    actor_user_id: str | None,
    shepherd_user_id: str,
    text: str,
    now: datetime,
) -> None:
    """Inside a transaction: the disclosure on the timeline, and posted to the group."""
    event = record_event(
        session,
        case,
        "bias_disclosed",
        now,
        actor_user_id=actor_user_id,
        note=f"Bias disclosure: {text.strip()}",
        data={"shepherd": shepherd_user_id},
    )
    session.flush()
    post_disclosure(session, case, shepherd_user_id, event.id, now)


def post_disclosure(
    session: Session, case: Case, shepherd_user_id: str, event_id: int, now: datetime
) -> None:
    enqueue(
        session,
        team_id=case.team_id,
        kind=Intent.CHANNEL,
        now=now,
        case_id=case.id,
        payload={"template": "bias_review", "shepherd": shepherd_user_id, "event": event_id},
    )


def _require_shepherd(member: Member, case: Case) -> None:
    if case.shepherd_id != member.id:
        raise NotPermitted(f"Only the shepherd of #{case.number} answers this question.")


def disclose(ctx: ServiceContext, actor: Actor, ref: str | int, text: str) -> int:
    if not text.strip():
        raise InvalidInput(
            "Describe the bias (only members who may see the case read it).", field="bias"
        )
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        _require_shepherd(member, case)
        record_disclosure(session, case, actor.user_id, member.user_id, text, now)
        case_changed(session, case, now)
        return case.number


def no_bias(ctx: ServiceContext, actor: Actor, ref: str | int) -> int:
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        _require_shepherd(member, case)
        record_event(session, case, "bias_none", now, actor_user_id=actor.user_id)
        case_changed(session, case, now)
        return case.number


def answer(
    ctx: ServiceContext, actor: Actor, ref: str | int, disclosure_id: int, choice: str
) -> str:
    """A member other than the shepherd answers a disclosure: keep, or pick another.
    Returns the recorded answer (the first one stands)."""
    if choice not in (KEEP, REPLACE):
        raise InvalidInput("Keep the shepherd, or pick another.", field="answer")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        disclosure = session.get(CaseEvent, disclosure_id)
        if disclosure is None or disclosure.case_id != case.id:
            raise NotFound("That disclosure is not on this case.")
        if disclosure.kind != "bias_disclosed":
            raise NotFound("That disclosure is not on this case.")
        if disclosure.data.get("shepherd") == member.user_id:
            raise NotPermitted("The group answers your disclosure, not you.")
        earlier = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "bias_answer")
        ).all()
        for event in earlier:
            if event.data.get("disclosure") == disclosure_id:
                raise NotPermitted(
                    f"Already answered by <@{event.actor_user_id}>: "
                    + (
                        "keep the shepherd."
                        if event.data.get("answer") == KEEP
                        else "pick another shepherd."
                    )
                )
        record_event(
            session,
            case,
            "bias_answer",
            now,
            actor_user_id=actor.user_id,
            data={"answer": choice, "disclosure": disclosure_id},
        )
        if choice == REPLACE:
            enqueue(
                session,
                team_id=case.team_id,
                kind=Intent.CHANNEL,
                now=now,
                case_id=case.id,
                payload={"template": "bias_pick_another", "by": actor.user_id},
            )
        case_changed(session, case, now)
        return choice
