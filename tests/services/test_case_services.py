"""Services: one transaction each, timeline events, outbox intents, refusals change nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep, InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Deadline, Recusal
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.read_models import cases as queries
from slack_coc.services import cases, conflicts
from slack_coc.services.steps import take_step
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"


def events(ctx: ServiceContext, case_id: int) -> list[str]:
    with ctx.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def state(ctx: ServiceContext, number: int) -> str:
    with ctx.read() as s:
        return s.scalar(select(Case.state).where(Case.number == number)) or ""


def test_log_report_creates_case_deadlines_card_and_pages(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    assert logged.number == 1 and " " in logged.code_name
    assert state(ctx, 1) == "received"
    assert events(ctx, logged.case_id) == ["logged"]
    with ctx.read() as s:
        kinds = set(s.scalars(select(Deadline.kind).where(Deadline.case_id == logged.case_id)))
        intents = list(s.scalars(select(OutboxMessage.kind)))
    assert {"ack", "ack_any", "reporter_response", "resolution"} <= kinds
    assert "card" in intents and intents.count("dm") == 2
    assert len(logged.paged_user_ids) == 2
    assert new_case(ctx).number == 2


def test_blank_account_names_the_field_and_writes_nothing(ctx: ServiceContext) -> None:
    add_roster(ctx)
    with pytest.raises(InvalidInput) as err:
        new_case(ctx, account="   ")
    assert err.value.field == "account"
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_steps_to_discussion_and_decide_needs_votes(ctx: ServiceContext) -> None:
    add_roster(ctx)
    n = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), n)
    cases.assign_shepherd(ctx, actor(BEN), f"#{n}")
    cases.start_discussion(ctx, actor(BEN), n)
    assert state(ctx, n) == "discussed"
    with pytest.raises(GuardFailed):  # deciding needs the decision rule met (votes)
        take_step(ctx, actor(BEN), n, Trigger.DECIDE)
    assert state(ctx, n) == "discussed"


def test_acknowledge_twice_names_who_did_it_first(ctx: ServiceContext) -> None:
    add_roster(ctx)
    n = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), n)
    with pytest.raises(IllegalStep) as err:
        cases.acknowledge(ctx, actor(BEN), n)
    assert "already acknowledged" in str(err.value) and ANA in str(err.value)
    logged = new_case(ctx)
    assert events(ctx, logged.case_id) == ["logged"]


def test_non_member_and_other_workspace_are_refused(ctx: ServiceContext) -> None:
    add_roster(ctx)
    n = new_case(ctx).number
    with pytest.raises(NotPermitted):
        cases.acknowledge(ctx, actor("U0STRANGER"), n)
    with pytest.raises(NotPermitted):
        cases.acknowledge(ctx, actor(ANA, team="T0OTHER002"), n)
    assert state(ctx, n) == "received"


def test_member_named_in_report_is_recused_and_cannot_see_it(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, involved_user_ids=[CAT], involved_names=["Someone Else"])
    with ctx.read() as s:
        recusals = list(s.scalars(select(Recusal)))
    assert [(r.reason) for r in recusals] == ["concerned"]
    with pytest.raises(NotFound):
        cases.acknowledge(ctx, actor(CAT), logged.number)
    with pytest.raises(NotFound):
        queries.case_detail(ctx, actor(CAT), logged.number, via="test")
    assert all(v.number != logged.number for v in queries.list_cases(ctx, actor(CAT)))
    assert any(v.number == logged.number for v in queries.list_cases(ctx, actor(ANA)))
    assert CAT not in logged.paged_user_ids


def test_recusal_hides_case_and_is_lifted_only_by_chair_with_event(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    conflicts.recuse(ctx, actor(BEN), logged.number, "same_employer")
    with pytest.raises(NotFound):
        queries.case_detail(ctx, actor(BEN), logged.number, via="test")
    with pytest.raises(NotPermitted):
        conflicts.lift_recusal(ctx, actor(CAT), logged.number, BEN, "no longer there")
    conflicts.lift_recusal(ctx, actor(ANA), logged.number, BEN, "left that employer")
    assert queries.case_detail(ctx, actor(BEN), logged.number, via="test").view.number == 1
    assert events(ctx, logged.case_id)[-2:] == ["recused", "recusal_lifted"]


def test_resolve_needs_notes_and_review_date(ctx: ServiceContext) -> None:
    add_roster(ctx)
    n = new_case(ctx, handled_locally=True).number
    with pytest.raises(InvalidInput) as err:
        cases.resolve(ctx, actor(ANA), n, actions_taken="", review_date=date(2027, 1, 1))
    assert err.value.field == "actions_taken"
    cases.keep_on_file(ctx, actor(ANA), n)
    assert state(ctx, n) == "resolved"
    with ctx.read() as s:
        case = s.scalar(select(Case).where(Case.number == n))
        assert case is not None and case.resolution_source == "Local"


def test_new_member_sees_nothing_until_conflicts_declared(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    from slack_coc.services import members

    members.add_member(ctx, "T0TEAM0001", "U0NEW0009", "Newcomer")
    assert queries.list_cases(ctx, actor("U0NEW0009")) == []
    to_declare = conflicts.cases_to_declare(ctx, actor("U0NEW0009"))
    assert [c.code_name for c in to_declare] == [logged.code_name]
    conflicts.declare_conflicts(ctx, actor("U0NEW0009"), [])
    assert [v.number for v in queries.list_cases(ctx, actor("U0NEW0009"))] == [logged.number]


def test_reopen_and_reconsideration_paths(ctx: ServiceContext, clock) -> None:  # type: ignore[no-untyped-def]
    add_roster(ctx)
    n = new_case(ctx, handled_locally=True).number
    cases.keep_on_file(ctx, actor(ANA), n)
    cases.request_reconsideration(ctx, actor(ANA), n, "the reporter")
    assert state(ctx, n) == "reconsideration"
    cases.conclude_reconsideration(ctx, actor(ANA), n, upheld=True, note="")
    assert state(ctx, n) == "resolved"
    clock.advance(days=3)
    cases.reopen(ctx, actor(ANA), n, "a second report arrived")
    assert state(ctx, n) == "acknowledged"
    with ctx.read() as s:
        due = s.scalars(
            select(Deadline.due_at).where(Deadline.kind == "resolution", Deadline.met_at.is_(None))
        ).all()
    assert due == [clock.now() + timedelta(days=7)]


def test_reopen_at_the_instant_of_receipt_reopens_the_same_deadline(ctx: ServiceContext) -> None:
    add_roster(ctx)
    n = new_case(ctx, handled_locally=True).number
    cases.keep_on_file(ctx, actor(ANA), n)
    cases.reopen(ctx, actor(ANA), n, "more came to light")
    with ctx.read() as s:
        rows = s.execute(select(Deadline.met_at).where(Deadline.kind == "resolution")).all()
    assert rows == [(None,)]


def test_a_case_is_shown_only_once_its_viewing_is_in_the_access_log(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The details are read apart from the log's write (so that reading holds no write
    lock), but never returned when the log could not be written."""
    from contextlib import contextmanager

    from slack_coc.context import StoreUnavailable
    from slack_coc.domain.models import AccessLog

    add_roster(ctx)
    logged = new_case(ctx, account="ZQXLOG narrative")
    detail = queries.case_detail(ctx, actor("U0ANA0001"), logged.number, via="test")
    assert detail.details.get("account") == "ZQXLOG narrative"
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(AccessLog)) == 1

    @contextmanager
    def database_away():  # type: ignore[no-untyped-def]
        raise StoreUnavailable("away")
        yield

    monkeypatch.setattr(ctx, "transaction", database_away)
    with pytest.raises(StoreUnavailable):
        queries.case_detail(ctx, actor("U0ANA0001"), logged.number, via="test")
