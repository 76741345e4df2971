"""Several processes at once against PostgreSQL: two gunicorn web workers and two
`slack-coc worker` processes share the work, and every notification is sent exactly once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from slack_coc.clock import Clock
from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.db import make_session_factory
from slack_coc.domain.models import Case
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.services import members
from slack_coc.services.intake import ReportInput, log_report
from tests.conftest import PG_URL, TEAM, TEST_KEY
from tests.e2e.harness import SIGNING_SECRET, post_signed, wait_for
from tests.e2e.payloads import Payloads
from tests.fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHANNEL = "C0COCGROUP"
ROSTER = [("U0ANA0001", "Ana"), ("U0BEN0002", "Ben"), ("U0CAT0003", "Cat")]

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: set COC_TEST_DATABASE_URL (CI sets it)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(database_url: str, fake: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_", "IMAP"))}
    env.update(
        DATABASE_URL=database_url,
        COC_ENCRYPTION_KEYS=TEST_KEY,
        SLACK_BOT_TOKEN=fake.token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        COC_CHANNEL_ID=CHANNEL,
        COC_TEAM_ID=TEAM,
        PYTHONPATH=str(ROOT),
    )
    return env


def test_two_web_and_two_worker_processes_send_each_notification_once(
    engine: Engine, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # Real time: the child processes' clocks are the wall clock.
    ctx = ServiceContext(
        make_session_factory(engine),
        Clock(),
        Policy(),
        channel_id=CHANNEL,
    )
    for user_id, name in ROSTER:
        members.add_member(ctx, TEAM, user_id, name)
    cases = [
        log_report(ctx, Actor(TEAM, "U0ANA0001"), ReportInput(account=f"report {i}"))
        for i in range(12)
    ]

    env = env_for(database_url, fake_slack)
    port = free_port()
    processes = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "slack_coc.wsgi:application",
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ),
        *(
            subprocess.Popen(
                [str(BIN / "slack-coc"), "worker", "--interval", "1"],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ),
    ]
    try:
        url = f"http://127.0.0.1:{port}"

        def web_up() -> bool:
            try:
                return post_signed(
                    url + "/slack/events", "", "application/json", SIGNING_SECRET
                ).status in (200, 400, 401)
            except OSError:
                return False

        wait_for(web_up, timeout=30, what="gunicorn to listen")
        payloads = Payloads(TEAM, fake_slack)
        for case, (user_id, _name) in zip(cases, ROSTER * 4, strict=False):
            body = urlencode(payloads.slash_command(user_id, f"ack {case.number}"))
            response = post_signed(
                url + "/slack/events", body, "application/x-www-form-urlencoded", SIGNING_SECRET
            )
            assert response.status == 200

        def all_sent() -> bool:
            with engine.connect() as conn:
                acked = conn.scalar(
                    select(func.count()).select_from(Case).where(Case.state == "acknowledged")
                )
                pending = conn.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status != OutboxStatus.SENT)
                )
            return acked == len(cases) and pending == 0

        wait_for(all_sent, timeout=90, what="every case acknowledged and every item sent")
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()

    posts = fake_slack.calls("chat.postMessage")
    identical = Counter(
        (c.params["channel"], c.params.get("thread_ts"), c.params.get("text")) for c in posts
    )
    assert identical and max(identical.values()) == 1, identical.most_common(3)
    roots = [c for c in posts if c.params["channel"] == CHANNEL and not c.params.get("thread_ts")]
    assert len(roots) == len(cases)  # one card per case, later edited in place
    pages = [c for c in posts if c.params["channel"].startswith(("D", "U"))]
    assert len(pages) == 2 * len(cases)  # the on-call pair, once each, per case
    with engine.connect() as conn:
        sent = conn.scalar(select(func.count()).select_from(OutboxMessage))
    assert sent and fake_slack.violations == []
