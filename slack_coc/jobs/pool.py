"""A bounded pool of threads that keeps order per key: the work behind acks, concurrently.

Nearly all of a worker's time on an item is spent waiting for Slack (a Web API round trip is
100-300 ms from a hosted app; the item's own CPU is a few ms), so items run on several
threads at once, sized for that latency rather than for the CPU count (`COC_WORKER_CONCURRENCY`).
Order is kept where a person would see it out of order: tasks with the same key (one case's
card and thread, one person's clicks) run one after another in the order they were
submitted, one at a time; tasks with different keys run side by side. A key whose first task
is `urgent` (a case's card: what the group looks at) is started before keys already waiting
for a thread, urgent keys in the order they came (a newer card never overtakes an older
one, which would leave the oldest waiting longest under steady load).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable

from slack_coc.failures import log_failure

log = logging.getLogger(__name__)

IDLE_EXIT = 60.0  # seconds: a thread with nothing to do ends (started again when needed)


class KeyedPool:
    def __init__(self, size: int, name: str, on_done: Callable[[], None] | None = None) -> None:
        self.size = max(1, size)
        self.name = name
        self.on_done = on_done
        self._chains: dict[Hashable, deque[tuple[Callable[[], object], bool]]] = {}
        # Keys waiting for a thread: urgent ones first, each queue first come, first served.
        self._urgent: deque[Hashable] = deque()
        self._ready: deque[Hashable] = deque()
        self._pending = 0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        # Two conditions on the one lock: a finished task wakes only those waiting for the
        # count to fall (`wait_below`), a queued key only one idle thread (with one condition,
        # every thread woke for every task).
        self._has_work = threading.Condition(self._lock)
        self._finished = threading.Condition(self._lock)

    @property
    def pending(self) -> int:
        """Tasks submitted and not finished (running or waiting behind their key)."""
        with self._lock:
            return self._pending

    def submit(self, key: Hashable, task: Callable[[], object], *, urgent: bool = False) -> None:
        with self._lock:
            self._pending += 1
            chain = self._chains.get(key)
            if chain is not None:  # a task of this key is queued or runs: this one follows
                chain.append((task, urgent))
                return
            self._chains[key] = deque([(task, urgent)])
            (self._urgent if urgent else self._ready).append(key)
            if len(self._threads) < self.size:  # threads are started as work comes
                thread = threading.Thread(
                    target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            self._has_work.notify()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._has_work.wait_for(
                    lambda: bool(self._urgent or self._ready), IDLE_EXIT
                ):
                    self._threads.remove(threading.current_thread())
                    return
                key = (self._urgent or self._ready).popleft()
            self._run_chain(key)

    def _run_chain(self, key: Hashable) -> None:
        """Run the key's tasks in order. Between two tasks the thread goes to an urgent key
        waiting for one, and this key queues again behind the others: a case's thread note
        does not hold a thread another case's card is waiting for."""
        while True:
            with self._lock:
                chain = self._chains[key]
                if not chain:
                    del self._chains[key]
                    return
                task = chain[0][0]
            try:
                task()
            except Exception:  # a task reports its own failures; this keeps the chain going
                log_failure(log, "pooled task failed")
            finally:
                with self._lock:
                    chain.popleft()
                    self._pending -= 1
                    handed_on = bool(chain) and bool(self._urgent) and not chain[0][1]
                    if handed_on:
                        self._ready.append(key)
                        self._has_work.notify()
                    self._finished.notify_all()
            if self.on_done is not None:
                self.on_done()
            if handed_on:
                return

    def wait_below(self, count: int, timeout: float | None = None) -> bool:
        """Until fewer than `count` tasks are pending; False on timeout."""
        with self._lock:
            return self._finished.wait_for(lambda: self._pending < count, timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.wait_below(1, timeout)
