"""Types of violation: recorded per reported person at the decision (policy list), counted
by the transparency report with the same small-count suppression as every other cell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.config import DEFAULT_VIOLATION_TYPES, ConfigError, Policy
from slack_coc.context import ServiceContext
from slack_coc.domain.decision_models import ProposedOutcome
from slack_coc.domain.errors import InvalidInput
from slack_coc.reports.periods import Period
from slack_coc.reports.render import transparency_csv_files, transparency_markdown
from slack_coc.reports.transparency import transparency_report, violation_key
from tests.conftest import TEAM
from tests.factories import add_roster
from tests.records.conftest import decided_case

H1 = datetime(2026, 2, 2, 9, tzinfo=UTC)


def test_defaults_are_the_django_list_and_the_policy_file_may_change_them() -> None:
    assert Policy().violation_types[0] == "Harassment" and "Other" in Policy().violation_types
    assert len(DEFAULT_VIOLATION_TYPES) == 8
    custom = Policy.from_mapping({"violation_types": ["Spam", "Other"]})
    assert custom.violation_types == ["Spam", "Other"]
    with pytest.raises(ConfigError, match="violation_types"):
        Policy.from_mapping({"violation_types": []})
    with pytest.raises(ConfigError, match="violation_types"):
        Policy.from_mapping({"violation_types": ["Spam", "spam"]})


def test_the_decision_records_the_types_per_person(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    decided_case(ctx, clock, H1, "warning", violation_types=("Harassment", "Personal attacks"))
    with ctx.read() as s:
        kinds = s.scalars(select(ProposedOutcome.violation_types)).one()
    assert kinds == ["Harassment", "Personal attacks"]


def test_unknown_types_and_types_on_no_violation_are_refused(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    with pytest.raises(InvalidInput, match="Unknown type"):
        decided_case(ctx, clock, H1, "warning", violation_types=("Littering",))
    with pytest.raises(InvalidInput, match="not a violation"):
        decided_case(ctx, clock, H1, "not_a_violation", violation_types=("Harassment",))


def test_the_report_counts_types_with_small_counts_suppressed(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    for _ in range(3):
        decided_case(ctx, clock, H1, "warning", violation_types=("Harassment",))
    decided_case(
        ctx, clock, H1, "permanent_ban", violation_types=("Harassment", "Threats or violence")
    )
    decided_case(ctx, clock, H1, "not_a_violation")
    with ctx.read() as s:
        report = transparency_report(s, TEAM, Period.parse("2026-H1"), threshold=2)
    cur = report.current
    assert cur.values[violation_key("Harassment")] == 4
    assert cur.shown[violation_key("Harassment")].text == "4"
    assert cur.shown[violation_key("Threats or violence")].text == "<3"
    assert cur.shown[violation_key("Sustained disruption")].text == "0"
    assert list(cur.violation_types) == list(DEFAULT_VIOLATION_TYPES)
    markdown = transparency_markdown(report)
    assert "## Types of violations" in markdown
    assert "| Harassment | 4 | 0 |" in markdown
    assert "| Threats or violence | <3 | 0 |" in markdown
    files = transparency_csv_files(report)
    assert "Harassment,4,0" in files["transparency-2026-H1-violations.csv"]
