"""Sanction ends: the end-date prompt, the readmission request, the conditions for return
(a checklist members tick off) and readmission as a decision under the usual rule.

- A decided suspension with an end date opens a `suspension_end` deadline at 12:00 UTC on
  that day (`schedule_sanction_ends`, called where a decision is adopted); the due-work
  sweep prompts the shepherd and the channel once, keyed like every deadline notice.
- A member records the person's request (received by mail, or told to a member) with the
  conditions for return, one per line (pre-filled from the decision's conditions).
- Members tick conditions off and vote. The group's decision rule (raised for a severe
  case, as for any decision) decides, and only once every condition is ticked.
- Once readmitted, the sanction is no longer current for the organisers' check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import Proposal, ProposedOutcome
from slack_coc.domain.decisions import RuleResult, effective_rule, evaluate
from slack_coc.domain.enums import Outcome, PartyRole, VoteValue
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, Deadline, Member, Party
from slack_coc.domain.sanction_models import (
    Readmission,
    ReadmissionStatus,
    ReadmissionVote,
    ReturnCondition,
)
from slack_coc.services.access import eligible_voters, require_case_access
from slack_coc.services.mail_outgoing import latest_inbound
from slack_coc.services.outcomes import DECISIVE
from slack_coc.services.people import root_person
from slack_coc.services.timeline import case_changed, record_event, set_deadline

SUSPENSIONS = (Outcome.SUSPENSION_SHORT.value, Outcome.SUSPENSION_EXTENDED.value)
SANCTIONS = (*SUSPENSIONS, Outcome.PERMANENT_BAN.value)
VIA = (("mail", "By email"), ("member", "To a member"), ("other", "Another way"))
MAX_CONDITIONS = 20
MAX_REQUEST = 2900  # a plain-text input's initial value stays well under Slack's 3000


def schedule_sanction_ends(session: Session, case: Case, proposal: Proposal, now: datetime) -> None:
    """Inside the deciding transaction: one `suspension_end` deadline per end date."""
    for outcome in proposal.outcomes:
        if outcome.outcome in SUSPENSIONS and outcome.ends_on is not None:
            due = datetime.combine(outcome.ends_on, time(12, 0), tzinfo=UTC)
            set_deadline(session, case, "suspension_end", due, now)


@dataclass(frozen=True)
class SanctionedParty:
    party_id: int
    label: str  # the person's code name (shown only in modals to members who may see it)
    outcome: str
    ends_on: date | None
    conditions: str | None


@dataclass(frozen=True)
class ConditionView:
    id: int
    text: str
    met: bool


@dataclass(frozen=True)
class ReadmissionView:
    id: int
    party_label: str
    request: str
    conditions: list[ConditionView]
    explanation: str
    my_vote: str | None
    status: str


@dataclass(frozen=True)
class ReadmissionForm:
    number: int
    code_name: str
    drill: bool
    parties: list[SanctionedParty]
    open: ReadmissionView | None
    decided: list[str]  # party labels already readmitted
    # The latest mail filed on the case since the decision: most requests arrive by mail,
    # so the request form starts from it (only in the modal, to a member who may see it).
    mail_text: str | None = None


def _sanctioned(session: Session, case: Case) -> list[SanctionedParty]:
    proposal_id = session.scalar(
        select(Proposal.id)
        .where(Proposal.case_id == case.id, Proposal.status.in_(DECISIVE))
        .order_by(Proposal.id.desc())
        .limit(1)
    )
    if proposal_id is None or case.decided_at is None:
        return []
    rows = session.execute(
        select(ProposedOutcome, Party)
        .join(Party, Party.id == ProposedOutcome.party_id)
        .where(ProposedOutcome.proposal_id == proposal_id, Party.role == PartyRole.REPORTED.value)
        .order_by(Party.id)
    )
    return [
        SanctionedParty(
            party.id,
            (
                root_person(session, party.person).code_name
                if party.person
                else (party.name or "the reported person")
            ),
            outcome.outcome,
            outcome.ends_on,
            outcome.conditions,
        )
        for outcome, party in rows
        if outcome.outcome in SANCTIONS
    ]


def _open(session: Session, case: Case) -> Readmission | None:
    return session.scalar(
        select(Readmission)
        .where(Readmission.case_id == case.id, Readmission.status == ReadmissionStatus.OPEN)
        .order_by(Readmission.id.desc())
        .limit(1)
    )


def _eligible(session: Session, case: Case) -> set[int]:
    return eligible_voters(session, case)


def _tally(session: Session, case: Case, readmission: Readmission) -> RuleResult:
    votes = {v.member_id: VoteValue(v.value) for v in readmission.votes}
    rule = effective_rule(readmission.rule or "two_members", case.severe)
    return evaluate(rule, readmission.proposer_id, votes, _eligible(session, case))


def _explain(result: RuleResult, readmission: Readmission) -> str:
    left = sum(1 for c in readmission.conditions if c.met_at is None)
    if left:
        return f"{left} condition(s) for return still to tick off; {result.explanation}."
    return f"All conditions met; {result.explanation}."


def readmission_form(ctx: ServiceContext, actor: Actor, ref: str | int) -> ReadmissionForm:
    with ctx.read() as session:
        member, case = require_case_access(session, actor, ref)
        parties = _sanctioned(session, case)
        if not parties:
            raise NotPermitted(
                f"Case #{case.number} has no decided suspension or ban to end or readmit from."
            )
        labels = {p.party_id: p.label for p in parties}
        current = _open(session, case)
        view = None
        if current is not None:
            result = _tally(session, case, current)
            mine = next((v.value for v in current.votes if v.member_id == member.id), None)
            view = ReadmissionView(
                current.id,
                labels.get(current.party_id, "the reported person"),
                current.request,
                [ConditionView(c.id, c.text, c.met_at is not None) for c in current.conditions],
                _explain(result, current),
                mine,
                current.status,
            )
        decided = [
            labels.get(r.party_id, "the reported person")
            for r in session.scalars(
                select(Readmission).where(
                    Readmission.case_id == case.id,
                    Readmission.status == ReadmissionStatus.READMITTED,
                )
            )
        ]
        return ReadmissionForm(
            case.number,
            case.code_name,
            case.drill,
            parties,
            view,
            decided,
            _mail_since_decision(session, case),
        )


def _mail_since_decision(session: Session, case: Case) -> str | None:
    mail = latest_inbound(session, case)
    if mail is None or case.decided_at is None or mail.created_at < case.decided_at:
        return None
    text = "\n\n".join(x for x in (mail.subject, mail.body) if x).strip()
    return text[:MAX_REQUEST] or None


def record_request(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    *,
    party_id: int,
    via: str,
    request: str,
    conditions: list[str],
) -> int:
    """A member records the person's request to return, with the conditions for return."""
    if not request.strip():
        raise InvalidInput("What did the person ask? Summarise their request.", field="request")
    if via not in dict(VIA):
        raise InvalidInput("How did the request arrive?", field="via")
    cleaned = [c.strip()[:1000] for c in conditions if c.strip()]
    if len(cleaned) > MAX_CONDITIONS:
        raise InvalidInput(f"At most {MAX_CONDITIONS} conditions, one per line.", "conditions")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        party = next((p for p in _sanctioned(session, case) if p.party_id == party_id), None)
        if party is None:
            raise InvalidInput("Choose a person with a decided suspension or ban.", "party")
        if _open(session, case) is not None:
            raise NotPermitted(f"Case #{case.number} already has an open readmission request.")
        person_id = session.scalar(select(Party.person_id).where(Party.id == party_id))
        readmission = Readmission(
            team_id=case.team_id,
            case_id=case.id,
            party_id=party_id,
            person_id=person_id,
            proposer_id=member.id,
            received_via=via,
            request=request.strip(),
            rule=ctx.policy_for(session, case.team_id).decision_rule,
            status=ReadmissionStatus.OPEN,
            requested_at=now,
            conditions=[ReturnCondition(text=text) for text in cleaned],
        )
        session.add(readmission)
        # The end-date prompt has done its work: the request is now what members follow.
        for deadline in session.scalars(
            select(Deadline).where(
                Deadline.case_id == case.id,
                Deadline.kind == "suspension_end",
                Deadline.met_at.is_(None),
            )
        ):
            deadline.met_at = now
        session.flush()
        record_event(
            session,
            case,
            "readmission_requested",
            now,
            actor_user_id=actor.user_id,
            note=request.strip(),
            data={"via": via, "conditions": len(cleaned)},
        )
        case_changed(session, case, now)
        return readmission.id


