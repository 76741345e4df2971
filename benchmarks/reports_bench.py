"""Transparency report and records export over 100,000 cases: time and peak memory.

    .venv/bin/python benchmarks/reports_bench.py [--cases 100000] [--pg POSTGRES_ADMIN_URL]

The cases are seeded with `slack-coc cases seed`'s bulk inserter and counted here only
(`include_synthetic=True`: outside a benchmark, synthetic cases are never counted). Each
measurement runs once for time (no tracing) and once under tracemalloc for peak Python
memory; the process's peak RSS is printed too. Targets (2 s, 300 MB) are printed as ratios,
never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from slack_coc import (
    crypto,
    schema,  # noqa: F401
)
from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import ServiceContext
from slack_coc.db import Base, make_engine, make_session_factory
from slack_coc.reports.periods import Period
from slack_coc.reports.records import record_rows, write_records
from slack_coc.reports.render import transparency_markdown
from slack_coc.reports.synthetic import seed_cases
from slack_coc.reports.transparency import transparency_report

TEAM = "T0BENCH001"
TIME_TARGET_S = 2.0
MEMORY_TARGET_MB = 300.0
NOW = datetime(2026, 12, 31, 12, tzinfo=UTC)


def measure(work: Callable[[], Any]) -> tuple[float, float]:
    """(seconds untraced, peak traced MB)."""
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6


def run(url: str, cases: int, label: str) -> list[tuple[str, float, float]]:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    ctx = ServiceContext(make_session_factory(engine), FrozenClock(NOW), Policy())
    start = time.perf_counter()
    seed_cases(ctx, TEAM, cases, seed=1)
    print(f"[{label}] seeded {cases} cases in {time.perf_counter() - start:.1f} s", flush=True)
    period = Period.parse("2026")

    def transparency() -> None:
        with ctx.read() as session:
            report = transparency_report(session, TEAM, period, threshold=2, include_synthetic=True)
        transparency_markdown(report)

    def records() -> None:
        with ctx.read() as session, open(os.devnull, "w", encoding="utf-8") as sink:
            write_records(record_rows(session, TEAM, include_synthetic=True), sink, "csv")

    results = []
    for name, work in (("transparency 2026", transparency), ("records export csv", records)):
        seconds, peak = measure(work)
        results.append((f"{label}: {name}", seconds, peak))
    engine.dispose()
    return results


def pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    url = make_url(admin_url)
    name = f"coc_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("COC_TEST_DATABASE_URL"))
    args = parser.parse_args(argv)
    crypto.keyring.configure([Fernet.generate_key().decode()])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run(f"sqlite:///{tmp}/bench.db", args.cases, "sqlite")
    if args.pg:
        url, drop = pg_database(args.pg)
        try:
            results += run(url, args.cases, "postgresql")
        finally:
            drop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{args.cases} cases; targets: {TIME_TARGET_S} s, {MEMORY_TARGET_MB} MB")
    print("| measurement | time (s) | time / target | peak traced (MB) | memory / target |")
    print("|---|---|---|---|---|")
    for name, seconds, peak in results:
        print(
            f"| {name} | {seconds:.2f} | {seconds / TIME_TARGET_S:.2f} | {peak:.1f} | "
            f"{peak / MEMORY_TARGET_MB:.2f} |"
        )
    print(f"\npeak RSS of this process (seeding included): {rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
