"""Proposals, votes, board escalation and emergency actions (docs/process.md "Decisions")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import (
    Proposal,
    ProposalStatus,
    ProposedOutcome,
    Vote,
)
from slack_coc.domain.decisions import RuleResult, effective_rule, evaluate, is_deadlocked
from slack_coc.domain.enums import (
    CASE_OUTCOMES,
    CaseState,
    Outcome,
    PartyRole,
    Trigger,
    VoteValue,
)
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.lifecycle import CaseFacts, CaseFlow
from slack_coc.domain.models import Case, Member, Party
from slack_coc.queues.outbox import Intent, enqueue, enqueue_once
from slack_coc.services import feedback
from slack_coc.services.access import eligible_voters, require_case_access
from slack_coc.services.readmission import schedule_sanction_ends
from slack_coc.services.steps import StepResult, take_step
from slack_coc.services.timeline import case_changed, meet_deadlines, record_event, set_deadline
from slack_coc.services.violation_types import validate_types


@dataclass(frozen=True)
class OutcomeInput:
    party_id: int | None  # None: the whole case, when it names nobody as reported
    outcome: str
    ends_on: date | None = None
    conditions: str | None = None
    # The kinds of behaviour, from the policy's `violation_types`.
    violation_types: tuple[str, ...] = ()

    def as_row(self) -> ProposedOutcome:
        return ProposedOutcome(
            party_id=self.party_id,
            outcome=self.outcome,
            ends_on=self.ends_on,
            conditions=self.conditions,
            violation_types=list(dict.fromkeys(self.violation_types)),
        )


@dataclass(frozen=True)
class VoteResult:
    number: int
    decided: bool
    explanation: str
    # The proposed-resolution message, offered to the voter whose vote decided the case
    # when the reporter left an address (as StepResult.offer_mail).
    offer_mail: str | None = None


# Built once: every card and opened case reads it (building costs more than running).
_OPEN_PROPOSAL = (
    select(Proposal)
    .where(Proposal.case_id == bindparam("case_id"), Proposal.status == ProposalStatus.OPEN)
    .order_by(Proposal.id.desc())
    .limit(1)
)


def open_proposal(session: Session, case_id: int) -> Proposal | None:
    return session.scalar(_OPEN_PROPOSAL, {"case_id": case_id})


def latest_escalated(session: Session, case_id: int) -> Proposal | None:
    return session.scalar(
        select(Proposal)
        .where(Proposal.case_id == case_id, Proposal.status == ProposalStatus.ESCALATED)
        .order_by(Proposal.id.desc())
        .limit(1)
    )


def tally(session: Session, case: Case, proposal: Proposal, policy_rule: str) -> RuleResult:
    votes = {v.member_id: VoteValue(v.value) for v in proposal.votes}
    rule = effective_rule(policy_rule, case.severe)
    return evaluate(rule, proposal.proposer_id, votes, eligible_voters(session, case))


@dataclass(frozen=True)
class Standing:
    """A case's open proposal, its tally, and what the machine's guards need from them."""

    proposal: Proposal | None = None
    tally: RuleResult | None = None
    facts: CaseFacts = field(default_factory=CaseFacts)


def standing(session: Session, case: Case, ctx: ServiceContext) -> Standing:
    proposal = open_proposal(session, case.id)
    if proposal is None:
        return Standing()
    policy = ctx.policy_for(session, case.team_id)
    result = tally(session, case, proposal, policy.decision_rule)
    return Standing(
        proposal,
        result,
        CaseFacts(
            decision_rule_met=result.met,
            deadlocked=is_deadlocked(
                proposal.created_at, ctx.clock.now(), policy.deadlock_days, result.met
            ),
        ),
    )


def _validate_outcomes(
    session: Session, case: Case, outcomes: list[OutcomeInput], today: date
) -> None:
    reported = {
        p.id
        for p in session.scalars(
            select(Party).where(Party.case_id == case.id, Party.role == PartyRole.REPORTED.value)
        )
    }
    if not reported:
        # Nothing is a dead end: a case may conclude with no identifiable person.
        allowed = {o.value for o in CASE_OUTCOMES}
        if len(outcomes) != 1 or outcomes[0].party_id is not None:
            raise InvalidInput(
                "This case names nobody as reported: choose one outcome for the case, or "
                "identify the reported people first (People).",
                field="outcome",
            )
        if outcomes[0].outcome not in allowed:
            raise InvalidInput(
                "With nobody identified, a case concludes as: "
                + ", ".join(o.label.lower() for o in CASE_OUTCOMES)
                + ".",
                field="outcome",
            )
        return
    if not outcomes:
        raise InvalidInput("Propose an outcome for each reported person.", field="outcome")
    given = {o.party_id for o in outcomes}
    if not given <= reported:
        raise InvalidInput("That person is not a reported person in this case.", field="outcome")
    if reported - given:
        raise InvalidInput("Propose an outcome for every reported person.", field="outcome")
    for o in outcomes:
        try:
            outcome = Outcome(o.outcome)
        except ValueError:
            raise InvalidInput(f"Unknown outcome {o.outcome!r}.", field="outcome") from None
        short_ok = o.ends_on is not None and 30 <= (o.ends_on - today).days <= 90
        if outcome is Outcome.SUSPENSION_SHORT and not short_ok:
            raise InvalidInput(
                "A short suspension ends 30 to 90 days from today: pick its end date.",
                field="ends_on",
            )
        if outcome is Outcome.SUSPENSION_EXTENDED:
            if o.ends_on is None or (o.ends_on - today).days < 90:
                raise InvalidInput("An extended suspension ends 90+ days from today.", "ends_on")
            if not (o.conditions or "").strip():
                raise InvalidInput(
                    "An extended suspension needs conditions for return.", field="conditions"
                )


def check_outcomes(
    session: Session, ctx: ServiceContext, case: Case, outcomes: list[OutcomeInput], today: date
) -> None:
    """Refuse outcomes that do not fit the case's reported people, the ladder or the
    policy's types of violation (with the field to fix)."""
    _validate_outcomes(session, case, outcomes, today)
    validate_types(outcomes, ctx.policy_for(session, case.team_id).violation_types)


