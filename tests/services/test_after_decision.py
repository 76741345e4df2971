"""After a decision (docs/process.md "Reporter feedback", "Ongoing actions"): nothing is
carried out before the reporter's feedback, or why there is none, is on the record; actions
are recorded in rounds and Resolve waits until each is done; the sweep reminds the shepherd
of overdue feedback and each owner of a due action, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import GuardFailed, InvalidInput, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Deadline
from slack_coc.domain.process_models import CaseAction
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.queues.sweep_models import SentNotice
from slack_coc.read_models.case_views import WAITING_FOR_FEEDBACK
from slack_coc.read_models.cases import card_view
from slack_coc.services import cases, decisions, feedback
from slack_coc.services.actions import NewAction, record_actions
from slack_coc.services.deadlines import sweep_due
from tests.conftest import actor
from tests.services.test_decision_services import BEN, CAT, DAN, EVE, shepherded_case, warn_all

ANA = "U0ANA0001"


def decided(ctx: ServiceContext, **kw: object) -> int:
    n, parties = shepherded_case(ctx, **kw)
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "agree")
    result = decisions.vote(ctx, actor(DAN), n, "agree")
    assert result.decided
    return n


def row(ctx: ServiceContext, n: int) -> Case:
    with ctx.read() as s:
        case = s.scalar(select(Case).where(Case.number == n))
        assert case is not None
        return case


def intents(ctx: ServiceContext, template: str) -> list[OutboxMessage]:
    with ctx.read() as s:
        return [
            m
            for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.payload.get("template") == template
        ]


def resolve(ctx: ServiceContext, n: int) -> None:
    review = ctx.clock.now().date() + timedelta(days=90)
    cases.resolve(ctx, actor(BEN), n, actions_taken="Warning sent.", review_date=review)


def test_enactment_is_refused_until_the_feedback_is_recorded(ctx: ServiceContext) -> None:
    n = decided(ctx)
    assert row(ctx, n).feedback_settled_at is None
    with pytest.raises(GuardFailed, match="reporter's feedback"):
        cases.start_actions(ctx, actor(BEN), n)
    with pytest.raises(GuardFailed, match="reporter's feedback"):
        resolve(ctx, n)
    case = row(ctx, n)
    assert case.state == "decided" and case.resolution_notes is None  # nothing half-saved
    with ctx.read() as s:
        view = card_view(ctx, s, s.get(Case, row(ctx, n).id))
    assert WAITING_FOR_FEEDBACK in view.flags
    assert [t.value for t in view.allowed] == ["record_feedback"]

    cases.record_feedback(ctx, actor(BEN), n, "The reporter thinks a warning is fair.")
    with ctx.read() as s:
        view = card_view(ctx, s, s.get(Case, row(ctx, n).id))
        feedback_deadline = s.scalar(select(Deadline).where(Deadline.kind == "feedback"))
    assert WAITING_FOR_FEEDBACK not in view.flags
    assert {t.value for t in view.allowed} >= {"start_actions", "resolve"}
    assert feedback_deadline is not None and feedback_deadline.met_at is not None
    resolve(ctx, n)
    assert row(ctx, n).state == "resolved"


def test_the_decision_asks_the_shepherd_and_offers_the_proposed_resolution(
    ctx: ServiceContext,
) -> None:
    n, parties = shepherded_case(ctx, reporter_contact="reporter@example.org")
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "agree")
    result = decisions.vote(ctx, actor(DAN), n, "agree")
    assert result.decided and result.offer_mail == "proposed_resolution"
    [ask] = intents(ctx, "feedback_requested")
    assert ask.recipient == BEN and ask.payload["offer_mail"] == "proposed_resolution"
    with ctx.read() as s:
        due = s.scalar(select(Deadline.due_at).where(Deadline.kind == "feedback"))
    assert due == ctx.clock.now() + timedelta(days=7)


def test_without_an_address_nothing_is_offered(ctx: ServiceContext) -> None:
    n, parties = shepherded_case(ctx, reporter_contact="")
    decisions.propose(ctx, actor(BEN), n, warn_all(parties), "rationale")
    decisions.vote(ctx, actor(CAT), n, "agree")
    assert decisions.vote(ctx, actor(DAN), n, "agree").offer_mail is None
    [ask] = intents(ctx, "feedback_requested")
    assert ask.payload["offer_mail"] is None


def test_no_answer_is_accepted_only_after_the_policy_time(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    n = decided(ctx)
    with pytest.raises(NotPermitted, match="has until"):
        feedback.record_no_feedback(ctx, actor(BEN), n, "no_answer")
    assert row(ctx, n).feedback_settled_at is None
    clock.advance(days=7, minutes=1)
    feedback.record_no_feedback(ctx, actor(BEN), n, "no_answer", "Two mails, no reply.")
    assert row(ctx, n).feedback_settled_at is not None
    with ctx.read() as s:
        event = s.scalars(select(CaseEvent).where(CaseEvent.kind == "record_feedback")).one()
    assert event.data == {"feedback": "none", "reason": "no_answer"}
    cases.start_actions(ctx, actor(BEN), n)


@pytest.mark.parametrize("reason", ["not_to_be_contacted", "anonymous"])
def test_other_reasons_for_no_feedback_settle_at_once(ctx: ServiceContext, reason: str) -> None:
    n = decided(ctx)
    feedback.record_no_feedback(ctx, actor(BEN), n, reason)
    resolve(ctx, n)
    assert row(ctx, n).state == "resolved"


def test_an_unknown_reason_names_the_choices(ctx: ServiceContext) -> None:
    n = decided(ctx)
    with pytest.raises(InvalidInput, match="anonymous") as err:
        feedback.record_no_feedback(ctx, actor(BEN), n, "busy")
    assert err.value.field == "none_reason"


def test_the_sweep_reminds_the_shepherd_of_overdue_feedback_once(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    n = decided(ctx)
    clock.advance(days=7, hours=1)
    sweep_due(ctx)
    sweep_due(ctx)
    overdue = intents(ctx, "feedback_overdue")
    assert sorted((m.kind, m.recipient) for m in overdue) == [("channel", None), ("dm", BEN)]
    cases.record_feedback(ctx, actor(BEN), n, "Late, but heard.")
    clock.advance(days=1)
    sweep_due(ctx)
    assert len(intents(ctx, "feedback_overdue")) == 2


def test_actions_in_rounds_then_resolve(ctx: ServiceContext, clock: FrozenClock) -> None:
    n = decided(ctx)
    cases.record_feedback(ctx, actor(BEN), n, "Fine.")
    cases.start_actions(ctx, actor(BEN), n)
    due = clock.now().date() + timedelta(days=3)
    record_actions(ctx, actor(BEN), n, new=NewAction("Send the warning", BEN, due))
    record_actions(ctx, actor(BEN), n, new=NewAction("Remove the posts", CAT, due))
    assert [m.recipient for m in intents(ctx, "action_assigned")] == [BEN, CAT]
    with ctx.read() as s:
        first, second = s.scalars(select(CaseAction).order_by(CaseAction.id)).all()
        assert first.round == second.round == 1
        view = card_view(ctx, s, s.get(Case, row(ctx, n).id))
    assert [t.value for t in view.allowed] == ["record_actions"]
    with pytest.raises(GuardFailed, match="every action"):
        resolve(ctx, n)
    with pytest.raises(NotPermitted, match="round 1 still has actions"):
        record_actions(
            ctx, actor(BEN), n, new=NewAction("Check in a month", BEN, due), new_round=True
        )
    record_actions(ctx, actor(CAT), n, done=[first.id, second.id])
    record_actions(ctx, actor(BEN), n, new=NewAction("Check in again", EVE, due), new_round=True)
    with ctx.read() as s:
        third = s.scalars(select(CaseAction).order_by(CaseAction.id.desc())).first()
        assert third is not None and third.round == 2 and third.done_at is None
        met = s.scalars(select(Deadline.met_at).where(Deadline.kind == f"action:{first.id}")).one()
    assert met is not None
    with pytest.raises(GuardFailed):
        resolve(ctx, n)
    record_actions(ctx, actor(EVE), n, done=[third.id])
    with ctx.read() as s:
        assert "resolve" in [
            t.value for t in card_view(ctx, s, s.get(Case, row(ctx, n).id)).allowed
        ]
    resolve(ctx, n)
    assert row(ctx, n).state == "resolved"


def test_an_action_needs_owner_and_date_and_a_case_carrying_out_actions(
    ctx: ServiceContext,
) -> None:
    n = decided(ctx)
    due = ctx.clock.now().date() + timedelta(days=3)
    with pytest.raises(InvalidInput, match="Who"):
        record_actions(ctx, actor(BEN), n, new=NewAction("Send it", None, due))
    with pytest.raises(InvalidInput, match="By when"):
        record_actions(ctx, actor(BEN), n, new=NewAction("Send it", BEN, None))
    with pytest.raises(InvalidInput, match="past"):
        record_actions(ctx, actor(BEN), n, new=NewAction("Send it", BEN, due - timedelta(9)))
    with pytest.raises(Exception, match="decided"):  # not carrying out actions yet
        record_actions(ctx, actor(BEN), n, new=NewAction("Send it", BEN, due))


def test_a_due_action_reminds_its_owner_once(ctx: ServiceContext, clock: FrozenClock) -> None:
    n = decided(ctx)
    cases.record_feedback(ctx, actor(BEN), n, "Fine.")
    cases.start_actions(ctx, actor(BEN), n)
    due = clock.now().date() + timedelta(days=2)
    record_actions(ctx, actor(BEN), n, new=NewAction("Send the warning", CAT, due))
    clock.advance(days=3)
    sweep_due(ctx)
    sweep_due(ctx)
    [reminder] = intents(ctx, "action_due")
    assert reminder.kind == "dm" and reminder.recipient == CAT
    assert "Send the warning" not in str(reminder.payload)
    with ctx.read() as s:
        assert s.scalar(select(SentNotice).where(SentNotice.key.like("dl:%:action:%"))) is not None
