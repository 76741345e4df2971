"""The transparency charts cannot be misread: suppressed counts are hatched bars at the least
they can be, labelled as the tables show them; an empty period is a sentence; every bar
carries its value; every title names the period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slack_coc.reports import charts
from slack_coc.reports.periods import Period
from slack_coc.reports.suppression import Shown, Status
from slack_coc.reports.transparency import (
    Durations,
    PeriodStats,
    TransparencyReport,
    month_key,
)
from slack_coc.services.outcomes import OUTCOME_COLUMNS

NONE = Durations(0, None, None)


def stats(period: Period, shown: dict[str, Shown], times: Durations = NONE) -> PeriodStats:
    cells = {month_key(label): Shown(0, Status.EXACT, "0") for label, *_ in period.months()}
    cells.update({c: Shown(0, Status.EXACT, "0") for c in OUTCOME_COLUMNS})
    cells.update(shown)
    return PeriodStats(period, {}, times, times, cells)


def report(current: dict[str, Shown], times: Durations = NONE) -> TransparencyReport:
    period = Period(2026, 1)
    return TransparencyReport(
        current=stats(period, current, times), previous=stats(period.previous(), {}), threshold=2
    )


@pytest.fixture
def plt() -> Any:
    return charts._pyplot()


def texts(fig: Any) -> list[str]:
    found = [t.get_text() for ax in fig.axes for t in ax.texts]
    found += [ax.get_title() for ax in fig.axes] + [t.get_text() for t in fig.texts]
    return found


def bars(fig: Any) -> list[Any]:
    return [p for p in fig.axes[0].patches if p.get_width() > 0]


def test_a_bounded_total_is_a_hatched_bar_at_its_lower_bound_never_smaller_than_small(
    plt: Any,
) -> None:
    month = month_key("2026-01")
    other = month_key("2026-02")
    fig = charts.reports_per_month(
        plt,
        report({month: Shown(9, Status.BOUNDED, "7+"), other: Shown(1, Status.SMALL, "<3")}),
    )
    drawn = bars(fig)
    bounded, small = drawn[0], drawn[1]
    assert bounded.get_height() == 7 and bounded.get_hatch() == charts.HATCH  # not 9, not 0
    assert small.get_height() == 1 and small.get_hatch() == charts.HATCH
    assert bounded.get_height() > small.get_height()
    assert {"7+", "<3"} <= set(texts(fig))
    assert charts.NOTE in texts(fig)
    plt.close(fig)


def test_a_hidden_cell_is_a_labelled_outline_not_a_zero(plt: Any) -> None:
    column = next(iter(OUTCOME_COLUMNS))
    fig = charts.outcomes_by_period(plt, report({column: Shown(4, Status.SECONDARY, "*")}))
    hidden = [b for b in bars(fig) if b.get_hatch() == charts.HATCH]
    assert len(hidden) == 1 and hidden[0].get_height() == 1 and not hidden[0].get_fill()
    assert "*" in texts(fig)
    plt.close(fig)


def test_exact_values_are_labelled_and_the_axis_counts_whole_reports(plt: Any) -> None:
    fig = charts.reports_per_month(plt, report({month_key("2026-03"): Shown(4, Status.EXACT, "4")}))
    assert "4" in texts(fig)
    ticks = fig.axes[0].get_yticks()
    assert min(ticks) >= 0 and all(float(t).is_integer() for t in ticks)
    assert charts.NOTE not in texts(fig)
    plt.close(fig)


def test_an_empty_period_is_a_sentence_on_every_chart(plt: Any) -> None:
    empty = report({})
    for build, sentence in (
        (charts.reports_per_month, "No reports were received in 2026-H1."),
        (charts.outcomes_by_period, "No outcomes were recorded in 2025-H2 or 2026-H1."),
        (charts.response_times, "No case had a response or a resolution in 2025-H2 or 2026-H1."),
    ):
        fig = build(plt, empty)
        assert any(t.startswith(sentence) for t in texts(fig)), build.__name__
        assert not fig.axes[0].axison
        plt.close(fig)


def test_too_few_cases_for_response_times_is_a_sentence(plt: Any) -> None:
    fig = charts.response_times(plt, report({}, Durations(2, 5.0, 5.0)))
    assert any(t.startswith("Not shown: fewer than 3 cases") for t in texts(fig))
    assert "5.0 h" not in texts(fig)
    plt.close(fig)


def test_every_title_names_the_period(plt: Any, tmp_path: Path) -> None:
    full = report({month_key("2026-02"): Shown(5, Status.EXACT, "5")}, Durations(5, 10.0, 8.0))
    for build in (charts.reports_per_month, charts.outcomes_by_period, charts.response_times):
        fig = build(plt, full)
        assert "2026-H1" in fig.axes[0].get_title(), build.__name__
        plt.close(fig)
    fig = charts.response_times(plt, full)
    assert {"10.0 h", "8.0 h", "n/a (<3)"} <= set(texts(fig))
    plt.close(fig)
    paths = charts.write_charts(full, tmp_path)
    assert [p.name for p in paths] == [
        "transparency-2026-H1-reports-per-month.png",
        "transparency-2026-H1-outcomes.png",
        "transparency-2026-H1-response-times.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
