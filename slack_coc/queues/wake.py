"""Waking the inbox's workers in other processes the moment a request is stored.

A person waits for what is behind their ack: a worker that only looked every 50 ms added
25 ms on average to every answer, and a click the web process hands to the worker to open
its modal from the trigger id must be claimed well within Slack's three seconds.

- PostgreSQL: the web process's insert itself notifies (`RETURNING pg_notify(...)`: no
  extra round trip), and each worker `LISTEN`s on a connection of its own (`NotifyListener`);
  this reaches workers on other hosts.
- SQLite file: the processes share a host. Each worker listens on a UDP port of loopback
  and leaves a file named `<pid>.<port>` in a directory beside the inbox's file; the web
  process sends a one-byte datagram to every port listed there (`LoopbackBell`). Files of
  processes that are gone are removed by whoever rescans.

A wake is a hint: a lost one costs the worker's idle poll (`InboxPump.idle_seconds`), never
the request, which is in the database already.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from slack_coc.db import make_engine

log = logging.getLogger(__name__)

CHANNEL = "coc_inbox"
NOTIFY = func.pg_notify(CHANNEL, "")  # a column of RETURNING: the insert notifies itself
RESCAN_SECONDS = 1.0  # how stale the web process's list of listening workers may be
LISTEN_TIMEOUT = 0.5  # how often a listener looks whether it should stop
RECONNECT_SECONDS = 2.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LoopbackBell:
    """The web process's side on a SQLite file: rings every worker listening on this host."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ports: list[int] = []
        self._rescan_at = 0.0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def ring(self) -> None:
        if time.monotonic() >= self._rescan_at:
            self._ports = self._scan()
            self._rescan_at = time.monotonic() + RESCAN_SECONDS
        for port in self._ports:
            with contextlib.suppress(OSError):  # a full buffer already holds a wake
                self._socket.sendto(b"!", ("127.0.0.1", port))

    def _scan(self) -> list[int]:
        ports = []
        try:
            entries = list(self.directory.iterdir())
        except OSError:  # no worker has listened yet
            return []
        for entry in entries:
            pid, _, port = entry.name.partition(".")
            if not (pid.isdigit() and port.isdigit()):
                continue
            if _alive(int(pid)):
                ports.append(int(port))
            else:
                entry.unlink(missing_ok=True)
        return ports


class Listener:
    """A daemon thread that calls `on_wake` whenever it hears of a new item (and once when
    it starts: what was stored before it listened)."""

    name = "inbox-listener"

    def __init__(self, on_wake: Callable[[], None]) -> None:
        self.on_wake = on_wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.listen()
            except Exception as exc:  # the database restarted, say: listen again shortly
                log.warning("%s: %s; listening again in %s s", self.name, exc, RECONNECT_SECONDS)
                self._stop.wait(RECONNECT_SECONDS)

    def listen(self) -> None:
        raise NotImplementedError


class LoopbackListener(Listener):
    def __init__(self, directory: Path, on_wake: Callable[[], None]) -> None:
        super().__init__(on_wake)
        self.directory = directory
        self.port: int | None = None

    def listen(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(LISTEN_TIMEOUT)
            self.port = sock.getsockname()[1]
            self.directory.mkdir(parents=True, exist_ok=True)
            marker = self.directory / f"{os.getpid()}.{self.port}"
            marker.touch()
            try:
                self.on_wake()
                while not self._stop.is_set():
                    try:
                        sock.recv(64)
                    except TimeoutError:
                        continue
                    self.on_wake()
            finally:
                marker.unlink(missing_ok=True)


class NotifyListener(Listener):
    def __init__(self, engine: Engine, on_wake: Callable[[], None]) -> None:
        super().__init__(on_wake)
        url = engine.url.render_as_string(hide_password=False)
        self.engine = make_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def listen(self) -> None:
        with self.engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            driver.execute(f"LISTEN {CHANNEL}")
            self.on_wake()
            while not self._stop.is_set():
                for _notice in driver.notifies(timeout=LISTEN_TIMEOUT):
                    self.on_wake()

    def stop(self) -> None:
        super().stop()
        self.engine.dispose()


def wake_directory(database: str) -> Path:
    """Beside a SQLite case database: where the workers on this host say they listen."""
    path = Path(database)
    return path.with_name(f"{path.stem}.inbox-wake")


def listen_for_new_items(engine: Engine, on_wake: Callable[[], None]) -> Listener | None:
    """A started listener that calls `on_wake` when another process stores an item in the
    inbox of `engine`'s case database (and once at first); None where no other process can
    (in-memory SQLite)."""
    if engine.dialect.name == "postgresql":
        return NotifyListener(engine, on_wake).start()
    if engine.url.database in (None, "", ":memory:"):
        return None
    return LoopbackListener(wake_directory(engine.url.database), on_wake).start()
