"""SQLite: a process's writers queue at one gate before SQLite's own lock (`db.WriteGate`).
The gate must be given back however a transaction ends, or every later write would wait."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from slack_coc.db import make_engine

BUSY_MS = 400  # a gate never given back shows as "database is locked" after this


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", sqlite_busy_timeout_ms=BUSY_MS)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _write(engine: Engine, n: int = 1) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_the_gate_is_given_back_however_a_write_ends(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    _write(engine)  # committed
    with pytest.raises(ZeroDivisionError), engine.begin() as conn:  # rolled back by an error
        conn.execute(text("INSERT INTO t (n) VALUES (2)"))
        _ = 1 / 0
    conn = engine.connect()  # closed in the middle of a transaction
    conn.begin()
    conn.execute(text("INSERT INTO t (n) VALUES (3)"))
    conn.close()
    conn = engine.connect()  # its connection dropped in the middle of a transaction
    dropped = conn.begin()
    conn.execute(text("INSERT INTO t (n) VALUES (4)"))
    conn.invalidate()
    dropped.rollback()
    conn.close()
    _write(engine, 5)  # would wait at the gate and fail if any of the above had kept it
    with engine.connect() as reader:
        assert [r[0] for r in reader.execute(text("SELECT n FROM t ORDER BY n"))] == [1, 5]


def test_a_write_waiting_at_the_gate_gives_up_within_the_busy_timeout(
    sqlite_engine: Engine,
) -> None:
    """Another thread of the process holds the write lock longer than the busy timeout: the
    waiting write fails as SQLite would ("database is locked"), it does not wait forever."""
    engine = sqlite_engine
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (n) VALUES (1)"))
            holding.set()
            assert release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(5)
    try:
        with pytest.raises(OperationalError, match="locked"):
            _write(engine, 2)
    finally:
        release.set()
        holder.join(10)
    _write(engine, 3)  # and the gate works again afterwards
    assert _count(engine) == 2


def test_many_threads_writing_at_once_all_commit(sqlite_engine: Engine) -> None:
    engine = make_engine(str(sqlite_engine.url))  # the default busy timeout
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            for i in range(20):
                _write(engine, k * 100 + i)
        except BaseException as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert _count(engine) == 8 * 20
