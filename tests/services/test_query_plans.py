"""What a person waits on reads by index, never by scanning a table that grows with the
cases (SQLite's `EXPLAIN QUERY PLAN` of every statement run). Statement counts per request
are checked by the benchmarks' quick run; a scan keeps the count and still grows with every
case logged (opening a case scanned every case for its retaliation links until 0002)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.db import Base, make_engine, make_session_factory
from slack_coc.domain.models import Case
from slack_coc.read_models.cases import case_detail, list_cases
from slack_coc.read_models.home import home_data
from slack_coc.services import cases
from slack_coc.services.access import _OPEN_CASE_ROWS
from tests.conftest import START
from tests.factories import TEAM, add_roster, new_case

BEN = Actor(TEAM, "U0BEN0002")

# Tables whose rows follow the members, not the cases (a few per member and year).
SMALL_TABLES = {"workspace", "member", "absence"}


# Indexes that hold a row per open case whatever case is asked for: the sweep's. Reading a
# given case's rows through one reads every open case's.
EVERY_OPEN_CASE = ("USING INDEX ix_deadline_open_due (met_at=?)",)
# A search on the workspace alone reads every case it ever had.
WHOLE_TEAM = "(team_id=?)"


def _scans(plan_rows: list[tuple[Any, ...]], statement: str = "") -> list[str]:
    """Plan lines that read a whole table of cases' data (SQLite: "SCAN t", or "SCAN t
    USING INDEX i" when an index is only walked end to end), every case of the workspace
    (a search on the team alone, unless a LIMIT or SQLite's min/max shortcut stops it
    early), or every open case's rows."""
    stops_early = " LIMIT " in statement or statement.startswith(("SELECT max(", "SELECT min("))
    found = []
    for *_ids, detail in plan_rows:
        words = str(detail).split()
        cases_data = len(words) > 1 and words[1] not in SMALL_TABLES
        whole_table = words[:1] == ["SCAN"] and cases_data
        whole_team = (
            words[:1] == ["SEARCH"]
            and cases_data
            and str(detail).endswith(WHOLE_TEAM)
            and not stops_early
        )
        if whole_table or whole_team or str(detail).endswith(EVERY_OPEN_CASE):
            found.append(str(detail))
    return found


@pytest.fixture
def plans_engine(tmp_path: Path) -> Iterator[Engine]:
    # Always SQLite (plans are SQLite's), whichever backend the suite runs on.
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_ctx(plans_engine: Engine) -> ServiceContext:
    ctx = ServiceContext(
        sessions=make_session_factory(plans_engine),
        clock=FrozenClock(START),
        policy=Policy(),
        channel_id="C0COCGROUP",
        board_address="board@example.org",
    )
    add_roster(ctx)
    for _ in range(3):
        new_case(ctx)
    return ctx


def scans_during(engine: Engine, work: Callable[[], object]) -> dict[str, list[str]]:
    """The statements `work` ran that scan a table of cases' data, with their scans."""
    seen: list[tuple[str, Any]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, params: Any, _context: Any, many: bool
    ) -> None:
        seen.append((statement, params[0] if many else params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen, "the work ran no statement: nothing was checked"
    scans = {}
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for statement, params in seen:
            if statement.split(None, 1)[0].upper() not in ("SELECT", "UPDATE", "DELETE"):
                continue
            plan = raw.execute("EXPLAIN QUERY PLAN " + statement, params or ()).fetchall()
            if found := _scans(plan, " ".join(statement.split())):
                scans[" ".join(statement.split())[:200]] = found
    return scans


WORK: dict[str, Callable[[ServiceContext], object]] = {
    "log a report": lambda ctx: new_case(ctx),
    "open a case": lambda ctx: case_detail(ctx, BEN, 2, via="test"),
    "acknowledge": lambda ctx: cases.acknowledge(ctx, BEN, 2),
    "App Home": lambda ctx: home_data(ctx, BEN),
    "/coc list": lambda ctx: list_cases(ctx, BEN),
}


@pytest.mark.parametrize("name", list(WORK))
def test_what_a_person_waits_on_scans_no_table_of_cases(
    plans_engine: Engine, sqlite_ctx: ServiceContext, name: str
) -> None:
    assert scans_during(plans_engine, lambda: WORK[name](sqlite_ctx)) == {}


def test_the_check_finds_a_scan(plans_engine: Engine, sqlite_ctx: ServiceContext) -> None:
    """Without the indexes of 0002, opening a case scans every case, and App Home reads
    every open case's deadlines for the cases it lists: the check says so."""
    with plans_engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_case_retaliation_of_id")
        conn.exec_driver_sql("DROP INDEX ix_deadline_case_open")
    scans = scans_during(plans_engine, lambda: WORK["open a case"](sqlite_ctx))
    assert ["SCAN case"] in scans.values()
    scans = scans_during(plans_engine, lambda: WORK["App Home"](sqlite_ctx))
    assert any(line.endswith(EVERY_OPEN_CASE) for found in scans.values() for line in found)


def test_the_check_finds_a_read_of_every_case_of_the_workspace(
    plans_engine: Engine, sqlite_ctx: ServiceContext
) -> None:
    """App Home's read of a team's open cases, sorted by SQL, walked every case the team ever
    had in number order (to spare a sort of the open ones): the check says so."""
    ordered = _OPEN_CASE_ROWS.order_by(Case.number.desc())

    def read() -> None:
        with sqlite_ctx.read() as session:
            list(session.execute(ordered, {"team_id": TEAM}))

    scans = scans_during(plans_engine, read)
    assert any(line.endswith(WHOLE_TEAM) for found in scans.values() for line in found)
