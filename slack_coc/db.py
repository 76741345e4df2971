"""Engine, session factory, naming convention and declarative Base."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, *, sqlite_busy_timeout_ms: int = 30_000, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs for several processes at once."""
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", sqlite_busy_timeout_ms / 1000)
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


BUSY_MS = "sqlite_busy_timeout_ms"  # connection info: its busy timeout


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling defers BEGIN; we emit it ourselves so
    # that a read-then-write transaction holds its lock (BEGIN IMMEDIATE on writes).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    gate = WriteGate()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front; read-only units of work ask for DEFERRED.
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode != "IMMEDIATE":
            conn.exec_driver_sql(f"BEGIN {mode}")
            return
        if BUSY_MS not in conn.info:  # as configured for this connection (a test shortens it)
            conn.info[BUSY_MS] = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
        busy_ms = conn.info[BUSY_MS]
        waited_ms = int(gate.enter(conn.info, busy_ms / 1000) * 1000)
        # The time spent at the gate counts towards the busy timeout (a request's answer is
        # due within Slack's three seconds): SQLite waits only for what is left.
        left = max(1, busy_ms - waited_ms) if waited_ms > 0 else None
        try:
            if left is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={left}")
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            gate.leave(conn.info)
            raise
        finally:
            if left is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        if not conn.invalidated:  # else the pool's "invalidate" below gave it back
            gate.leave(conn.info)

    @event.listens_for(engine.pool, "checkin")
    @event.listens_for(engine.pool, "invalidate")
    @event.listens_for(engine.pool, "close")
    def _on_gone(_dbapi_conn: Any, record: Any, *_args: Any) -> None:
        if record is not None:  # a connection given back or dropped mid-transaction
            gate.leave(record.info)


class WriteGate:
    """One writer at a time among a process's threads, in turn, before SQLite's own lock.

    SQLite's busy handler makes a waiting writer sleep and look again (1 ms at first, then up
    to 100 ms at a time), so a thread that has just committed takes the lock again before
    the sleepers wake: with a pool of delivery threads and the inbox's threads writing at
    once, one write waited more than a second while no transaction held the lock longer than
    100 ms. Here threads queue on a lock of the process and are woken as soon as it is
    free; the busy handler still arbitrates between processes."""

    KEY = "sqlite_write_gate"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def enter(self, info: dict[str, Any], timeout: float) -> float:
        """Wait for this process's other writers; how long it took (seconds)."""
        if info.get(self.KEY):
            return 0.0  # this connection holds it already
        started = time.monotonic()
        if not self._lock.acquire(timeout=timeout):
            locked = sqlite3.OperationalError("database is locked (another thread is writing)")
            raise exc.OperationalError("BEGIN IMMEDIATE", None, locked)
        info[self.KEY] = True
        return time.monotonic() - started

    def leave(self, info: dict[str, Any]) -> None:
        if info.pop(self.KEY, False):
            self._lock.release()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
