"""Delivering the outbox right after each commit while `serve` runs.

Every service transaction that commits calls `ctx.after_commit` hooks; the pump's hook only
sets an event, and one background thread delivers whatever is due (cards, DMs, thread
notes, App Home, mail). It also wakes up every few seconds on its own, so an item that
failed is retried on time even when nothing else happens; the scheduler's sweep remains
the safety net. The dispatcher guarantees at most one delivery per item across processes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.runtime import Runtime, worker_concurrency

log = logging.getLogger(__name__)


class Pump:
    """One background thread that drains a queue: woken after every commit in this process,
    and every `idle_seconds` on its own (work written by other processes, retries due)."""

    name = "pump"

    def __init__(self, rt: Runtime, *, idle_seconds: float = 5.0) -> None:
        self.rt = rt
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def drain(self) -> int:
        """Do what is due; how many items were done (the pump goes on while it is > 0)."""
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> Pump:
        if self.wake not in self.rt.ctx.after_commit:
            self.rt.ctx.after_commit.append(self.wake)
        self._thread.start()
        self.wake()  # do what an earlier run left behind
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.wake in self.rt.ctx.after_commit:
            self.rt.ctx.after_commit.remove(self.wake)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=self.idle_seconds)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                while self.drain() > 0 and not self._stop.is_set():
                    pass  # items written meanwhile are due too
            except Exception as exc:  # the database may be away: try again on the next wake
                log.warning("%s failed: %s", self.name, type(exc).__name__)


class OutboxPump(Pump):
    name = "outbox-pump"

    def __init__(
        self,
        rt: Runtime,
        handlers: dict[str, Any],
        *,
        idle_seconds: float = 5.0,
    ) -> None:
        super().__init__(rt, idle_seconds=idle_seconds)
        self.dispatcher = OutboxDispatcher(
            rt.ctx,
            handlers,
            concurrency=worker_concurrency(rt),
        )
        pool = self.dispatcher.pool
        if pool is not None:  # an item done: what was due behind it goes at once
            pool.on_done = self.wake

    def drain(self) -> int:
        return self.dispatcher.feed()

    def stop(self) -> None:
        super().stop()
        pool = self.dispatcher.pool
        if pool is not None:  # what was handed over is finished, not dropped
            pool.wait_idle(timeout=30)
