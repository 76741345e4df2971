"""Small text formatters shared by builders: dates in the reader's time zone, case lines."""

from __future__ import annotations

from datetime import datetime

from slack_coc.read_models.case_views import CaseView


def slack_date(at: datetime, with_time: bool = True) -> str:
    """A date Slack shows in the reader's own time zone, with a UTC fallback."""
    token = "{date_short_pretty} {time}" if with_time else "{date_short_pretty}"
    fallback = at.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    return f"<!date^{int(at.timestamp())}^{token}|{fallback}>"


def drill_prefix(view: CaseView) -> str:
    """Every surface that names a practice case starts with this, so no one mistakes it."""
    return "DRILL · " if view.drill else ""


def case_line(view: CaseView) -> str:
    """`*#12* home shelf · Acknowledged · shepherd @x · next: first response <date>`."""
    parts = [f"{drill_prefix(view)}*{view.ref}* {view.code_name}", view.state.label]
    if view.shepherd_user_id:
        parts.append(f"shepherd <@{view.shepherd_user_id}>")
    if view.next_deadline is not None:
        parts.append(f"next: {view.next_deadline.label} {slack_date(view.next_deadline.due_at)}")
    if view.flags:
        parts.append(", ".join(f"_{flag}_" for flag in view.flags))
    return " · ".join(parts)
