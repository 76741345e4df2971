"""The records log (PROCESS.md "Records"): one row per reported person, code names only.

Rows are streamed from one SQL query (`yield_per`), so exporting 100,000 cases never holds
them all in memory, and only plain columns are read: nothing confidential is decrypted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import and_, exists
from sqlalchemy.orm import Session

from slack_coc.domain.enums import CaseState, Outcome, ResolutionSource
from slack_coc.domain.models import AccessLog, Case, Member, Party, Recusal
from slack_coc.reports.outcomes import counted, reported_outcomes
from slack_coc.reports.render import csv_text, markdown_table
from slack_coc.services.access import require_chair
from slack_coc.services.context import Actor, ServiceContext

RECORD_COLUMNS = (
    "Date of Report",
    "Case Code Name",
    "Person Code Name",
    "Status",
    "Resolution Source",
    "Resolution Date",
    "Safety Risk",
    "Ongoing Harassment",
    "Consequences",
    "Documents",
)
FORMATS = ("csv", "md")
_BATCH = 2000


def record_rows(
    session: Session,
    team_id: str,
    *,
    visible_to: Member | None = None,
    include_synthetic: bool = False,
) -> Iterator[list[str]]:
    """Rows in RECORD_COLUMNS order. `visible_to` leaves out the cases that member is
    recused from (a member's own export never shows a case that concerns them)."""
    condition = and_(Case.team_id == team_id, counted(include_synthetic))
    if visible_to is not None:
        recused = exists().where(
            Recusal.case_id == Case.id,
            Recusal.member_id == visible_to.id,
            Recusal.lifted_at.is_(None),
        )
        condition = and_(condition, ~recused)
    query = reported_outcomes(
        condition,
        Case.number,
        Case.code_name,
        Case.received_at,
        Case.state,
        Case.resolution_source,
        Case.resolved_at,
        Case.safety_risk,
        Case.ongoing,
    ).order_by(Case.received_at, Case.number, Party.id)
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        yield _record(row)


def _record(row: Any) -> list[str]:
    resolved = row.state == CaseState.RESOLVED.value
    return [
        row.received_at.date().isoformat(),
        row.code_name,
        row.person_code_name or "",
        "Resolved" if resolved else "Ongoing",
        (row.resolution_source or ResolutionSource.NONE.value) if resolved else "None",
        row.resolved_at.date().isoformat() if resolved and row.resolved_at else "",
        "Yes" if row.safety_risk else "No",
        row.ongoing,
        _consequences(row.outcome, row.ends_on, row.resolution_source if resolved else None),
        f"#{row.number}",
    ]


def _consequences(outcome: str | None, ends_on: Any, source: str | None) -> str:
    if outcome is None:
        return "Handled locally" if source == ResolutionSource.LOCAL.value else ""
    text = Outcome(outcome).label
    return f"{text} (until {ends_on.isoformat()})" if ends_on else text


def write_records(rows: Iterator[list[str]], out: TextIO, fmt: str) -> int:
    """Write rows as CSV or a Markdown table; returns how many rows were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    count = 0
    header = csv_text(RECORD_COLUMNS, []) if fmt == "csv" else markdown_table(RECORD_COLUMNS, [])
    out.write(header if fmt == "csv" else header + "\n")
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= _BATCH:
            _flush(batch, out, fmt)
    _flush(batch, out, fmt)
    return count


def _flush(batch: list[list[str]], out: TextIO, fmt: str) -> None:
    if not batch:
        return
    if fmt == "csv":
        text = csv_text(RECORD_COLUMNS, batch).split("\n", 1)[1]
    else:
        text = markdown_table(RECORD_COLUMNS, batch).split("\n", 2)[2] + "\n"
    out.write(text)
    batch.clear()


def export_records(
    ctx: ServiceContext, team_id: str, out: TextIO, fmt: str, *, include_synthetic: bool = False
) -> int:
    """The operator's export (CLI): every real case of the workspace. Logged as an access."""
    with ctx.transaction() as session:
        count = write_records(
            record_rows(session, team_id, include_synthetic=include_synthetic), out, fmt
        )
        session.add(
            AccessLog(
                team_id=team_id,
                case_id=None,
                user_id="cli",
                what="records export",
                at=ctx.clock.now(),
            )
        )
    return count


def export_records_for_chair(ctx: ServiceContext, actor: Actor, out: TextIO, fmt: str) -> int:
    """A chair's export from Slack: without the cases the chair is recused from. Logged."""
    with ctx.transaction() as session:
        member = require_chair(session, actor)
        count = write_records(record_rows(session, actor.team_id, visible_to=member), out, fmt)
        session.add(
            AccessLog(
                team_id=actor.team_id,
                case_id=None,
                user_id=actor.user_id or "",
                what="records export",
                at=ctx.clock.now(),
            )
        )
    return count
