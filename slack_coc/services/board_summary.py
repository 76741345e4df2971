"""The group's report to the board (docs/process.md "Roles": the chairs speak to the board).

When a case is resolved, each chair who may see it is offered (by DM) a summary for the
board: code names, outcome per person, the rule applied and the dates; no narrative, no
names. A chair sends it: a mail to `COC_BOARD_ADDRESS` through the outbox (once per
resolution), recorded on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseState, Outcome
from slack_coc.domain.errors import NotPermitted
from slack_coc.domain.models import Case
from slack_coc.queues.outbox import Intent, enqueue, enqueue_once
from slack_coc.services.access import require_case_access
from slack_coc.services.chairs_only import chairs_of
from slack_coc.services.letters import render
from slack_coc.services.outcomes import reported_outcomes
from slack_coc.services.timeline import case_changed, record_event


@dataclass(frozen=True)
class BoardSummary:
    number: int
    subject: str
    body: str


def offer(session: Session, ctx: ServiceContext, case: Case, now: datetime) -> None:
    """Inside the resolving transaction: each chair who may see the case is offered it."""
    if not ctx.board_address or case.drill or case.synthetic:
        return
    for user_id in chairs_of(session, case.team_id, case.id):
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=user_id,
            case_id=case.id,
            payload={"template": "board_summary_offer", "case_number": case.number},
        )


def _day(at: datetime | None) -> str | None:
    return at.date().isoformat() if at else None


def summary(session: Session, ctx: ServiceContext, case: Case) -> BoardSummary:
    """The decision in force (as the records export reads it), in code names only."""
    rows = session.execute(reported_outcomes(Case.id == case.id)).all()
    outcomes = [
        f"{row.person_code_name or 'unnamed'}: "
        + (Outcome(row.outcome).label if row.outcome else "no outcome recorded")
        + (f" (until {row.ends_on.isoformat()})" if row.ends_on else "")
        for row in rows
    ]
    rendered = render(
        "board_summary",
        case.number,
        code_name=case.code_name,
        mailbox_address=ctx.mailbox_address,
        received=_day(case.received_at),
        decided=_day(case.decided_at),
        resolved=_day(case.resolved_at),
        source=case.resolution_source or "None",
        rule=case.decision_rule,
        outcomes=outcomes,
    )
    return BoardSummary(case.number, rendered.subject, rendered.body)


def preview(ctx: ServiceContext, actor: Actor, ref: str | int) -> BoardSummary:
    with ctx.read() as session:
        member, case = require_case_access(session, actor, ref)
        if not member.is_chair:
            raise NotPermitted("Only a chair sends the board its summary.")
        return summary(session, ctx, case)


def send(ctx: ServiceContext, actor: Actor, ref: str | int) -> BoardSummary:
    """A chair sends the summary to the board (once per resolution; a second click is a
    no-op that says so)."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        if not member.is_chair:
            raise NotPermitted("Only a chair sends the board its summary.")
        if case.state != CaseState.RESOLVED.value or case.resolved_at is None:
            raise NotPermitted(f"Case #{case.number} is not resolved.")
        if not ctx.board_address:
            raise NotPermitted("No board address is configured (COC_BOARD_ADDRESS).")
        if case.drill:
            raise NotPermitted("A drill is never reported to the board.")
        done = summary(session, ctx, case)
        key = f"board-summary:{case.id}:{case.resolved_at.isoformat()}"
        written = enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.MAIL,
            now=now,
            case_id=case.id,
            recipient=ctx.board_address,
            payload={
                "template": "board_summary",
                "to": [ctx.board_address],
                "case_number": case.number,
                "subject": done.subject,
                "body": done.body,
            },
            dedupe_key=key,
        )
        if written is None:
            raise NotPermitted(f"The board summary of #{case.number} was already sent.")
        record_event(session, case, "board_summary_sent", now, actor_user_id=actor.user_id)
        case_changed(session, case, now)
        return done
