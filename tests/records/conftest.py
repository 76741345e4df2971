"""Builders for the records tests: whole cases through the services, at chosen dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole
from slack_coc.domain.models import Party
from slack_coc.services import cases, decisions
from slack_coc.services.decisions import OutcomeInput
from tests.conftest import actor
from tests.factories import new_case

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"


def reported_parties(ctx: ServiceContext, case_id: int) -> list[int]:
    with ctx.read() as s:
        return list(
            s.scalars(
                select(Party.id)
                .where(Party.case_id == case_id, Party.role == PartyRole.REPORTED.value)
                .order_by(Party.id)
            )
        )


def decided_case(
    ctx: ServiceContext,
    clock: FrozenClock,
    at: datetime,
    outcome: str = "warning",
    *,
    resolve: bool = True,
    ack_after: timedelta = timedelta(hours=3),
    resolve_after: timedelta = timedelta(days=5),
    ends_on_days: int | None = None,
    violation_types: tuple[str, ...] = (),
    **report: object,
) -> int:
    """A case received at `at`, acknowledged, decided with `outcome` for every reported
    person and (by default) resolved. Returns the case number."""
    clock.set(at)
    if "involved_user_ids" not in report:
        report.setdefault("involved_names", ["Reported Person"])
    logged = new_case(ctx, **report)
    number = logged.number
    clock.set(at + ack_after)
    cases.acknowledge(ctx, actor(ANA), number)
    cases.assign_shepherd(ctx, actor(BEN), number)
    ends_on = (
        clock.now().date() + timedelta(days=ends_on_days) if ends_on_days is not None else None
    )
    conditions = "Conditions for return" if outcome == "suspension_extended" else None
    outcomes = [
        OutcomeInput(
            p, outcome, ends_on=ends_on, conditions=conditions, violation_types=violation_types
        )
        for p in reported_parties(ctx, logged.case_id)
    ]
    decisions.propose(ctx, actor(BEN), number, outcomes, "Rationale for the decision.")
    decisions.vote(ctx, actor(CAT), number, "agree")
    decisions.vote(ctx, actor(DAN), number, "agree")
    if resolve:
        clock.set(at + resolve_after)
        cases.record_feedback(ctx, actor(BEN), number, "The reporter is content.")
        cases.resolve(
            ctx,
            actor(BEN),
            number,
            actions_taken="Actions taken and outcome.",
            review_date=clock.now().date() + timedelta(days=30),
        )
    return number


def review_day(clock: FrozenClock) -> date:
    return clock.now().date() + timedelta(days=30)


# The end-to-end fixtures (the app over HTTP against the fake Slack) for the Slack tests.
from tests.e2e.conftest import app_server, e2e_runtime  # noqa: E402, F401