@dataclass(frozen=True)
class ReadmissionUpdate:
    number: int
    readmitted: bool
    explanation: str


def update_readmission(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    readmission_id: int,
    *,
    met: list[int],
    vote: str | None,
) -> ReadmissionUpdate:
    """Tick conditions (the ones in `met` are met; the others not), record this member's
    vote, and readmit when every condition is met and the rule is."""
    choice = None
    if vote:
        try:
            choice = VoteValue(vote)
        except ValueError:
            raise InvalidInput("Vote agree, object or abstain.", field="vote") from None
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        readmission = _open(session, case)
        if readmission is None or readmission.id != readmission_id:
            raise NotFound(f"Case #{case.number} has no open readmission request (any more).")
        for condition in readmission.conditions:
            now_met = condition.id in met
            if now_met == (condition.met_at is not None):
                continue
            condition.met_at = now if now_met else None
            condition.met_by_user_id = actor.user_id if now_met else None
            record_event(
                session,
                case,
                "return_condition_met" if now_met else "return_condition_unticked",
                now,
                actor_user_id=actor.user_id,
                note=condition.text,
                data={"condition_id": condition.id},
            )
        if choice is not None:
            if member.id not in _eligible(session, case):
                raise NotPermitted("You can't vote on this case.")
            existing = next((v for v in readmission.votes if v.member_id == member.id), None)
            if existing is None:
                readmission.votes.append(
                    ReadmissionVote(member_id=member.id, value=choice.value, at=now)
                )
            else:
                existing.value, existing.at = choice.value, now
            record_event(
                session,
                case,
                "readmission_voted",
                now,
                actor_user_id=actor.user_id,
                data={"vote": choice.value},
            )
        session.flush()
        result = _tally(session, case, readmission)
        all_met = all(c.met_at is not None for c in readmission.conditions)
        readmitted = result.met and all_met
        if readmitted:
            readmission.status, readmission.decided_at = ReadmissionStatus.READMITTED, now
            agreeing = session.scalars(select(Member.user_id).where(Member.id.in_(result.agreeing)))
            record_event(
                session,
                case,
                "readmitted",
                now,
                actor_user_id=actor.user_id,
                data={"rule": result.applied, "agreeing": sorted(agreeing)},
            )
        case_changed(session, case, now)
        text = (
            f"Readmission decided ({result.applied})."
            if readmitted
            else _explain(result, readmission)
        )
        return ReadmissionUpdate(case.number, readmitted, text)


def close_request(ctx: ServiceContext, actor: Actor, ref: str | int) -> int:
    """The shepherd or a chair closes an open request without readmission (the person
    withdrew it, or the group would not agree): the sanction stays as decided."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        if case.shepherd_id != member.id and not member.is_chair:
            raise NotPermitted(f"Only the shepherd of #{case.number} (or a chair) can close it.")
        readmission = _open(session, case)
        if readmission is None:
            raise NotFound(f"Case #{case.number} has no open readmission request.")
        readmission.status, readmission.decided_at = ReadmissionStatus.WITHDRAWN, now
        record_event(session, case, "readmission_closed", now, actor_user_id=actor.user_id)
        case_changed(session, case, now)
        return case.number
