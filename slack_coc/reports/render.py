"""Text forms of the reports: Markdown tables and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from slack_coc.domain.enums import Outcome
from slack_coc.reports.transparency import (
    TRANSPARENCY_COLUMNS,
    Durations,
    PeriodStats,
    TransparencyReport,
    month_key,
    type_key,
    violation_key,
)

Row = Sequence[str]


def markdown_table(header: Row, rows: Iterable[Row]) -> str:
    def line(cells: Row) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "|".join("---" for _ in header) + "|"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def csv_text(header: Row, rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _durations_text(d: Durations, threshold: int, which: str) -> str:
    if d.count == 0:
        return "-"
    if d.count <= threshold:
        return f"suppressed (<{threshold + 1} cases)"
    value = d.average_hours if which == "average" else d.median_hours
    return _hours(value or 0.0)


def _hours(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _change(before: PeriodStats, after: PeriodStats, key: str) -> str:
    b, a = before.shown[key], after.shown[key]
    if not (a.exact and b.exact):
        return "n/a"
    diff = a.value - b.value
    return f"{diff:+d}" if diff else "0"


def _duration_change(before: Durations, after: Durations, threshold: int) -> str:
    if min(before.count, after.count) <= threshold:
        return "n/a"
    diff = (after.average_hours or 0.0) - (before.average_hours or 0.0)
    return ("+" if diff >= 0 else "-") + _hours(abs(diff))


def summary_rows(report: TransparencyReport) -> list[list[str]]:
    return [
        [s.period.label, *(s.shown[c].text for c in TRANSPARENCY_COLUMNS)]
        for s in (report.current, report.previous)
    ]


def types_rows(report: TransparencyReport) -> list[list[str]]:
    cur, prev = report.current, report.previous
    return [[o.label, cur.shown[type_key(o)].text, prev.shown[type_key(o)].text] for o in Outcome]


def violation_rows(report: TransparencyReport) -> list[list[str]]:
    cur, prev = report.current, report.previous
    return [
        [kind, cur.shown[violation_key(kind)].text, prev.shown[violation_key(kind)].text]
        for kind in cur.violation_types
    ]


def months_rows(report: TransparencyReport) -> list[list[str]]:
    cur = report.current
    return [[m, cur.shown[month_key(m)].text] for m in cur.months]


def times_rows(report: TransparencyReport) -> list[list[str]]:
    t = report.threshold
    rows = []
    for label, attr in (("first response", "first_response"), ("resolution", "resolution")):
        for which in ("average", "median"):
            rows.append(
                [
                    f"Time to {label}, {which}",
                    _durations_text(getattr(report.current, attr), t, which),
                    _durations_text(getattr(report.previous, attr), t, which),
                ]
            )
    return rows


def trend_rows(report: TransparencyReport) -> list[list[str]]:
    cur, prev = report.current, report.previous
    rows = [
        [c, prev.shown[c].text, cur.shown[c].text, _change(prev, cur, c)]
        for c in TRANSPARENCY_COLUMNS
    ]
    for label, attr in (("first response", "first_response"), ("resolution", "resolution")):
        before, after = getattr(prev, attr), getattr(cur, attr)
        rows.append(
            [
                f"Average time to {label}",
                _durations_text(before, report.threshold, "average"),
                _durations_text(after, report.threshold, "average"),
                _duration_change(before, after, report.threshold),
            ]
        )
    return rows


def legend(threshold: int) -> str:
    return (
        f'Counts from 1 to {threshold} are shown as "<{threshold + 1}". "*" is a count hidden '
        'so that a small count cannot be worked out from the others; "N+" is a total with '
        "hidden parts (at least N). Averages over a few cases are not shown."
    )


def transparency_markdown(report: TransparencyReport) -> str:
    cur, prev = report.current.period.label, report.previous.period.label
    sections = [
        f"# Transparency report {cur}",
        "Anonymised statistics of the Code of Conduct working group, by date received. "
        "Outcomes count reported people. " + legend(report.threshold),
        "## Summary",
        markdown_table(["Period", *TRANSPARENCY_COLUMNS], summary_rows(report)),
        "## Types of violations (reported people per kind of behaviour)",
        "A person whose behaviour was of several kinds counts once under each.",
        markdown_table(["Type of behaviour", cur, prev], violation_rows(report)),
        "## Outcomes (per reported person)",
        markdown_table(["Outcome", cur, prev], types_rows(report)),
        "## Reports per month",
        markdown_table(["Month", "Reports"], months_rows(report)),
        "## Response times",
        markdown_table(["Measure", cur, prev], times_rows(report)),
        f"## Trend against {prev}",
        markdown_table(["Figure", prev, cur, "Change"], trend_rows(report)),
    ]
    return "\n\n".join(sections) + "\n"


def transparency_summary_csv(report: TransparencyReport) -> str:
    return csv_text(["Period", *TRANSPARENCY_COLUMNS], summary_rows(report))


def transparency_csv_files(report: TransparencyReport) -> dict[str, str]:
    """File name -> CSV text, one file per table."""
    cur, prev = report.current.period.label, report.previous.period.label
    base = f"transparency-{cur}"
    return {
        f"{base}.csv": transparency_summary_csv(report),
        f"{base}-violations.csv": csv_text(
            ["Type of behaviour", cur, prev], violation_rows(report)
        ),
        f"{base}-types.csv": csv_text(["Outcome", cur, prev], types_rows(report)),
        f"{base}-months.csv": csv_text(["Month", "Reports"], months_rows(report)),
        f"{base}-times.csv": csv_text(["Measure", cur, prev], times_rows(report)),
        f"{base}-trend.csv": csv_text(["Figure", prev, cur, "Change"], trend_rows(report)),
    }
