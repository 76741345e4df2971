"""Faults a test injects into the fake Slack: errors, 429s, hangs and slow answers."""

from __future__ import annotations

import threading
from collections import defaultdict

from tests.fakeslack.records import Fault


class Faults:
    """Mixed into `FakeSlack`, which owns `_lock`, `_faults` and `answering`."""

    _lock: threading.RLock | threading.Lock
    _faults: defaultdict[str, list[Fault | None]]

    def fail(
        self,
        method: str,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        error: str | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` calls of `method` (after `after` good ones) get HTTP `status`
        (429 adds Retry-After), or with status 200 Slack's `ok: false` and `error`
        (e.g. "user_not_found")."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults[method].extend(None for _ in range(after))
            self._faults[method].extend(
                Fault(status, retry_after, 0.0, error) for _ in range(times)
            )

    def hang(self, method: str, seconds: float = 10.0, times: int = 1) -> None:
        """The next `times` calls of `method` get no answer for `seconds` (client timeouts)."""
        with self._lock:
            self._faults[method].extend(Fault(0, None, seconds) for _ in range(times))

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are answered as usual, `seconds` late (a long
        round trip); `self.answering[method]` counts those waiting meanwhile."""
        with self._lock:
            self._faults[method].extend(
                Fault(200, None, 0.0, slow_seconds=seconds) for _ in range(times)
            )

    def _next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.pop(0) if queue else None  # None in the queue: a call that succeeds
