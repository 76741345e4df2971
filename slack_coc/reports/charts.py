"""PNG charts of a transparency report (matplotlib, Agg backend: no display needed).

Charts show exactly what the tables show, and nothing a reader could misread:
- a suppressed count is a hatched bar at the least it can be, labelled as the table shows it:
  "<3" at 1 (at least one), "N+" at N; "*" (no lower bound) is a hatched outline one unit
  high, labelled "*", so it is visibly "hidden", never a zero;
- every bar carries its value; counts have whole-number axes starting at zero;
- a chart with nothing to draw (no reports in the period, or too few cases for response
  times) is a sentence saying so, not empty axes;
- every title names the period(s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slack_coc.reports.suppression import Shown, Status
from slack_coc.reports.transparency import TransparencyReport, month_key
from slack_coc.services.outcomes import OUTCOME_COLUMNS

HATCH = "//"
NOTE = "hatched: suppressed small count, drawn at the least it can be"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_charts(report: TransparencyReport, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    label = report.current.period.label
    plt = _pyplot()
    paths = []
    for name, figure in (
        ("reports-per-month", reports_per_month(plt, report)),
        ("outcomes", outcomes_by_period(plt, report)),
        ("response-times", response_times(plt, report)),
    ):
        path = out_dir / f"transparency-{label}-{name}.png"
        figure.savefig(path, format="png")
        plt.close(figure)
        paths.append(path)
    return paths


def drawn_height(cell: Shown) -> float:
    """The bar's height: the exact count, or the least the shown text allows."""
    if cell.status is Status.EXACT:
        return float(cell.value)
    if cell.status is Status.SMALL:
        return 1.0  # "<3": at least one
    if cell.status is Status.BOUNDED:
        return float(cell.text.rstrip("+"))  # "N+": at least N (never the hidden value)
    return 1.0  # "*": an outline one unit high, labelled as hidden


def _bars(ax: Any, xs: list[float], cells: list[Shown], **kw: Any) -> None:
    bars = ax.bar(xs, [drawn_height(c) for c in cells], **kw)
    for bar, cell in zip(bars, cells, strict=True):
        if not cell.exact:
            bar.set_hatch(HATCH)
            bar.set_alpha(0.45)
            if cell.status is Status.SECONDARY:
                bar.set_fill(False)
        ax.annotate(
            cell.text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )


def _count_axis(ax: Any, tallest: float) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(tallest, 1.0) * 1.15)


def _sentence(plt: Any, title: str, text: str) -> Any:
    fig, ax = plt.subplots(figsize=(8, 2))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, transform=ax.transAxes)
    fig.tight_layout()
    return fig


def _any_shown(cells: list[Shown]) -> bool:
    return any(c.status is not Status.EXACT or c.value for c in cells)


def reports_per_month(plt: Any, report: TransparencyReport) -> Any:
    cur = report.current
    title = f"Reports per month, {cur.period.label}"
    cells = [cur.shown[month_key(m)] for m in cur.months]
    if not _any_shown(cells):
        return _sentence(plt, title, f"No reports were received in {cur.period.label}.")
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, list(range(len(cells))), cells)
    ax.set_xticks(range(len(cells)), cur.months, rotation=45, ha="right")
    ax.set_ylabel("Reports")
    _count_axis(ax, max(drawn_height(c) for c in cells))
    ax.set_title(title)
    if not all(c.exact for c in cells):
        fig.text(0.01, 0.01, NOTE, fontsize=7, color="0.35")
    fig.tight_layout()
    return fig


def outcomes_by_period(plt: Any, report: TransparencyReport) -> Any:
    columns = list(OUTCOME_COLUMNS)
    prev, cur = report.previous, report.current
    title = f"Outcomes per reported person, {prev.period.label} and {cur.period.label}"
    cells = {s.period.label: [s.shown[c] for c in columns] for s in (prev, cur)}
    if not any(_any_shown(v) for v in cells.values()):
        return _sentence(
            plt, title, f"No outcomes were recorded in {prev.period.label} or {cur.period.label}."
        )
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.4
    for offset, stats in ((-width / 2, prev), (width / 2, cur)):
        row = cells[stats.period.label]
        _bars(
            ax,
            [i + offset for i in range(len(columns))],
            row,
            width=width,
            label=stats.period.label,
        )
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_ylabel("Reported people")
    _count_axis(ax, max(drawn_height(c) for row in cells.values() for c in row))
    ax.set_title(title)
    ax.legend()
    if not all(c.exact for row in cells.values() for c in row):
        fig.text(0.01, 0.01, NOTE, fontsize=7, color="0.35")
    fig.tight_layout()
    return fig


TIME_LABELS = (
    "First response (avg)",
    "First response (median)",
    "Resolution (avg)",
    "Resolution (median)",
)


def response_times(plt: Any, report: TransparencyReport) -> Any:
    prev, cur = report.previous, report.current
    title = f"Response times in hours, {prev.period.label} and {cur.period.label}"
    least = report.threshold + 1
    series = {}
    for stats in (prev, cur):
        values: list[float | None] = []
        for d in (stats.first_response, stats.resolution):
            shown = d.count >= least
            values += [d.average_hours if shown else None, d.median_hours if shown else None]
        series[stats.period.label] = values
    if all(v is None for values in series.values() for v in values):
        periods = f"{prev.period.label} or {cur.period.label}"
        reached = sum(d.count for st in (prev, cur) for d in (st.first_response, st.resolution))
        return _sentence(
            plt,
            title,
            f"No case had a response or a resolution in {periods}."
            if reached == 0
            else f"Not shown: fewer than {least} cases reached a response or a resolution "
            f"in each of {periods}.",
        )
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.4
    for offset, (label, values) in zip((-width / 2, width / 2), series.items(), strict=True):
        xs = [i + offset for i in range(len(TIME_LABELS))]
        bars = ax.bar(xs, [v or 0.0 for v in values], width=width, label=label)
        for bar, value in zip(bars, values, strict=True):
            ax.annotate(
                f"{value:.1f} h" if value is not None else f"n/a (<{least})",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(range(len(TIME_LABELS)), TIME_LABELS, rotation=15, ha="right")
    ax.set_ylabel("Hours")
    ax.set_ylim(0, max(v or 0.0 for vs in series.values() for v in vs) * 1.15 or 1.0)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig
