"""Proposals, votes, escalation, emergency actions, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from slack_coc.config import Policy
from slack_coc.context import ServiceContext
from slack_coc.domain.decision_models import Proposal, Vote
from slack_coc.domain.enums import PartyRole
from slack_coc.domain.errors import GuardFailed, InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Deadline, Party
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import cases, decisions, emergency
from slack_coc.services.decisions import OutcomeInput
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"


def shepherded_case(ctx: ServiceContext, **kw: object) -> tuple[int, list[int]]:
    add_roster(ctx)
    logged = new_case(ctx, involved_names=["Reported Person"], **kw)
    cases.acknowledge(ctx, actor(ANA), logged.number)
    cases.assign_shepherd(ctx, actor(BEN), logged.number)
    with ctx.read() as s:
        parties = list(
            s.scalars(
                select(Party.id).where(
                    Party.case_id == logged.case_id, Party.role == PartyRole.REPORTED.value
                )
            )
        )
    return logged.number, parties


def case_row(ctx: ServiceContext, number: int) -> Case:
    with ctx.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None
        return case


def warn_all(parties: list[int]) -> list[OutcomeInput]:
    return [OutcomeInput(p, "warning") for p in parties]


def test_two_agreeing_members_decide_and_the_event_says_rule_and_who(ctx: ServiceContext) -> None:
    n, parties = shepherded_case(ctx)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "Clear breach, first time.")
    assert case_row(ctx, n).state == "discussed"
    first = decisions.vote(ctx, actor(CAT), n, "agree")
    assert not first.decided
    again = decisions.vote(ctx, actor(CAT), n, "agree")  # repeated vote counts once
    assert not again.decided
    second = decisions.vote(ctx, actor(DAN), n, "agree")
    assert second.decided
    case = case_row(ctx, n)
    assert case.state == "decided" and case.decision_rule == "two members agree"
    with ctx.read() as s:
        decided = s.scalar(select(CaseEvent).where(CaseEvent.kind == "decide"))
        assert decided is not None and decided.data["agreeing"] == sorted([CAT, DAN])
        assert s.scalar(select(Vote.id).where(Vote.member_id == 3)) is not None


def test_stale_vote_after_decision_is_refused(ctx: ServiceContext) -> None:
    n, parties = shepherded_case(ctx)
    pid = decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "agree", proposal_id=pid)
    decisions.vote(ctx, actor(DAN), n, "agree", proposal_id=pid)
    with pytest.raises(NotFound) as err:
        decisions.vote(ctx, actor(EVE), n, "object", proposal_id=pid)
    assert "out of date" in str(err.value)
    assert case_row(ctx, n).state == "decided"


def test_recused_member_cannot_vote(ctx: ServiceContext) -> None:
    from slack_coc.services import conflicts

    n, parties = shepherded_case(ctx)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    conflicts.recuse(ctx, actor(CAT), n, "personal_relationship")
    with pytest.raises(NotFound):
        decisions.vote(ctx, actor(CAT), n, "agree")
    with ctx.read() as s:
        assert s.scalars(select(Vote)).all() == []


def test_only_shepherd_or_chair_proposes_and_outcomes_are_validated(ctx: ServiceContext) -> None:
    n, parties = shepherded_case(ctx)
    with pytest.raises(NotPermitted):
        decisions.propose(ctx, actor(CAT), n, warn_all(parties), "x")
    with pytest.raises(InvalidInput) as err:
        decisions.propose(ctx, actor(BEN), n, [OutcomeInput(parties[0], "suspension_short")], "x")
    assert err.value.field == "ends_on"
    today = ctx.clock.now().date()
    ok = [OutcomeInput(parties[0], "suspension_short", ends_on=today + timedelta(days=60))]
    decisions.propose(ctx, actor(BEN), n, ok, "x")
    with pytest.raises(InvalidInput):
        decisions.propose(ctx, actor(BEN), n, [], "x")


def test_severe_case_needs_majority(ctx: ServiceContext) -> None:
    from slack_coc.services import members

    members.add_member(ctx, "T0TEAM0001", "U0FAY0006", "Fay")
    members.add_member(ctx, "T0TEAM0001", "U0GUS0007", "Gus")
    n, parties = shepherded_case(ctx)
    cases.mark_severe(ctx, actor(BEN), n, True)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "legal advice taken")
    assert not decisions.vote(ctx, actor(CAT), n, "agree").decided
    # Two members besides the proposer would do under "two members"; 3 of 7 is no majority.
    assert not decisions.vote(ctx, actor(DAN), n, "agree").decided
    assert case_row(ctx, n).state == "discussed"
    assert decisions.vote(ctx, actor(EVE), n, "agree").decided  # 4 of 7
    assert case_row(ctx, n).decision_rule == "majority"


def test_consensus_rule_falls_back_to_two_thirds(engine, clock) -> None:  # type: ignore[no-untyped-def]
    from slack_coc.db import make_session_factory

    ctx = ServiceContext(
        make_session_factory(engine), clock, Policy(decision_rule="consensus_two_thirds")
    )
    n, parties = shepherded_case(ctx)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    assert not decisions.vote(ctx, actor(CAT), n, "object").decided
    assert not decisions.vote(ctx, actor(DAN), n, "agree").decided
    result = decisions.vote(ctx, actor(EVE), n, "agree")  # BEN+DAN+EVE = 3 of 5 < 2/3
    assert not result.decided and "two-thirds" in result.explanation
    assert decisions.vote(ctx, actor(ANA), n, "agree").decided  # 4 of 5


def test_deadlock_offers_board_escalation_after_policy_time(ctx: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    n, parties = shepherded_case(ctx)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "object")
    with pytest.raises(GuardFailed):
        decisions.escalate_to_board(ctx, actor(BEN), n)
    clock.advance(days=7)
    decisions.escalate_to_board(ctx, actor(BEN), n)
    assert case_row(ctx, n).state == "escalated"
    with ctx.read() as s:
        mails = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail")).all()
        assert [m.payload["template"] for m in mails] == ["board_escalation"]
        assert s.scalar(select(Proposal.status)) == "escalated"
    decisions.board_decide(ctx, actor(BEN), n, "Board upholds a warning")
    assert case_row(ctx, n).state == "decided" and case_row(ctx, n).decision_rule == "board"


def test_report_concerning_all_chairs_notifies_board(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, by=BEN, involved_user_ids=[ANA, EVE])
    with ctx.read() as s:
        kinds = set(s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == logged.case_id)))
        mail = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mail"))
    assert "board_notified" in kinds
    assert mail is not None and mail.payload["to"] == ["board@example.org"]
    assert ANA not in logged.paged_user_ids and EVE not in logged.paged_user_ids


def test_emergency_action_alerts_group_and_starts_24h_review(ctx: ServiceContext) -> None:
    n, _parties = shepherded_case(ctx)
    action_id = emergency.record_emergency_action(ctx, actor(DAN), n, "Blocked the account")
    with ctx.read() as s:
        due = s.scalar(select(Deadline.due_at).where(Deadline.kind == "emergency_review"))
        alert = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "channel"))
    assert due == ctx.clock.now() + timedelta(hours=24)
    assert alert is not None and alert.payload["template"] == "emergency_action"
    emergency.review_emergency_action(ctx, actor(ANA), n, action_id, "upheld")
    with ctx.read() as s:
        met = s.scalar(select(Deadline.met_at).where(Deadline.kind == "emergency_review"))
    assert met is not None


def test_feedback_then_actions_then_resolve(ctx: ServiceContext) -> None:
    n, parties = shepherded_case(ctx)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "agree")
    decisions.vote(ctx, actor(DAN), n, "agree")
    cases.record_feedback(ctx, actor(BEN), n, "Reporter is content with a warning")
    cases.start_actions(ctx, actor(BEN), n)
    cases.resolve(ctx, actor(BEN), n, actions_taken="Warning sent", review_date=date(2027, 5, 1))
    case = case_row(ctx, n)
    assert case.state == "resolved" and case.resolution_source == "WG"