def propose(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    outcomes: list[OutcomeInput],
    rationale: str,
) -> int:
    """The shepherd (or a chair) proposes an outcome per reported person; the case moves to
    discussion. Returns the proposal id."""
    if not rationale.strip():
        raise InvalidInput("Please give the rationale.", field="rationale")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        if case.shepherd_id != member.id and not member.is_chair:
            raise NotPermitted("Only the case's shepherd or a chair can propose a decision.")
        flow = CaseFlow(case)
        if case.state == CaseState.SHEPHERDED.value:
            step = flow.fire(Trigger.START_DISCUSSION)
            record_event(
                session,
                case,
                step.trigger.value,
                now,
                actor_user_id=actor.user_id,
                from_state=step.from_state.value,
                to_state=step.to_state.value,
            )
        elif case.state != CaseState.DISCUSSED.value:
            raise NotPermitted(
                f"Case #{case.number} is {CaseState(case.state).label.lower()}: "
                "decisions are proposed once a shepherd has it."
            )
        _validate_outcomes(session, case, outcomes, now.date())
        policy = ctx.policy_for(session, case.team_id)
        validate_types(outcomes, policy.violation_types)
        previous = open_proposal(session, case.id)
        if previous is not None:
            previous.status = ProposalStatus.WITHDRAWN
            previous.closed_at = now
        rule = effective_rule(policy.decision_rule, case.severe)
        proposal = Proposal(
            team_id=case.team_id,
            case_id=case.id,
            proposer_id=member.id,
            rule=rule.value,
            rationale=rationale.strip(),
            status=ProposalStatus.OPEN,
            created_at=now,
            outcomes=[o.as_row() for o in outcomes],
        )
        session.add(proposal)
        session.flush()
        meet_deadlines(session, case, ("deadlock",), now)
        set_deadline(session, case, "deadlock", now + timedelta(days=policy.deadlock_days), now)
        record_event(
            session,
            case,
            "proposed",
            now,
            actor_user_id=actor.user_id,
            note=rationale.strip(),
            data={
                "proposal_id": proposal.id,
                "rule": rule.value,
                "outcomes": [o.outcome for o in outcomes],
            },
        )
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.CHANNEL,
            now=now,
            case_id=case.id,
            payload={"template": "vote_requested", "proposal_id": proposal.id},
        )
        case_changed(session, case, now)
        return proposal.id


