"""How many Slack requests this process is answering right now: how busy its acks are.

The web process answers a read-only modal click itself only while few requests are in
flight (`deferral.Deferrer`): then it has CPU to spare, and the click's answer takes one
hand-off fewer. Under a burst of requests its CPU is the acks', and the clicks go to the
workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    @contextmanager
    def one(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    @property
    def count(self) -> int:
        return self._count


SLACK_REQUESTS = InFlight()  # `POST /slack/events` being answered by this process


class CpuMeter:
    """How much of a core this process has used lately (0..1+, all its threads): sampled
    every `every` seconds by a thread of its own, smoothed over about five samples. A flood
    of requests shows here before anywhere else: waitress parses them on one thread and the
    interpreter runs one thread at a time, so app threads in flight stay few while acks
    wait for the CPU."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self._busy = 0.0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def busy(self) -> float:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
                    self._thread.start()
        return self._busy

    def _run(self) -> None:
        cpu, wall = time.process_time(), time.monotonic()
        while True:
            time.sleep(self.every)
            now_cpu, now_wall = time.process_time(), time.monotonic()
            used = (now_cpu - cpu) / max(now_wall - wall, 1e-6)
            self._busy = 0.8 * self._busy + 0.2 * used
            cpu, wall = now_cpu, now_wall


CPU = CpuMeter()  # this process's
