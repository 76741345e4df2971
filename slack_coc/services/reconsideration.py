"""A reconsideration the board concludes (docs/process.md "Reconsideration").

"Upheld" resolves the case again as it was. "Changed" records the board's new outcome per
reported person as a new adopted decision (rule "board"): the records export, retention and
the statistics all read a case's latest decision, so they follow it. The case is resolved
again at the board's date, so retention counts from then; suspension ends of the earlier
decision are closed and the new ones scheduled.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import Proposal, ProposalStatus
from slack_coc.domain.enums import PartyRole, ResolutionSource, Trigger
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.models import Case, Member
from slack_coc.services import board_summary
from slack_coc.services.decisions import OutcomeInput, check_outcomes
from slack_coc.services.readmission import schedule_sanction_ends
from slack_coc.services.steps import StepResult, take_step
from slack_coc.services.timeline import meet_deadlines


def conclude(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    *,
    upheld: bool,
    note: str,
    outcomes: list[OutcomeInput] | None = None,
) -> StepResult:

    def prepare(session: Session, member: Member, case: Case) -> None:
        if upheld:
            return
        if outcomes:
            check_outcomes(session, ctx, case, outcomes, ctx.clock.now().date())
        elif any(p.role == PartyRole.REPORTED.value for p in case.parties):
            raise InvalidInput(
                "The board changed the decision: record the new outcome for each reported person.",
                field="outcome",
            )

    def after(session: Session, member: Member, case: Case) -> None:
        now = ctx.clock.now()
        case.resolved_at = now
        case.resolution_source = ResolutionSource.BOARD.value
        board_summary.offer(session, ctx, case, now)
        if upheld or not outcomes:
            return
        decision = Proposal(
            team_id=case.team_id,
            case_id=case.id,
            proposer_id=member.id,
            rule="board",
            rationale=note.strip() or "Changed on reconsideration by the board.",
            status=ProposalStatus.ADOPTED,
            created_at=now,
            closed_at=now,
            outcomes=[o.as_row() for o in outcomes],
        )
        session.add(decision)
        session.flush()
        case.decision_rule = "board"
        meet_deadlines(session, case, ("suspension_end",), now)
        schedule_sanction_ends(session, case, decision, now)

    data: dict[str, object] = {"result": "upheld" if upheld else "changed"}
    if not upheld and outcomes:
        data["outcomes"] = [o.outcome for o in outcomes]
    return take_step(
        ctx,
        actor,
        ref,
        Trigger.CONCLUDE_RECONSIDERATION,
        prepare=prepare,
        after=after,
        note=note.strip() or None,
        data=data,
    )
