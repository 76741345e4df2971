"""SIGKILL in the middle of work, then a restart: no message lost, none doubled.

`slack-coc serve` (and, separately, a `slack-coc tick`) runs as a real process against the
fake Slack; its first card post hangs, and while it hangs the process is killed. The restarted
process delivers everything exactly once: the outbox item whose delivery was cut short was
never committed as sent, and Slack never saw it accepted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from slack_coc.context import Actor
from slack_coc.queues import inbox
from slack_coc.queues.outbox_models import OutboxStatus
from slack_coc.services import members
from slack_coc.services.intake import ReportInput, log_report
from tests.conftest import PG_URL, TEAM, TEST_KEY
from tests.e2e.harness import SIGNING_SECRET, Payloads, post_signed, wait_for
from tests.factories import ROSTER
from tests.fakeslack import FakeSlack
from tests.robustness.conftest import BEN, CHANNEL

pytestmark = pytest.mark.e2e

SLACK_COC = str(Path(sys.executable).with_name("slack-coc"))


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database for `serve` to migrate (the shared test schema has no Alembic stamp)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'kill.db'}"
        return
    admin_url = make_url(PG_URL)
    name = f"coc_kill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_"))}
    env.update(
        SLACK_BOT_TOKEN=fake.token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        DATABASE_URL=database_url,
        COC_CHANNEL_ID=CHANNEL,
        COC_ENCRYPTION_KEYS=TEST_KEY,
    )
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    def __init__(
        self, fake: FakeSlack, database_url: str, log: Path, *, web_only: bool = False
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [SLACK_COC, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--no-scheduler"] + (["--web-only"] if web_only else [])  # fmt: skip
        out = log.open("ab")
        self.proc = subprocess.Popen(args, env=app_env(fake, database_url), stdout=out, stderr=out)
        wait_for(self._healthy, timeout=30, what="serve to answer /healthz")

    def _healthy(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def runtime_on(fake: FakeSlack, database_url: str) -> Any:
    from slack_coc.runtime import build_runtime
    from tests.e2e.conftest import e2e_settings

    return build_runtime(e2e_settings(fake, database_url))


def outbox(rt: Any) -> dict[str, int]:
    with rt.engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM outbox GROUP BY status"))
        return {str(s): int(n) for s, n in rows}


def assert_each_once(fake: FakeSlack, rt: Any, cases: int) -> None:
    wait_for(lambda: outbox(rt).get(OutboxStatus.PENDING, 0) == 0, timeout=40,
             what="the outbox to drain")  # fmt: skip
    assert set(outbox(rt)) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}, outbox(rt)
    cards = [m.text for m in fake.messages(CHANNEL) if m.thread_ts is None]
    assert len(cards) == cases, cards  # every case's card, once
    assert len(set(cards)) == cases
    for channel, messages in fake.channels.items():
        texts = [(m.thread_ts, m.text) for m in messages]
        if channel.startswith("D"):
            assert len(texts) == len(set(texts)), f"a DM to {channel} was sent twice"
    hung = [c for c in fake.attempts("chat.postMessage") if c.fault == "hang"]
    assert hung, "the kill landed while a delivery was in flight"


def test_sigkill_serve_mid_delivery_then_restart(
    fake_slack: FakeSlack, fresh_database: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    serve = Serve(fake_slack, fresh_database, log)
    rt = runtime_on(fake_slack, fresh_database)
    try:
        for user_id, name, chair in ROSTER:
            members.add_member(rt.ctx, TEAM, user_id, name, chair=chair)
        # Cases logged by another process (as `slack-coc` CLI or a second instance would);
        # then a request that commits wakes serve's outbox pump, whose first post hangs.
        for i in range(3):
            log_report(rt.ctx, Actor(TEAM, BEN), ReportInput(account=f"s{i}", source="email"))
        fake_slack.hang("chat.postMessage", seconds=4, times=1)
        payloads = Payloads(TEAM, fake_slack)
        body = urlencode(payloads.slash_command(BEN, "show 1"))
        response = post_signed(serve.url + "/slack/events", body,
                               "application/x-www-form-urlencoded", SIGNING_SECRET)  # fmt: skip
        assert response.status == 200
        time.sleep(1.0)  # the pump is now waiting on the hung chat.postMessage
        serve.kill()
        assert outbox(rt).get(OutboxStatus.PENDING, 0) > 0, "work was left in flight"
        time.sleep(3.5)  # let the fake give up on the dead connection
        serve = Serve(fake_slack, fresh_database, log)
        assert_each_once(fake_slack, rt, cases=3)
    finally:
        serve.stop()
        rt.engine.dispose()


def test_sigkill_tick_mid_delivery_then_tick_again(
    fake_slack: FakeSlack, fresh_database: str, tmp_path: Path
) -> None:
    from slack_coc import migrate

    rt = runtime_on(fake_slack, fresh_database)
    try:
        migrate.upgrade(rt.engine)
        for user_id, name, chair in ROSTER:
            members.add_member(rt.ctx, TEAM, user_id, name, chair=chair)
        for i in range(3):
            log_report(rt.ctx, Actor(TEAM, BEN), ReportInput(account=f"t{i}", source="email"))
        fake_slack.hang("chat.postMessage", seconds=4, times=1)
        env = app_env(fake_slack, fresh_database)
        with (tmp_path / "tick.log").open("ab") as out:
            tick = subprocess.Popen([SLACK_COC, "tick"], env=env, stdout=out, stderr=out)
            time.sleep(2.5)  # startup, then stuck on the hung post
            assert tick.poll() is None, "tick finished before the kill"
            tick.send_signal(signal.SIGKILL)
            tick.wait(timeout=10)
            time.sleep(2)
            again = subprocess.run([SLACK_COC, "tick"], env=env, stdout=out, stderr=out,
                                   timeout=120, check=False)  # fmt: skip
        assert again.returncode == 0, (tmp_path / "tick.log").read_text()[-2000:]
        assert_each_once(fake_slack, rt, cases=3)
    finally:
        rt.engine.dispose()


def inbox_waiting(rt: Any) -> int:
    return inbox.waiting(rt.ctx)


def test_sigkill_worker_mid_request_then_another_worker(
    fake_slack: FakeSlack, fresh_database: str, tmp_path: Path
) -> None:
    """`serve --web-only` stores three `/coc ack` commands; the worker takes the first, commits
    the step and hangs on its reply; SIGKILL. Another worker takes every stored command up:
    each case is acknowledged once, every command is answered, every card posted once."""
    log = tmp_path / "split.log"
    serve = Serve(fake_slack, fresh_database, log, web_only=True)
    rt = runtime_on(fake_slack, fresh_database)
    env = app_env(fake_slack, fresh_database)
    worker = None
    try:
        for user_id, name, chair in ROSTER:
            members.add_member(rt.ctx, TEAM, user_id, name, chair=chair)
        for i in range(3):
            log_report(rt.ctx, Actor(TEAM, BEN), ReportInput(account=f"w{i}", source="email"))
        # Their cards are posted first, so that what the worker sends are edits and replies
        # (a kill between Slack accepting a new post and its commit can repeat that post:
        # docs/reliability.md, "at least once").
        from slack_coc.jobs.outbox import OutboxDispatcher
        from slack_coc.slack.outbound import handlers

        OutboxDispatcher(rt.ctx, handlers(rt, fake_slack.client())).deliver_due()
        assert len(fake_slack.messages(CHANNEL)) >= 3
        fake_slack.hang("response_url", seconds=8, times=1)
        payloads = Payloads(TEAM, fake_slack)
        for number in (1, 2, 3):
            body = urlencode(payloads.slash_command(BEN, f"ack {number}"))
            answer = post_signed(serve.url + "/slack/events", body,
                                 "application/x-www-form-urlencoded", SIGNING_SECRET)  # fmt: skip
            assert answer.status == 200 and answer.body == b""
        assert inbox_waiting(rt) == 3

        with log.open("ab") as out:
            worker = subprocess.Popen([SLACK_COC, "worker"], env=env, stdout=out, stderr=out)
            wait_for(lambda: [c for c in fake_slack.attempts("response_url") if c.fault == "hang"],
                     timeout=30, what="the worker to hang on its first reply")  # fmt: skip
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            assert inbox_waiting(rt) == 3, "the killed worker's command is not done"
            worker = subprocess.Popen([SLACK_COC, "worker"], env=env, stdout=out, stderr=out)
            wait_for(lambda: inbox_waiting(rt) == 0, timeout=60, what="the inbox to drain")

        with rt.engine.connect() as conn:
            acknowledged = conn.execute(text(
                "SELECT c.number, count(*) FROM case_event e JOIN \"case\" c ON c.id = e.case_id "
                "WHERE e.to_state = 'acknowledged' GROUP BY c.number ORDER BY c.number"
            )).all()  # fmt: skip
        assert [tuple(row) for row in acknowledged] == [(1, 1), (2, 1), (3, 1)]
        replies = [c.text for c in fake_slack.calls("response_url")]
        assert len(replies) == 3, replies  # the cut-off reply is the one sent again
        assert sum("already acknowledged" in r.lower() for r in replies) == 1, replies
        wait_for(lambda: outbox(rt).get(OutboxStatus.PENDING, 0) == 0, timeout=40,
                 what="the outbox to drain")  # fmt: skip
        cards = [m.text for m in fake_slack.messages(CHANNEL) if m.thread_ts is None]
        assert len(cards) == 3 and len(set(cards)) == 3, cards
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=10)
        serve.stop()
        rt.engine.dispose()
