"""How many Slack requests this process is answering right now: how busy its acks are.

The web process answers a read-only modal click itself only while few requests are in
flight (`deferral.Deferrer`): then it has CPU to spare, and the click's answer takes one
hand-off fewer. Under a burst of requests its CPU is the acks', and the clicks go to the
workers."""

from __future__ import annotations

import threading
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
