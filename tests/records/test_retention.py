"""Retention: the right data goes at the right time, the statistics still count the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.decision_models import Proposal, ProposedOutcome
from slack_coc.domain.models import Case, CaseEvent, Party, Person
from slack_coc.reports.periods import Period
from slack_coc.reports.transparency import transparency_report
from slack_coc.services import cases, retention
from slack_coc.services.retention import add_months
from tests.conftest import TEAM, actor
from tests.factories import add_roster
from tests.records.conftest import decided_case

RECEIVED = datetime(2026, 1, 12, 9, tzinfo=UTC)
RESOLVED = RECEIVED + timedelta(days=5)
MARKED = {
    "account": "ZQXRET narrative",
    "involved_names": ["ZQXRET person"],
    "reporter_name": "ZQXRET reporter",
    "reporter_contact": "zqxret@example.org",
}


def case_row(ctx: ServiceContext, number: int) -> Case:
    with ctx.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None
        return case


def item(ctx: ServiceContext, number: int) -> retention.RetentionItem:
    return next(i for i in retention.plan(ctx) if i.number == number)


def test_not_a_violation_is_expunged_at_once_and_still_counted(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    number = decided_case(ctx, clock, RECEIVED, "not_a_violation", **MARKED)
    kept = decided_case(ctx, clock, RECEIVED + timedelta(days=1), "warning")
    assert item(ctx, number).category == "not_a_violation"
    assert item(ctx, number).is_due(clock.now())
    assert retention.sweep(ctx) == 1
    assert retention.sweep(ctx) == 0  # idempotent
    case = case_row(ctx, number)
    assert case.personal_data_expunged_at == clock.now()
    assert case.details == {} and case.resolution_notes is None
    with ctx.read() as s:
        parties = list(s.scalars(select(Party).where(Party.case_id == case.id).order_by(Party.id)))
        assert all(p.name is None and p.contact is None for p in parties)
        notes = s.scalars(select(CaseEvent.note).where(CaseEvent.case_id == case.id))
        assert all(n is None for n in notes)
        rationales = s.scalars(select(Proposal.rationale).where(Proposal.case_id == case.id))
        assert all(r == "" for r in rationales)
        person = s.get_one(Person, parties[-1].person_id)
        assert person.display_name is None and person.name_digest is None
        assert person.code_name  # the code name stays, for patterns
        kinds = list(s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)))
        assert kinds[-1] == "personal_data_expunged"
        outcome = s.scalar(
            select(ProposedOutcome.outcome).join(Party).where(Party.case_id == case.id)
        )
        assert outcome == "not_a_violation"
    assert case_row(ctx, kept).details != {}
    with ctx.read() as s:
        report = transparency_report(s, TEAM, Period.parse("2026-H1"), threshold=2)
    assert report.current.values["Reports"] == 2
    assert report.current.values["Not a violation"] == 1
    assert report.current.values["Warned"] == 1


def test_periods_by_outcome(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    warned = decided_case(ctx, clock, RECEIVED, "warning", involved_names=["A"])
    other = decided_case(ctx, clock, RECEIVED, "no_action", involved_names=["B"])
    banned = decided_case(ctx, clock, RECEIVED, "permanent_ban", involved_names=["C"])
    suspended = decided_case(
        ctx, clock, RECEIVED, "suspension_short", involved_names=["D"], ends_on_days=60
    )
    plan = {i.number: i for i in retention.plan(ctx)}
    assert (plan[warned].category, plan[warned].due_at) == ("flagged", add_months(RESOLVED, 26))
    assert (plan[other].category, plan[other].due_at) == ("resolved", add_months(RESOLVED, 14))
    assert (plan[banned].category, plan[banned].due_at) == ("banned", None)
    assert plan[suspended].category == "suspended"
    assert plan[suspended].due_at is not None and plan[suspended].due_at > add_months(RESOLVED, 27)
    clock.set(add_months(RESOLVED, 14) - timedelta(minutes=1))
    assert retention.sweep(ctx) == 0
    clock.set(add_months(RESOLVED, 14))
    assert retention.sweep(ctx) == 1
    assert case_row(ctx, other).personal_data_expunged_at is not None
    assert case_row(ctx, warned).personal_data_expunged_at is None
    clock.set(add_months(RESOLVED, 26))
    assert retention.sweep(ctx) == 1
    clock.set(datetime(2040, 1, 1, tzinfo=UTC))
    retention.sweep(ctx)
    assert case_row(ctx, banned).personal_data_expunged_at is None


def test_a_new_violation_of_the_same_person_extends_the_earlier_record(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    first = decided_case(ctx, clock, RECEIVED, "warning", involved_user_ids=["U0OUT0100"])
    assert item(ctx, first).due_at == add_months(RESOLVED, 26)
    later = datetime(2027, 1, 11, 9, tzinfo=UTC)
    second = decided_case(
        ctx, clock, later, "warning", resolve=False, involved_user_ids=["U0OUT0100"]
    )
    held = item(ctx, first)
    assert held.held_by == second and held.due_at is None
    clock.set(later + timedelta(days=5))
    cases.record_feedback(ctx, actor("U0BEN0002"), second, "Heard.")
    cases.resolve(
        ctx, actor("U0BEN0002"), second, actions_taken="Done.", review_date=clock.now().date()
    )
    extended = item(ctx, first)
    assert extended.extended_by == second
    assert extended.due_at == add_months(later + timedelta(days=5), 26)
    clock.set(add_months(RESOLVED, 26) + timedelta(days=1))
    assert retention.sweep(ctx) == 0
    assert case_row(ctx, first).personal_data_expunged_at is None


def test_raw_mail_of_the_case_is_expunged(ctx: ServiceContext, clock: FrozenClock) -> None:
    from slack_coc.domain.mail_models import MailMessage

    add_roster(ctx)
    number = decided_case(ctx, clock, RECEIVED, "not_a_violation")
    case_id = case_row(ctx, number).id
    with ctx.transaction() as s:
        s.add(
            MailMessage(
                team_id=TEAM,
                case_id=case_id,
                direction="in",
                status="received",
                subject="ZQXMAIL subject",
                from_addr="zqxmail@example.org",
                body="ZQXMAIL body",
                raw="ZQXMAIL raw",
                flags={"attachments": 0},
                created_at=clock.now(),
            )
        )
    assert retention.sweep(ctx) == 1
    with ctx.read() as s:
        mail = s.scalar(select(MailMessage))
        assert mail is not None
        assert (mail.raw, mail.body, mail.subject, mail.from_addr) == (None, None, None, None)
        assert mail.flags == {"attachments": 0}
        remaining = s.execute(text("SELECT count(*) FROM mail_message WHERE raw IS NOT NULL"))
        assert remaining.scalar() == 0


def test_synthetic_cases_are_left_alone(ctx: ServiceContext, clock: FrozenClock) -> None:
    from slack_coc.reports.synthetic import seed_cases

    seed_cases(ctx, TEAM, 50, seed=3)
    assert retention.plan(ctx) == []
    assert retention.sweep(ctx) == 0


def test_a_scheduled_sweep_expunges_a_backlog_a_batch_at_a_time_longest_due_first(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    """The worker's sweep takes at most `limit` cases a run (a backlog must not hold the
    worker for minutes while reports come in); the longest due go first, the rest next run."""
    add_roster(ctx)
    first = decided_case(ctx, clock, RECEIVED, "not_a_violation")
    second = decided_case(ctx, clock, RECEIVED + timedelta(days=1), "not_a_violation")
    third = decided_case(ctx, clock, RECEIVED + timedelta(days=2), "not_a_violation")
    due = [i for i in retention.plan(ctx) if i.is_due(clock.now())]
    assert {i.number for i in due} == {first, second, third}
    assert retention.sweep(ctx, limit=2) == 2
    expunged = {n for n in (first, second, third) if case_row(ctx, n).personal_data_expunged_at}
    longest_due = sorted(due, key=lambda i: i.due_at or clock.now())[:2]
    assert expunged == {i.number for i in longest_due}
    assert retention.sweep(ctx, limit=2) == 1
    assert all(case_row(ctx, n).personal_data_expunged_at for n in (first, second, third))
