"""Calls to make a little later, on one thread: cheaper than a timer thread per request."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_coc.failures import log_failure

log = logging.getLogger(__name__)


class DelayLine:
    """Runs each call added with `later` once its delay has passed, soonest first. The
    thread starts with the first call and ends when none is left, so an idle line (a test's
    app) holds no thread. A call should be quick: hand slow work to an executor."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._calls: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._running = False

    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        with self._changed:
            due = time.monotonic() + delay
            heapq.heappush(self._calls, (due, next(self._order), fn, args))
            self._changed.notify()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name=self.name, daemon=True).start()

    @property
    def pending(self) -> int:
        with self._changed:
            return len(self._calls)

    def clear(self) -> None:
        """Forget every call not made yet (the app is going away)."""
        with self._changed:
            self._calls.clear()
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._calls:
                    self._running = False
                    return
                due, _, fn, args = self._calls[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                heapq.heappop(self._calls)
            try:
                fn(*args)
            except Exception:  # a thread of its own: nobody else would see this
                log_failure(log, f"{self.name}: a delayed call failed")
