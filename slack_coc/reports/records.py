"""The records log (docs/process.md "Records"): one row per reported person, code names only.

Rows are streamed from one SQL query (`yield_per`), so exporting 100,000 cases never holds
them all in memory, and only plain columns are read: nothing confidential is decrypted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC
from typing import Any, TextIO

from sqlalchemy import String, and_, case, exists, type_coerce
from sqlalchemy.orm import Session, aliased

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseState, Outcome, ResolutionSource
from slack_coc.domain.models import AccessLog, Case, Member, Party, Recusal
from slack_coc.reports.render import markdown_table
from slack_coc.services.access import require_chair
from slack_coc.services.identity import require_declared
from slack_coc.services.outcomes import Synthetic, counted, reported_outcomes

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
    include_synthetic: Synthetic = False,
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
    # Retaliation against the reporter of an earlier case: noted with that case's number,
    # unless the member exporting is recused from the earlier case.
    earlier = aliased(Case)
    linked: Any = earlier.number
    if visible_to is not None:
        hidden = exists().where(
            Recusal.case_id == earlier.id,
            Recusal.member_id == visible_to.id,
            Recusal.lifted_at.is_(None),
        )
        linked = case((hidden, None), else_=earlier.number)
    query = (
        reported_outcomes(
            condition,
            Case.number,
            Case.code_name,
            type_coerce(Case.received_at, String).label("received_raw"),
            Case.state,
            Case.resolution_source,
            type_coerce(Case.resolved_at, String).label("resolved_raw"),
            Case.safety_risk,
            Case.ongoing,
            linked.label("retaliation_of"),
        )
        .outerjoin(earlier, earlier.id == Case.retaliation_of_id)
        .order_by(Case.received_at, Case.number, Party.id)
    )
    # Core rows, dates as the driver gives them: 100,000 rows in well under a second.
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # yield_per uses a server-side cursor, which PostgreSQL plans for the first 10% of
        # rows (nested loops); the whole result is wanted, so plan for all of it.
        connection.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    result = connection.execute(
        query.execution_options(stream_results=True, max_row_buffer=_BATCH, yield_per=_BATCH)
    )
    for row in result:
        yield _record(row)


_LABELS = {o.value: o.label for o in Outcome}
_RESOLVED = CaseState.RESOLVED.value
_LOCAL = ResolutionSource.LOCAL.value


def _day(raw: Any) -> str:
    """SQLite stores "YYYY-MM-DD HH:MM:SS" in UTC; PostgreSQL's driver returns a datetime."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw[:10]
    return str(raw.astimezone(UTC).date().isoformat())


def _record(row: Any) -> list[str]:
    (_cid, _pid, person, outcome, ends_on, number, code, received, state, source) = row[:10]
    resolved_raw, safety_risk, ongoing, retaliation_of = row[10:14]
    resolved = state == _RESOLVED
    if outcome is not None:
        consequences = _LABELS[outcome]
        if ends_on:
            consequences += f" (until {ends_on.isoformat()})"
    else:
        consequences = "Handled locally" if resolved and source == _LOCAL else ""
    return [
        _day(received),
        code,
        person or "",
        "Resolved" if resolved else "Ongoing",
        (source or "None") if resolved else "None",
        _day(resolved_raw) if resolved else "",
        "Yes" if safety_risk else "No",
        ongoing,
        consequences,
        f"#{number}"
        + (f" (retaliation against the reporter of #{retaliation_of})" if retaliation_of else ""),
    ]


def write_records(rows: Iterator[list[str]], out: TextIO, fmt: str) -> int:
    """Write rows as CSV or a Markdown table; returns how many rows were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(RECORD_COLUMNS)
        for batch in _batches(rows):
            writer.writerows(batch)
            count += len(batch)
        return count
    out.write(markdown_table(RECORD_COLUMNS, []) + "\n")
    for batch in _batches(rows):
        out.write("".join(_markdown_row(r) for r in batch))
        count += len(batch)
    return count


def _batches(rows: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _markdown_row(row: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |\n"


def export_records(
    ctx: ServiceContext,
    team_id: str,
    out: TextIO,
    fmt: str,
    *,
    include_synthetic: Synthetic = False,
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
        require_declared(member)
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
