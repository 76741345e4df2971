"""Measurements made inside the benchmark process: a throwaway database per backend and size,
SQL statements per request (Bolt's dispatch, with the listener run before the response, and a
`before_cursor_execute` counter on the engine), App Home render, the sweep, the transparency
report."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from benchmarks.load import MEMBER, TEAM, Request, Requests, headers_for
from benchmarks.seed import add_roster, declare_everyone, seed_cases
from benchmarks.servers import BENCH_SIGNING_SECRET, BENCH_TOKEN

KEY = Fernet.generate_key().decode()


@contextmanager
def throwaway_database(pg_admin_url: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if not pg_admin_url:
        with tempfile.TemporaryDirectory(prefix="coc-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    admin_url = make_url(pg_admin_url)
    name = f"coc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def runtime_for(database_url: str, fake_url: str) -> Any:
    from slack_coc.config import load_settings
    from slack_coc.runtime import build_runtime

    settings = load_settings(
        SLACK_BOT_TOKEN=BENCH_TOKEN,
        SLACK_SIGNING_SECRET=BENCH_SIGNING_SECRET,
        SLACK_API_URL=fake_url + "api/",
        DATABASE_URL=database_url,
        COC_CHANNEL_ID="C0COCGROUP",
        COC_ENCRYPTION_KEYS=KEY,
        SLACK_APP_TOKEN=None,
        SLACK_CLIENT_ID=None,
        SLACK_CLIENT_SECRET=None,
        COC_POLICY_FILE=None,
    )
    return build_runtime(settings)


def prepare_database(rt: Any, cases: int) -> float:
    """Schema, roster, `cases` cases; returns seconds spent seeding."""
    from slack_coc import migrate

    migrate.upgrade(rt.engine)
    now = datetime.now(UTC)
    add_roster(rt.ctx, TEAM)
    started = time.perf_counter()
    seed_cases(rt.ctx, TEAM, cases, now)
    declare_everyone(rt.ctx, TEAM, now)
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        with self._lock:
            self.count += 1

    @contextmanager
    def measure(self) -> Iterator[list[int]]:
        box: list[int] = []
        before = self.count
        yield box
        box.append(self.count - before)


def statements_per_request(rt: Any, fake_url: str, open_case: int) -> dict[str, int]:
    """Statements one request of each kind runs, the listener included (run before the
    response for the count; `serve` acks first)."""
    from slack_bolt.request import BoltRequest

    from slack_coc.slack.app import build_app

    app = build_app(rt, process_before_response=True)
    counter = StatementCounter(rt.engine)
    requests = Requests(fake_url, 1)
    kinds: dict[str, Callable[[], Request]] = {
        "/coc list": lambda: requests.command("list"),
        "/coc show": lambda: requests.command(f"show {open_case}"),
        "click: open case": lambda: _click(requests, open_case),
        "view submission: log a report": requests.submit,
        "app_home_opened": requests.home,
    }
    counts = {}
    for name, make in kinds.items():
        seen = []
        for _ in range(3):  # the first request warms caches; report the steady state
            request = make()
            with counter.measure() as box:
                response = app.dispatch(
                    BoltRequest(
                        body=request.body, headers=headers_for(request, BENCH_SIGNING_SECRET)
                    )
                )
            if response.status != 200:
                raise RuntimeError(f"{name}: HTTP {response.status} {response.body[:200]}")
            seen.append(box[0])
        counts[name] = seen[-1]
    return counts


def _click(requests: Requests, case_number: int) -> Request:
    from benchmarks.load import CHANNEL, encode_interactive
    from slack_coc.slack.ids import Action

    payload = requests.payloads.block_actions(
        MEMBER, Action.OPEN_CASE.value, str(case_number), channel_id=CHANNEL
    )
    return Request(encode_interactive(payload), "application/x-www-form-urlencoded")


def new_open_case(rt: Any) -> int:
    """A case logged through the service (what `/coc show` and "Open case" look at)."""
    from slack_coc.context import Actor
    from slack_coc.services.intake import ReportInput, log_report

    return log_report(rt.ctx, Actor(TEAM, "U0ANA0001"), ReportInput(account="bench")).number


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median milliseconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def home_render_ms(rt: Any) -> float:
    from slack_coc.context import Actor
    from slack_coc.read_models.home import home_data
    from slack_coc.slack.blocks.home import build_home

    return timed(lambda: build_home(home_data(rt.ctx, Actor(TEAM, MEMBER))), repeat=9)


def settle_sweeps(rt: Any) -> int:
    """What a deployment that has run for years is in: the retention backlog of the seeded
    history expunged and the due notices planned (the worker delivers them before the first
    round). Without this the worker's first sweeps would expunge thousands of seeded cases,
    a batch a minute, during the runs. Returns how many cases were expunged."""
    from slack_coc.services import retention
    from slack_coc.wiring import run_sweep

    expunged = retention.sweep(rt.ctx)
    run_sweep(rt, datetime.now(UTC), deliver=False)
    return expunged


def sweep_ms(rt: Any) -> tuple[float, float]:
    """The sweep's planning (deadline and rota notices over every case; delivery, which
    depends on Slack, is left out) the first time at an instant and again at the same
    instant (nothing new to plan)."""
    from slack_coc.wiring import run_sweep

    now = datetime.now(UTC)
    first = timed(lambda: run_sweep(rt, now, deliver=False), repeat=1)
    again = timed(lambda: run_sweep(rt, now, deliver=False), repeat=3)
    return first, again


def transparency_ms(rt: Any) -> float:
    from slack_coc.reports.periods import Period
    from slack_coc.reports.transparency import transparency_report

    period = Period(datetime.now(UTC).year)

    def report() -> None:
        with rt.ctx.read() as session:
            transparency_report(
                session, TEAM, period, threshold=rt.ctx.policy.small_count_threshold
            )

    return timed(report, repeat=3)
