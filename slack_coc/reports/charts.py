"""PNG charts of a transparency report (matplotlib, Agg backend: no display needed).

Charts show exactly what the tables show: a suppressed count is drawn as a hatched bar at
the threshold's height, labelled "<3", and a "*" cell as an empty hatched outline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slack_coc.reports.outcomes import OUTCOME_COLUMNS
from slack_coc.reports.suppression import Shown, Status
from slack_coc.reports.transparency import TransparencyReport, month_key


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_charts(report: TransparencyReport, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    label = report.current.period.label
    plt = _pyplot()
    paths = [
        _reports_per_month(plt, report, out_dir / f"transparency-{label}-reports-per-month.png"),
        _outcomes_by_period(plt, report, out_dir / f"transparency-{label}-outcomes.png"),
        _response_times(plt, report, out_dir / f"transparency-{label}-response-times.png"),
    ]
    return paths


def _height(cell: Shown, threshold: int) -> float:
    if cell.status is Status.EXACT:
        return float(cell.value)
    if cell.status is Status.SMALL:
        return float(threshold)
    return 0.0


def _bars(ax: Any, xs: list[float], cells: list[Shown], threshold: int, **kw: Any) -> None:
    heights = [_height(c, threshold) for c in cells]
    bars = ax.bar(xs, heights, **kw)
    for bar, cell in zip(bars, cells, strict=True):
        if not cell.exact:
            bar.set_hatch("//")
            bar.set_alpha(0.5)
        ax.annotate(
            cell.text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )


def _reports_per_month(plt: Any, report: TransparencyReport, path: Path) -> Path:
    cur = report.current
    months = cur.months
    fig, ax = plt.subplots(figsize=(8, 4))
    _bars(ax, list(range(len(months))), [cur.shown[month_key(m)] for m in months], report.threshold)
    ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
    ax.set_ylabel("Reports")
    ax.set_title(f"Reports per month, {cur.period.label}")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def _outcomes_by_period(plt: Any, report: TransparencyReport, path: Path) -> Path:
    columns = list(OUTCOME_COLUMNS)
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.4
    for offset, stats in ((-width / 2, report.previous), (width / 2, report.current)):
        _bars(
            ax,
            [i + offset for i in range(len(columns))],
            [stats.shown[c] for c in columns],
            report.threshold,
            width=width,
            label=stats.period.label,
        )
    ax.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
    ax.set_ylabel("Reported people")
    ax.set_title("Outcomes by period")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return path


def _response_times(plt: Any, report: TransparencyReport, path: Path) -> Path:
    labels = [
        "First response (avg)",
        "First response (median)",
        "Resolution (avg)",
        "Resolution (median)",
    ]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.4
    for offset, stats in ((-width / 2, report.previous), (width / 2, report.current)):
        values = []
        for d in (stats.first_response, stats.resolution):
            shown = d.count > report.threshold
            values += [d.average_hours if shown else 0.0, d.median_hours if shown else 0.0]
        ax.bar(
            [i + offset for i in range(len(labels))],
            [v or 0.0 for v in values],
            width=width,
            label=stats.period.label,
        )
    ax.set_xticks(range(len(labels)), labels, rotation=15, ha="right")
    ax.set_ylabel("Hours")
    ax.set_title(f"Response times (hours; not shown for fewer than {report.threshold + 1} cases)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
