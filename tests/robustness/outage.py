"""Taking the database away from a running app, and giving it back, without touching the
database server: PostgreSQL through a loopback TCP proxy that is cut; SQLite by another
connection holding the write lock (with the app's busy timeout shortened for the test)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from slack_coc.queues.inbox import inbox_file
from tests.robustness.tcpproxy import TcpProxy

SQLITE_BUSY_MS = 1500  # longer than normal write contention, shorter than an outage


class Outage:
    """`down()` / `up()` for the database behind `url` (use `url` in the app's settings)."""

    def __init__(self, database_url: str) -> None:
        self.real_url = database_url
        self.is_postgres = database_url.startswith("postgresql")
        self._proxy: TcpProxy | None = None
        self._locks: list[sqlite3.Connection] = []
        if self.is_postgres:
            parsed = make_url(database_url)
            self._proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            self.url = parsed.set(host="127.0.0.1", port=self._proxy.port).render_as_string(
                hide_password=False
            )
        else:
            self.url = database_url

    def prepare(self, engine: Any) -> None:
        """SQLite: give up on a locked database after SQLITE_BUSY_MS instead of 30 s."""
        if not self.is_postgres:

            @event.listens_for(engine, "connect")
            def _short_busy_timeout(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")

    def down(self) -> None:
        if self._proxy is not None:
            self._proxy.cut()
        else:  # the case database and the inbox's own file beside it
            path = str(make_url(self.real_url).database)
            for file in (path, str(inbox_file(path))):
                lock = sqlite3.connect(file, isolation_level=None, timeout=10)
                lock.execute("BEGIN EXCLUSIVE")
                self._locks.append(lock)

    def up(self) -> None:
        if self._proxy is not None:
            self._proxy.restore()
        while self._locks:
            lock = self._locks.pop()
            lock.execute("ROLLBACK")
            lock.close()

    def close(self) -> None:
        self.up()
        if self._proxy is not None:
            self._proxy.close()

    @contextmanager
    def cut(self) -> Iterator[None]:
        self.down()
        try:
            yield
        finally:
            self.up()
