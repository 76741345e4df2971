"""The sweep against the fake Slack Web API: what really reaches Slack, and only once."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.config import Settings
from slack_coc.context import ServiceContext
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from slack_coc.wiring import run_sweep
from tests.conftest import START
from tests.factories import TEAM, new_case
from tests.fakeslack import FakeSlack
from tests.jobs.test_processes import CLI, child_env

pytest.importorskip("slack_coc.slack.delivery", reason="Slack delivery layer not installed")

MARKER = "Quokka-Secret-Account-5521"
POSTS = ("chat.postMessage", "chat.postEphemeral")


def posts(fake: FakeSlack) -> int:
    return sum(len(fake.calls(m)) for m in POSTS)


@pytest.fixture
def slack_rt(rt: Runtime, fake_slack: FakeSlack) -> Runtime:
    rt.settings = Settings(
        DATABASE_URL=rt.settings.DATABASE_URL,
        SLACK_BOT_TOKEN=fake_slack.token,
        SLACK_API_URL=fake_slack.url,
        COC_CHANNEL_ID="C0COCGROUP",
    )
    return rt


def test_tick_cli_posts_once_and_a_second_tick_posts_nothing(
    ctx: ServiceContext,
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    with_rota: list[rota.WeekView],
) -> None:
    new_case(ctx, account=MARKER)
    new_case(ctx, safety_risk=True, account=MARKER)
    env = child_env(database_url, tmp_path)
    env.update(
        SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.url, COC_CHANNEL_ID="C0COCGROUP"
    )

    def tick(now: str) -> None:
        done = subprocess.run(
            [CLI, "tick", "--now", now],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    tick("2026-11-23T12:00:00+00:00")  # handover + urgent escalation + new-case pages
    first = posts(fake_slack)
    week = rota.this_and_next(ctx, TEAM)[0]
    assert week is not None
    assert first > 0 and fake_slack.dms(week.primary_user_id)
    tick("2026-11-23T12:00:00+00:00")
    assert posts(fake_slack) == first
    tick("2026-11-23T21:59:00+00:00")  # 11 h 59 after receipt: no reminder yet
    assert posts(fake_slack) == first
    tick("2026-11-23T22:00:00+00:00")  # 12 h: primary again + secondary as acting primary
    assert posts(fake_slack) == first + 2
    tick("2026-11-23T22:00:00+00:00")
    assert posts(fake_slack) == first + 2
    assert MARKER not in fake_slack.all_text()


def test_500s_and_429s_during_a_report_pages_arrive_once_after(
    slack_rt: Runtime, fake_slack: FakeSlack, with_rota: list[rota.WeekView]
) -> None:
    fake_slack.fail("chat.postMessage", 500, times=4)
    fake_slack.fail("conversations.open", 429, times=2, retry_after=7)
    logged = new_case(slack_rt.ctx, account=MARKER)
    assert logged.number == 1  # the case is stored whatever Slack does
    week = rota.this_and_next(slack_rt.ctx, TEAM)[0]
    assert week is not None
    for seconds in range(0, 900, 10):
        run_sweep(slack_rt, START + timedelta(seconds=seconds))
    for user_id in (week.primary_user_id, week.secondary_user_id):
        pages = [m for m in fake_slack.dms(user_id) if "New case" in m.text and "#1" in m.text]
        assert len(pages) == 1, (user_id, pages)
    assert fake_slack.attempts("chat.postMessage") != fake_slack.calls("chat.postMessage")
    assert MARKER not in fake_slack.all_text()
    now = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    before = posts(fake_slack)
    run_sweep(slack_rt, now)
    assert posts(fake_slack) == before


def test_the_scheduled_sweep_leaves_delivery_to_the_pump_and_tick_delivers(
    slack_rt: Runtime, fake_slack: FakeSlack, with_rota: list[rota.WeekView]
) -> None:
    """In `serve` and `slack-coc worker` the outbox pump delivers: the scheduler's sweep
    plans and leaves the outbox to it (delivering too, one at a time, held the sweep behind
    the pump's queue under load). `slack-coc tick`, with no pump, delivers itself."""
    from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
    from slack_coc.wiring import sweeper

    new_case(slack_rt.ctx)

    def pending() -> int:
        with slack_rt.ctx.read() as session:
            rows = session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
            return len(list(rows))

    waiting = pending()
    assert waiting > 0
    result = sweeper(slack_rt)()
    assert result.delivered == 0 and pending() >= waiting
    assert posts(fake_slack) == 0
    ticked = run_sweep(slack_rt)
    assert ticked.delivered >= waiting and pending() == 0
    assert posts(fake_slack) > 0
