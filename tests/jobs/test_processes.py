"""The real `slack-coc tick` and sweeps in child processes: idempotent ticks, two ticks at
once against PostgreSQL, and a worker SIGKILLed mid-sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from slack_coc.context import ServiceContext
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.queues.sweep_models import SentNotice
from slack_coc.services import rota
from tests.conftest import TEST_KEY
from tests.factories import TEAM, new_case
from tests.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("slack-coc"))
needs_pg = pytest.mark.skipif(
    not os.environ.get("COC_TEST_DATABASE_URL"),
    reason="needs PostgreSQL: set COC_TEST_DATABASE_URL (two writers at once; CI sets it)",
)


def child_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_", "IMAP"))}
    env.update(
        DATABASE_URL=database_url,
        COC_ENCRYPTION_KEYS=TEST_KEY,
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL="http://127.0.0.1:9/api/",  # nothing listens: no real Slack
        COC_TEAM_ID=TEAM,
        PYTHONPATH=str(ROOT),
    )
    return env


def tick(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "tick", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        notices = conn.scalar(select(func.count()).select_from(SentNotice))
        outbox = conn.scalar(select(func.count()).select_from(OutboxMessage))
    return int(notices or 0), int(outbox or 0)


@pytest.fixture
def busy_db(ctx: ServiceContext, engine: Engine, with_rota: list[rota.WeekView]) -> Engine:
    """Three open cases (one urgent) and a rota, so a later tick has plenty to send."""
    new_case(ctx)
    new_case(ctx, safety_risk=True)
    new_case(ctx, ongoing="Yes")
    return engine


def test_tick_cli_is_idempotent_and_needs_an_offset(
    busy_db: Engine, database_url: str, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = child_env(database_url, tmp_path)
    env.update(SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.url)
    bad = tick(env, tmp_path, "--now", "2026-11-24T12:00:00")
    assert bad.returncode == 1 and "offset" in bad.stderr and "Traceback" not in bad.stderr
    first = tick(env, tmp_path, "--now", "2026-11-24T12:00:00+00:00")
    assert first.returncode == 0, first.stderr
    after_first = counts(busy_db)
    assert after_first[0] > 0
    second = tick(env, tmp_path, "--now", "2026-11-24T12:00:00+00:00")
    assert second.returncode == 0, second.stderr
    assert "0 notices" in second.stdout
    assert counts(busy_db) == after_first


def _delivered(log: Path) -> Counter[str]:
    if not log.exists():
        return Counter()
    return Counter(line.split("\t")[0] for line in log.read_text().splitlines() if line)


def _assert_all_sent_once(engine: Engine, log: Path) -> None:
    delivered = _delivered(log)
    assert delivered and max(delivered.values()) == 1, delivered.most_common(3)
    with engine.connect() as conn:
        ids = {str(i) for i in conn.scalars(select(OutboxMessage.id))}
        unsent = conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.SENT)
        )
    assert set(delivered) == ids and unsent == 0


def _child(env: dict[str, str], now: str, log: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.sweep_child", now, str(log), *extra],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@needs_pg
def test_two_ticks_at_once_on_postgres_send_nothing_twice(
    busy_db: Engine, database_url: str, tmp_path: Path
) -> None:
    env = child_env(database_url, tmp_path)
    log = tmp_path / "slack.log"
    now = "2026-11-24T12:00:00+00:00"
    children = [_child(env, now, log) for _ in range(2)]
    for child in children:
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    _assert_all_sent_once(busy_db, log)


@needs_pg
def test_two_tick_commands_at_once_post_nothing_twice(
    busy_db: Engine, database_url: str, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = child_env(database_url, tmp_path)
    env.update(SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.url)
    now = "2026-11-24T12:00:00+00:00"
    ticks = [
        subprocess.Popen(
            [CLI, "tick", "--now", now],
            env=env,
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for process in ticks:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    posted = [
        (c.params.get("channel"), c.params.get("thread_ts"), c.params.get("text"))
        for c in fake_slack.calls("chat.postMessage")
    ]
    assert len(posted) > 5
    assert len(posted) == len(set(posted)), Counter(posted).most_common(2)
    with busy_db.connect() as conn:
        unsent = conn.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status != OutboxStatus.SENT)
        )
    assert unsent == 0


def test_sigkill_mid_sweep_then_next_tick_completes_without_duplicates(
    busy_db: Engine, database_url: str, tmp_path: Path
) -> None:
    env = child_env(database_url, tmp_path)
    log = tmp_path / "slack.log"
    now = "2026-11-24T12:00:00+00:00"
    worker = _child(env, now, log, "4")
    marker = Path(str(log) + ".hang")
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert worker.poll() is None, worker.communicate()
        assert time.monotonic() < deadline, "the worker never reached the 4th delivery"
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert len(_delivered(log)) == 3  # three sent, the fourth was in flight
    finisher = _child(env, "2026-11-24T12:01:00+00:00", log)
    _out, err = finisher.communicate(timeout=120)
    assert finisher.returncode == 0, err
    _assert_all_sent_once(busy_db, log)


def test_worker_sweeps_on_its_own_and_stops_on_sigterm(
    ctx: ServiceContext,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    roster: list[str],
) -> None:
    today = datetime.now(UTC).date()  # the worker runs on the wall clock: a rota around it
    monday = today - timedelta(days=today.weekday() + 7)
    rota.generate(ctx, TEAM, monday, 4)
    env = child_env(database_url, tmp_path)
    env.update(SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.url)
    worker = subprocess.Popen(
        [CLI, "worker", "--interval", "1"],
        env=env,
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not fake_slack.messages("C0COCGROUP"):  # the handover notice
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "the worker never sent the handover notice"
            time.sleep(0.1)
        time.sleep(1.5)  # another sweep or two: still one notice
        assert len(fake_slack.messages("C0COCGROUP")) == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
