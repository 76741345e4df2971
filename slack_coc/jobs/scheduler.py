"""APScheduler wiring: the due-work sweep every minute, in `serve` and `slack-coc worker`."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler

from slack_coc.jobs.sweep import SweepResult

if TYPE_CHECKING:
    from slack_coc.runtime import Runtime

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


Sweep = Callable[[], SweepResult]


def _sweep(sweep: Sweep) -> None:
    result = sweep()
    if result.notices or result.delivered or result.errors:
        log.info("sweep: %s", result.summary())


def start(
    rt: Runtime, sweep: Sweep, *, interval_seconds: int = INTERVAL_SECONDS
) -> BackgroundScheduler:
    """Start a background scheduler running the sweep every minute (and once right away).
    One run at a time per process (`max_instances=1`); a late run is merged, not queued."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        _sweep,
        "interval",
        seconds=interval_seconds,
        args=[sweep],
        id="sweep",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=interval_seconds,
        next_run_time=rt.ctx.clock.now(),
    )
    scheduler.start()
    return scheduler


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def wait_until_signalled(poll_seconds: float = 0.5) -> int:
    """Block the main thread until SIGTERM or SIGINT; returns the signal. It wakes every
    `poll_seconds`: the kernel may deliver the signal to any of the process's threads, and
    then Python only marks its handler pending for the main thread, which runs it the next
    time it runs Python. Blocked on a lock without a timeout (`Event.wait()`), it never did:
    `serve --socket` ignored a SIGTERM in CI. The handler only records the signal: taking
    a lock in it could wait on a lock the interrupted main thread holds."""
    received: list[int] = []

    def _note(signum: int, _frame: Any) -> None:
        received.append(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, _note)
    while not received:
        time.sleep(poll_seconds)
    return received[0]


def run_forever(rt: Runtime, sweep: Sweep, *, interval_seconds: int = INTERVAL_SECONDS) -> None:
    """`slack-coc worker`: the scheduler alone, until SIGTERM or SIGINT."""
    scheduler = start(rt, sweep, interval_seconds=interval_seconds)
    log.warning("worker running: sweep every %ss", interval_seconds)
    try:
        wait_until_signalled()
    finally:
        scheduler.shutdown(wait=True)
