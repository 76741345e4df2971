"""A bounded pool of threads that keeps order per key: the work behind acks, concurrently.

Nearly all of a worker's time on an item is spent waiting for Slack (a Web API round trip is
100-300 ms from a hosted app; the item's own CPU is a few ms), so items run on several
threads at once, sized for that latency rather than for the CPU count (`COC_WORKER_CONCURRENCY`).
Order is kept where a person would see it out of order: tasks with the same key (one case's
messages, one person's clicks) run one after another in the order they were submitted, on
one thread at a time; tasks with different keys run side by side.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class KeyedPool:
    def __init__(self, size: int, name: str, on_done: Callable[[], None] | None = None) -> None:
        self.size = max(1, size)
        self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix=name)
        self._chains: dict[Hashable, deque[Callable[[], object]]] = {}
        self._pending = 0
        self._lock = threading.Condition()
        self.on_done = on_done

    @property
    def pending(self) -> int:
        """Tasks submitted and not finished (running or waiting behind their key)."""
        with self._lock:
            return self._pending

    def submit(self, key: Hashable, task: Callable[[], object]) -> None:
        with self._lock:
            self._pending += 1
            chain = self._chains.get(key)
            if chain is not None:  # a task of this key runs: this one follows it
                chain.append(task)
                return
            self._chains[key] = deque([task])
        self._executor.submit(self._run_chain, key)

    def _run_chain(self, key: Hashable) -> None:
        while True:
            with self._lock:
                chain = self._chains[key]
                if not chain:
                    del self._chains[key]
                    return
                task = chain[0]
            try:
                task()
            except Exception:  # a task reports its own failures; this keeps the chain going
                log.exception("pooled task failed")
            finally:
                with self._lock:
                    chain.popleft()
                    self._pending -= 1
                    self._lock.notify_all()
            if self.on_done is not None:
                self.on_done()

    def wait_below(self, count: int, timeout: float | None = None) -> bool:
        """Until fewer than `count` tasks are pending; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending < count, timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.wait_below(1, timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
