"""`slack-coc tick` and `slack-coc worker`: the due-work sweep, once or every minute."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

import click

from slack_coc.cli.common import CliError, app, runtime
from slack_coc.clock import FrozenClock


def parse_instant(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise CliError(
            f"--now: {value!r} is not ISO-8601 (expected e.g. 2026-11-23T12:00:00+00:00)"
        ) from None
    if at.tzinfo is None:
        raise CliError(f"--now: {value!r} has no offset (expected e.g. 2026-11-23T12:00:00+00:00)")
    return at


def _require_slack(rt_settings: object) -> None:
    if not getattr(rt_settings, "SLACK_CLIENT_ID", None):
        rt_settings.require("SLACK_BOT_TOKEN")  # type: ignore[attr-defined]


@app.command("tick")
@click.option("--now", "now_text", default=None, help="ISO-8601 instant with offset (default: now)")
def tick(now_text: str | None) -> None:
    """Run every job due at --now once and exit: reminders, escalations, handover
    notices, outbox delivery, mailbox poll, retention. Idempotent."""
    from slack_coc.wiring import run_sweep

    now = parse_instant(now_text) if now_text else None
    rt = runtime()
    _require_slack(rt.settings)
    if now is not None:
        rt.ctx.clock = FrozenClock(now)
    result = run_sweep(rt)
    click.echo(f"tick at {rt.ctx.clock.now().isoformat()}: {result.summary()}")
    if not result.ok:
        raise CliError("some jobs failed (see above); they run again at the next tick")


@app.command("worker")
@click.option("--interval", default=60, show_default=True, help="seconds between sweeps")
def worker(interval: int) -> None:
    """Work on stored Slack requests, deliver the outbox, run the scheduler (the Procfile
    `worker` process; any number of them may run)."""
    from slack_coc.slack.workers import start_pumps, stop_pumps
    from slack_coc.wiring import outbox_handlers, run_scheduler_forever

    logging.getLogger().setLevel(logging.INFO)
    rt = runtime()
    _require_slack(rt.settings)
    # The web process's inserts wake this process (`queues/wake.py`); it also looks every
    # half second, for items that became due (a retry) and in case a wake was lost.
    pumps = start_pumps(rt, partial(outbox_handlers, rt), inbox_idle=0.5, outbox_idle=1.0)
    try:
        run_scheduler_forever(rt, interval_seconds=interval)
    finally:
        stop_pumps(pumps)


@app.group("outbox")
def outbox_group() -> None:
    """Messages waiting to be delivered (operators)."""


@outbox_group.command("list")
def outbox_list() -> None:
    """Count the outbox by status; list parked items (kind, case, last error)."""
    from sqlalchemy import func, select

    from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus

    rt = runtime()
    with rt.ctx.read() as session:
        for status, count in session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ):
            click.echo(f"{status}\t{count}")
        for item in session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PARKED).limit(50)
        ):
            click.echo(f"parked\t{item.id}\t{item.kind}\tcase {item.case_id}\t{item.last_error}")


@outbox_group.command("retry")
def outbox_retry() -> None:
    """Queue parked messages again (after an outage); the next sweep delivers them."""
    from slack_coc.jobs.parked import retry_parked

    rt = runtime()
    click.echo(f"{retry_parked(rt.ctx)} parked message(s) queued again")
