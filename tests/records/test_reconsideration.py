"""A changed reconsideration changes the record: the board's new outcome per reported person
replaces the decision in the records export, retention (counted from the new resolution)
and the statistics; an upheld one changes no outcome."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.models import Case, CaseEvent, Deadline, Party
from slack_coc.reports.periods import Period
from slack_coc.reports.records import record_rows
from slack_coc.reports.transparency import transparency_report, violation_key
from slack_coc.services import cases, retention
from slack_coc.services.decisions import OutcomeInput
from slack_coc.services.retention import add_months
from tests.conftest import TEAM, actor
from tests.factories import add_roster
from tests.records.conftest import decided_case

BEN = "U0BEN0002"
RECEIVED = datetime(2026, 1, 12, 9, tzinfo=UTC)


def reported(ctx: ServiceContext, number: int) -> list[int]:
    with ctx.read() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        return list(
            s.scalars(
                select(Party.id).where(
                    Party.case_id == case.id, Party.role == PartyRole.REPORTED.value
                )
            )
        )


def item(ctx: ServiceContext, number: int) -> retention.RetentionItem:
    return next(i for i in retention.plan(ctx) if i.number == number)


def reconsider(ctx: ServiceContext, clock: FrozenClock, number: int) -> None:
    clock.advance(days=30)
    cases.request_reconsideration(ctx, actor(BEN), number, "The reported person")
    clock.advance(days=10)


def test_a_changed_reconsideration_moves_records_retention_and_statistics(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    number = decided_case(
        ctx,
        clock,
        RECEIVED,
        "suspension_short",
        ends_on_days=60,
        violation_types=("Personal attacks",),
    )
    with ctx.read() as s:
        [before] = list(record_rows(s, TEAM))
    assert item(ctx, number).category == "suspended"
    reconsider(ctx, clock, number)
    [party] = reported(ctx, number)
    cases.conclude_reconsideration(
        ctx,
        actor(BEN),
        number,
        upheld=False,
        note="The board found it was not a violation.",
        outcomes=[OutcomeInput(party, "not_a_violation")],
    )
    concluded = clock.now()
    with ctx.read() as s:
        [after] = list(record_rows(s, TEAM))
        case = s.scalars(select(Case).where(Case.number == number)).one()
        open_ends = s.scalars(
            select(Deadline).where(Deadline.kind == "suspension_end", Deadline.met_at.is_(None))
        ).all()
        event = s.scalars(
            select(CaseEvent).where(CaseEvent.kind == "conclude_reconsideration")
        ).one()
    assert before != after
    assert "Not a violation" in after and "Board" in after
    assert case.state == "resolved" and case.resolved_at == concluded
    assert open_ends == []  # the suspension no longer ends: there is none
    assert event.data == {"result": "changed", "outcomes": ["not_a_violation"]}
    moved = item(ctx, number)
    assert moved.category == "not_a_violation"
    with ctx.read() as s:
        report = transparency_report(s, TEAM, Period.parse("2026-H1"), threshold=0)
    assert report.current.values["Not a violation"] == 1
    assert report.current.values["Suspended"] == 0
    assert report.current.values[violation_key("Personal attacks")] == 0


def test_a_changed_outcome_counts_retention_from_the_board_date(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    number = decided_case(ctx, clock, RECEIVED, "not_a_violation")
    reconsider(ctx, clock, number)
    [party] = reported(ctx, number)
    cases.conclude_reconsideration(
        ctx,
        actor(BEN),
        number,
        upheld=False,
        note="",
        outcomes=[OutcomeInput(party, "warning", violation_types=("Harassment",))],
    )
    moved = item(ctx, number)
    assert moved.category != "not_a_violation"
    assert moved.due_at == add_months(clock.now(), 26)


def test_upheld_changes_no_outcome_and_changed_needs_the_outcomes(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    number = decided_case(ctx, clock, RECEIVED, "warning")
    with ctx.read() as s:
        [before] = list(record_rows(s, TEAM))
    reconsider(ctx, clock, number)
    with pytest.raises(InvalidInput, match="new outcome"):
        cases.conclude_reconsideration(ctx, actor(BEN), number, upheld=False, note="")
    with pytest.raises(InvalidInput, match="Unknown outcome"):
        cases.conclude_reconsideration(
            ctx,
            actor(BEN),
            number,
            upheld=False,
            note="",
            outcomes=[OutcomeInput(reported(ctx, number)[0], "jail")],
        )
    cases.conclude_reconsideration(ctx, actor(BEN), number, upheld=True, note="Upheld.")
    with ctx.read() as s:
        [after] = list(record_rows(s, TEAM))
    assert after[8] == before[8] and after[4] == "Board"  # same consequences; the board's word