def vote(
    ctx: ServiceContext, actor: Actor, ref: str | int, value: str, proposal_id: int | None = None
) -> VoteResult:
    """Record a vote (a repeated vote replaces the earlier one). When the rule is met the
    case moves to decided in the same transaction, and the card says which rule and who."""
    try:
        choice = VoteValue(value)
    except ValueError:
        raise InvalidInput("Vote agree, object or abstain.", field="vote") from None
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        proposal = open_proposal(session, case.id)
        if proposal is None or (proposal_id is not None and proposal.id != proposal_id):
            raise NotFound(
                f"Case #{case.number} has no open proposal to vote on"
                + (" (that vote button is out of date)." if proposal_id else ".")
            )
        if case.state != CaseState.DISCUSSED.value:
            raise NotPermitted(f"Case #{case.number} is no longer in discussion.")
        if member.id not in eligible_voters(session, case):
            raise NotPermitted("You can't vote on this case.")
        existing = next((v for v in proposal.votes if v.member_id == member.id), None)
        if existing is None:
            proposal.votes.append(Vote(member_id=member.id, value=choice.value, at=now))
        else:
            existing.value, existing.at = choice.value, now
        session.flush()
        record_event(
            session,
            case,
            "voted",
            now,
            actor_user_id=actor.user_id,
            data={"vote": choice.value, "proposal_id": proposal.id},
        )
        result = tally(session, case, proposal, ctx.policy_for(session, case.team_id).decision_rule)
        offer = None
        if result.met:
            _adopt(session, ctx, case, proposal, result, actor, now)
            offer = feedback.on_decided(session, ctx, case, now)
        case_changed(session, case, now)
        return VoteResult(case.number, result.met, result.explanation, offer)


def _adopt(
    session: Session,
    ctx: ServiceContext,
    case: Case,
    proposal: Proposal,
    result: RuleResult,
    actor: Actor,
    now: datetime,
) -> None:
    flow = CaseFlow(case, CaseFacts(decision_rule_met=True))
    step = flow.fire(Trigger.DECIDE)
    proposal.status, proposal.closed_at = ProposalStatus.ADOPTED, now
    case.decided_at = now
    case.decision_rule = result.applied
    meet_deadlines(session, case, ("deadlock",), now)
    schedule_sanction_ends(session, case, proposal, now)
    agreeing = session.scalars(select(Member.user_id).where(Member.id.in_(result.agreeing)))
    record_event(
        session,
        case,
        Trigger.DECIDE.value,
        now,
        actor_user_id=actor.user_id,
        from_state=step.from_state.value,
        to_state=step.to_state.value,
        data={"rule": result.applied, "agreeing": sorted(agreeing), "proposal_id": proposal.id},
    )


def escalate_to_board(
    ctx: ServiceContext, actor: Actor, ref: str | int, note: str = ""
) -> StepResult:
    def after(session: Session, member: Member, case: Case) -> None:
        proposal = open_proposal(session, case.id)
        if proposal is not None:
            proposal.status, proposal.closed_at = ProposalStatus.ESCALATED, ctx.clock.now()
        meet_deadlines(session, case, ("deadlock",), ctx.clock.now())
        if ctx.board_address and not case.drill:  # a drill never mails anyone
            enqueue_once(
                session,
                team_id=case.team_id,
                kind=Intent.MAIL,
                now=ctx.clock.now(),
                case_id=case.id,
                recipient=ctx.board_address,
                payload={
                    "template": "board_escalation",
                    "to": [ctx.board_address],
                    "case_number": case.number,
                    "code_name": case.code_name,
                },
                dedupe_key=f"board-escalation:{case.id}:{ctx.clock.now().isoformat()}",
            )

    return take_step(
        ctx,
        actor,
        ref,
        Trigger.ESCALATE_TO_BOARD,
        after=after,
        facts=lambda session, case: standing(session, case, ctx).facts,
        note=note.strip() or None,
    )


def board_decide(ctx: ServiceContext, actor: Actor, ref: str | int, decision: str) -> StepResult:
    if not decision.strip():
        raise InvalidInput("Record what the board decided.", field="decision")

    offer: list[str] = []

    def after(session: Session, member: Member, case: Case) -> None:
        case.decided_at = ctx.clock.now()
        case.decision_rule = "board"
        escalated = latest_escalated(session, case.id)
        if escalated is not None:
            schedule_sanction_ends(session, case, escalated, ctx.clock.now())
        offer.extend(filter(None, [feedback.on_decided(session, ctx, case, ctx.clock.now())]))

    result = take_step(
        ctx,
        actor,
        ref,
        Trigger.BOARD_DECIDE,
        after=after,
        note=decision.strip(),
        data={"rule": "board"},
    )
    return replace(result, offer_mail=offer[0]) if offer else result
