"""Transparency statistics: periods, columns, suppression that survives subtraction, trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput
from slack_coc.reports.periods import Period
from slack_coc.reports.render import (
    transparency_csv_files,
    transparency_markdown,
    transparency_summary_csv,
)
from slack_coc.reports.suppression import Group, Status, suppress
from slack_coc.reports.synthetic import seed_cases
from slack_coc.reports.transparency import (
    TRANSPARENCY_COLUMNS,
    TransparencyReport,
    month_key,
    transparency_report,
)
from tests.conftest import TEAM
from tests.factories import add_roster
from tests.records.conftest import decided_case

PROCESS_TRANSPARENCY = (
    "Reports · People Named · Actions (DSF) · Actions (Local) · Not a violation · Out of scope · "
    "Warned · Suspended · Banned · Other · No Action"
)


def report_for(ctx: ServiceContext, period: str, **kw: bool) -> TransparencyReport:
    with ctx.read() as s:
        return transparency_report(
            s, TEAM, Period.parse(period), threshold=ctx.policy.small_count_threshold, **kw
        )


def test_columns_are_those_of_process_md() -> None:
    assert list(TRANSPARENCY_COLUMNS) == PROCESS_TRANSPARENCY.split(" · ")


@pytest.mark.parametrize(
    ("text", "start", "end", "previous"),
    [
        ("2026", datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "2025"),
        ("2026-H1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC), "2025-H2"),
        ("2026-h2", datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), "2026-H1"),
    ],
)
def test_periods(text: str, start: datetime, end: datetime, previous: str) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.previous().label) == (start, end, previous)
    assert len(period.months()) == (12 if period.half is None else 6)


@pytest.mark.parametrize("bad", ["2026-H3", "26", "2026H1", "2026-Q1", ""])
def test_bad_period_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="unknown period"):
        Period.parse(bad)


def many_cases(ctx: ServiceContext, clock: FrozenClock) -> None:
    """2026-H1: 4 warnings, 3 not-a-violation, 1 permanent ban, 1 open case (by date received);
    2025-H2: 3 warnings. Case 1 of H1 names two people."""
    add_roster(ctx)
    base = datetime(2026, 1, 10, 9, tzinfo=UTC)
    for i in range(3):
        decided_case(ctx, clock, datetime(2025, 8 + i, 3, tzinfo=UTC), "warning")
    decided_case(ctx, clock, base, "warning", involved_names=["P one", "P two"])
    for i in range(3):
        decided_case(ctx, clock, base + timedelta(days=30 * (i + 1)), "warning")
    for i in range(3):
        decided_case(ctx, clock, base + timedelta(days=31, hours=i), "not_a_violation")
    decided_case(ctx, clock, base + timedelta(days=100), "permanent_ban")
    decided_case(ctx, clock, base + timedelta(days=110), "warning", resolve=False)


def test_counts_by_date_received_with_small_counts_suppressed(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    many_cases(ctx, clock)
    report = report_for(ctx, "2026-H1")
    cur = report.current
    assert cur.values["Reports"] == 9 and cur.values["People Named"] == 10
    assert cur.values["Warned"] == 6 and cur.values["Not a violation"] == 3
    assert cur.values["Banned"] == 1 and cur.values["Actions (DSF)"] == 8
    assert cur.shown["Banned"].text == "<3"
    # Banned is hidden, so People Named must not be exact (else 10 - 6 - 3 = 1).
    assert cur.shown["People Named"].status is Status.BOUNDED
    assert cur.shown["Warned"].text == "6" and cur.shown["Not a violation"].text == "3"
    assert report.previous.values["Reports"] == 3
    assert cur.first_response.count == 9
    assert cur.first_response.average_hours == pytest.approx(3.0)
    assert cur.resolution.median_hours == pytest.approx(5 * 24.0)
    markdown = transparency_markdown(report)
    assert "| 2026-H1 | 9+ |" in markdown and "3.0 h" in markdown
    assert "| Permanent ban | <3 | 0 |" in markdown
    assert "Trend against 2025-H2" in markdown and "| Warned | 3 | 6 | +3 |" in markdown
    assert "| Reports | 3+ | 9+ | n/a |" in markdown
    summary = transparency_summary_csv(report).splitlines()
    assert summary[0] == "Period," + ",".join(TRANSPARENCY_COLUMNS)
    assert len(transparency_csv_files(report)) == 6


def test_year_and_halves_and_the_previous_period(ctx: ServiceContext, clock: FrozenClock) -> None:
    many_cases(ctx, clock)
    year, h1, h2 = (report_for(ctx, p) for p in ("2026", "2026-H1", "2026-H2"))
    assert year.current.values["Reports"] == 9 and h1.current.values["Reports"] == 9
    assert h2.current.values["Reports"] == 0 and h2.previous.period.label == "2026-H1"
    assert year.previous.values["Reports"] == 3
    months = [year.current.values[month_key(m)] for m in year.current.months]
    assert sum(months) == 9 and months[0] == 1


def test_synthetic_cases_are_never_counted(ctx: ServiceContext, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 12, 31, tzinfo=UTC))
    seed_cases(ctx, TEAM, 300, seed=7)
    report = report_for(ctx, "2026")
    assert report.current.values["Reports"] == 0 and report.current.values["People Named"] == 0
    counted = report_for(ctx, "2026", include_synthetic=True)
    assert counted.current.values["Reports"] > 50


def reader_can_recover(values: dict[str, int], groups: list[Group], threshold: int) -> bool:
    """Could a reader work out a hidden cell exactly from what is shown? Enumerates every
    assignment of the leaf cells consistent with the shown cells and every group's sum. A
    hidden leaf is tried over a narrow range only (0..4 holds every true value here): fewer
    alternatives can only make a cell look more recoverable, so the check errs strict."""
    shown = suppress(values, groups, threshold)
    totals = [g.total for g in groups]
    leaves = sorted({m for g in groups for m in (*g.parts, *g.hidden)} - set(totals))
    helpers = {h for g in groups for h in g.hidden}

    def allowed(key: str) -> range:
        if key in helpers:
            return range(0, 13)
        if shown[key].exact:
            return range(values[key], values[key] + 1)
        if shown[key].status is Status.SMALL:
            return range(1, threshold + 1)
        return range(0, 5)

    def fits(key: str, value: int) -> bool:
        if key in helpers or shown[key].status in (Status.SECONDARY, Status.BOUNDED):
            return True
        return value in allowed(key)

    completions = []
    for combo in product(*(allowed(k) for k in leaves)):
        cells = dict(zip(leaves, combo, strict=True))
        consistent = True
        for group in reversed(groups):  # inner totals (a) before outer ones (T)
            value = sum(cells[m] for m in (*group.parts, *group.hidden))
            if group.total in cells and cells[group.total] != value:
                consistent = False
                break
            cells[group.total] = value
            consistent = consistent and fits(group.total, value)
        if consistent:
            completions.append(cells)
    hidden = [k for k in shown if k not in helpers and not shown[k].exact]
    return any(len({c[k] for c in completions}) == 1 for k in hidden)


GROUPS = [
    Group("T", ["a", "b", "c"]),
    Group("T", ["m1", "m2"], ["rest"]),
    Group("a", ["a1", "a2"]),
]


@settings(max_examples=150, deadline=None, derandomize=True)
@example([0, 0, 2, 2, 3, 1])  # cases hypothesis found against earlier versions
@example([0, 0, 1, 1, 0, 0])
@example([0, 0, 0, 1, 0, 0])
@given(st.lists(st.integers(0, 3), min_size=6, max_size=6))
def test_suppressed_cells_cannot_be_recovered_by_subtraction(parts: list[int]) -> None:
    a1, a2, b, c, m1, m2 = parts
    total = a1 + a2 + b + c
    rest = max(0, total - m1 - m2)
    m2 = total - m1 - rest if m1 + m2 > total else m2
    values = {
        "a1": a1,
        "a2": a2,
        "a": a1 + a2,
        "b": b,
        "c": c,
        "T": total,
        "m1": m1,
        "m2": max(0, m2),
        "rest": rest,
    }
    if values["m1"] + values["m2"] + rest != total:
        return
    shown = suppress(values, GROUPS, 2)
    assert all(
        shown[k].text in ("<3", "*") for k, v in values.items() if 1 <= v <= 2 and k != "rest"
    )
    assert not reader_can_recover(values, GROUPS, 2)


def test_a_single_small_cell_makes_the_total_a_lower_bound() -> None:
    values = {"T": 10, "a": 2, "b": 8}
    shown = suppress(values, [Group("T", ["a", "b"])], 2)
    assert (shown["a"].text, shown["b"].text, shown["T"].text) == ("<3", "8", "9+")


def test_a_second_breakdown_of_a_bounded_total_gets_a_cell_hidden() -> None:
    values = {"T": 10, "a": 2, "b": 8, "x": 4, "y": 6}
    groups = [Group("T", ["a", "b"]), Group("T", ["x", "y"])]
    shown = suppress(values, groups, 2)
    assert shown["T"].status is Status.BOUNDED
    assert shown["x"].text == "*" and shown["y"].text == "6"
