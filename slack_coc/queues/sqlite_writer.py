"""One writer thread for the web process's statements on a SQLite file (the inbox's).

SQLite takes one writer at a time. When each web thread asked for the write lock itself, the
threads convoyed: under twenty concurrent requests one store could wait 80 ms behind others
that released the lock and took it straight back. Here request threads hand their statement
to one thread, which writes whatever is waiting, in arrival order, in one transaction (one
commit, one fsync for all of them), and hands each result back. A request thread returns
only once its statement is committed (or refused), so an acknowledged request is on disk.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import Executable

log = logging.getLogger(__name__)

BATCH = 64  # statements per transaction at most
LOCK_WAIT = 2.0  # within Slack's three seconds; then the request is told to try again
SAFETY_WAIT = 30.0  # a request thread never waits longer than this for the writer
IDLE_CHECK = 5.0  # seconds between checks, when idle, that the writer is still wanted


@dataclass
class _Pending:
    statement: Executable
    values: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupWriter:
    """Runs statements on `engine` (a SQLite file, no busy handler) from one thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiting: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        # The thread holds the writer weakly: once nobody else does, it ends.
        thread = threading.Thread(
            target=_serve, args=(weakref.ref(self), self._waiting), name="inbox-writer", daemon=True
        )
        thread.start()

    def run(self, statement: Executable, values: dict[str, Any]) -> Any:
        """The statement's first column of its first row (None if it returns no rows), once
        committed; raises what the database raised."""
        pending = _Pending(statement, values)
        self._waiting.put(pending)
        if not pending.done.wait(SAFETY_WAIT):  # the writer is stuck: a bug, never expected
            log.error("the inbox writer did not answer in %s s", SAFETY_WAIT)
            raise OperationalError("inbox writer", {}, TimeoutError("no answer"))
        if pending.error is not None:
            raise pending.error
        return pending.result

    def write_all(self, batch: list[_Pending]) -> None:
        try:
            self._write(batch)
        except BaseException as exc:  # a thread of its own: every waiter must hear of it
            log.error("inbox writer failed: %s", type(exc).__name__)
            for pending in batch:
                if not pending.done.is_set():
                    pending.error = exc
                    pending.done.set()

    def _write(self, batch: list[_Pending]) -> None:
        try:
            results = self._in_one_transaction(batch)
        except IntegrityError as exc:
            if len(batch) == 1:
                batch[0].error = exc
                batch[0].done.set()
                return
            for pending in batch:  # one of them is a replay: each on its own
                self._write([pending])
            return
        except OperationalError as exc:
            for pending in batch:
                pending.error = exc
                pending.done.set()
            return
        for pending, result in zip(batch, results, strict=True):
            pending.result = result
            pending.done.set()

    def _in_one_transaction(self, batch: list[_Pending]) -> list[Any]:
        """Asks for the write lock every few milliseconds (SQLite's own busy handler sleeps
        up to 100 ms at a time), for at most LOCK_WAIT seconds."""
        deadline = time.monotonic() + LOCK_WAIT
        pause = 0.0005
        while True:
            try:
                with self.engine.begin() as conn:
                    results = []
                    for pending in batch:
                        result = conn.execute(pending.statement, pending.values)
                        results.append(result.scalar() if result.returns_rows else None)
                    return results
            except OperationalError as exc:
                if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.004)


def _serve(writer_ref: weakref.ref[GroupWriter], waiting: queue.SimpleQueue[_Pending]) -> None:
    while True:
        try:
            batch = [waiting.get(timeout=IDLE_CHECK)]
        except queue.Empty:
            writer = writer_ref()
            if writer is None:
                return
            del writer
            continue
        while len(batch) < BATCH:
            try:
                batch.append(waiting.get_nowait())
            except queue.Empty:
                break
        writer = writer_ref()
        if writer is None:  # cannot happen: a waiting request holds the writer
            return
        writer.write_all(batch)
        del writer
