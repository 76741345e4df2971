"""Sweep benchmark: 10,000 open cases and 1,000 due notifications.

    .venv/bin/python benchmarks/sweep_bench.py [--cases 10000] [--due 1000] [--db URL]

Seeds a throwaway database (SQLite in a temp dir, or --db / COC_TEST_DATABASE_URL's server
with a fresh database), then measures, with SQL statements counted by a
`before_cursor_execute` listener:
- the planning sweep (`sweep_due`: find due deadlines and handovers, write keyed notices and
  their outbox rows) at N open cases, and at a tenth of N with the same number due, to show
  the statement count does not grow with the number of cases;
- the same sweep again at the same instant (nothing new);
- outbox delivery of everything written, with a handler that does nothing (no Slack latency).
Wall times are printed, never asserted; the statement counts must be flat (asserted).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import Engine, make_url

from benchmarks.seed import add_roster, seed_cases
from slack_coc import (
    crypto,
    schema,  # noqa: F401
)
from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import ServiceContext
from slack_coc.db import Base, make_engine, make_session_factory
from slack_coc.domain.models import Case, Deadline
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.services.deadlines import sweep_due

TEAM = "T0BENCH001"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday: no handover in the way


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def fresh_database(url: str | None, tmp: Path) -> str:
    if not url:
        return f"sqlite:///{tmp / 'sweep_bench.db'}"
    admin_url = make_url(url)
    name = f"coc_sweep_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_database(admin: str | None, url: str) -> None:
    if not admin:
        return  # SQLite: the temporary directory goes
    engine = create_engine(make_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def scenario(url: str, cases: int, due: int) -> dict[str, float]:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    ctx = ServiceContext(make_session_factory(engine), FrozenClock(NOW), Policy())
    add_roster(ctx, TEAM)
    seed_cases(ctx, TEAM, cases, NOW, open_share=1.0)
    with ctx.transaction() as session:  # `due` of them have a review date passed an hour ago
        ids = list(session.scalars(select(Case.id).order_by(Case.id).limit(due)))
        session.execute(
            insert(Deadline),
            [
                {
                    "team_id": TEAM,
                    "case_id": case_id,
                    "kind": "review_date",
                    "due_at": NOW - timedelta(hours=1),
                    "created_at": NOW - timedelta(days=1),
                }
                for case_id in ids
            ],
        )
    counter = Counter(engine)
    started = time.perf_counter()
    report = sweep_due(ctx)
    first_ms = (time.perf_counter() - started) * 1000
    first_statements = counter.count
    counter.count = 0
    started = time.perf_counter()
    again = sweep_due(ctx)
    again_ms = (time.perf_counter() - started) * 1000
    again_statements = counter.count
    counter.count = 0
    dispatcher = OutboxDispatcher(ctx, {k: (lambda _s, _i: None) for k in ("dm", "channel")})
    started = time.perf_counter()
    delivered = 0
    while True:
        sent = dispatcher.deliver_due(limit=1000)
        delivered += sent
        if not sent:
            break
    deliver_ms = (time.perf_counter() - started) * 1000
    engine.dispose()
    return {
        "notices": report.deadline_notices + report.rota_notices,
        "again_notices": again.deadline_notices + again.rota_notices,
        "first_ms": first_ms,
        "first_statements": first_statements,
        "again_ms": again_ms,
        "again_statements": again_statements,
        "delivered": delivered,
        "deliver_ms": deliver_ms,
        "deliver_statements": counter.count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--db", default=os.environ.get("COC_TEST_DATABASE_URL"))
    args = parser.parse_args(argv)
    crypto.keyring.configure([Fernet.generate_key().decode()])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cases in (max(args.due, args.cases // 10), args.cases):
            sub = Path(tmp) / str(cases)
            sub.mkdir()
            url = fresh_database(args.db, sub)
            try:
                rows.append((cases, scenario(url, cases, args.due)))
            finally:
                drop_database(args.db, url)
    backend = make_url(args.db).get_backend_name() if args.db else "sqlite"
    print(f"sweep benchmark ({backend}), {args.due} due notifications")
    print(
        "| open cases | notices | statements | sweep ms | again: statements | again ms "
        "| delivered | delivery ms | delivery statements |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for cases, r in rows:
        print(
            f"| {cases} | {r['notices']:.0f} | {r['first_statements']:.0f} | {r['first_ms']:.0f} "
            f"| {r['again_statements']:.0f} | {r['again_ms']:.1f} | {r['delivered']:.0f} "
            f"| {r['deliver_ms']:.0f} | {r['deliver_statements']:.0f} |"
        )
    (small, a), (large, b) = rows
    print(
        f"sweep time ratio {large}/{small} cases: {b['first_ms'] / max(a['first_ms'], 1e-9):.2f}"
        " (target: under 1 s of work at 10,000 cases, excluding Slack)"
    )
    assert a["notices"] == b["notices"] == args.due, (a["notices"], b["notices"])
    assert b["again_notices"] == 0, "a second sweep at the same instant wrote notices"
    assert a["first_statements"] == b["first_statements"], "sweep statements grow with cases"
    assert a["again_statements"] == b["again_statements"]
    return 0


if __name__ == "__main__":
    sys.exit(main())
