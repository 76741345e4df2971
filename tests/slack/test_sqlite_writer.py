"""The web process's SQLite writer: every statement committed once, in order, several per
transaction; a replay inside a batch refuses only itself; the lock held elsewhere is waited
for, then the request is told to try again."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import ServiceContext, StoreUnavailable
from slack_coc.db import Base, make_engine, make_session_factory
from slack_coc.queues import inbox
from slack_coc.queues.sqlite_writer import LOCK_WAIT
from tests.conftest import TEAM


@pytest.fixture
def on_a_file(tmp_path: Path, clock: FrozenClock) -> Iterator[tuple[ServiceContext, Engine]]:
    """A case database on a SQLite file, and an engine on the inbox's own file beside it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'coc.db'}")
    Base.metadata.create_all(engine)
    beside = make_engine(f"sqlite:///{inbox.inbox_file(str(tmp_path / 'coc.db'))}")
    ctx = ServiceContext(sessions=make_session_factory(engine), clock=clock, policy=Policy())
    yield ctx, beside
    beside.dispose()
    engine.dispose()


def _store(ctx: ServiceContext, key: str) -> int | None:
    return inbox.store(ctx, team_id=TEAM, key=key, content_type="text/plain", body=f"body {key}")


def test_many_threads_each_get_their_own_committed_item(
    on_a_file: tuple[ServiceContext, Engine],
) -> None:
    ctx, _ = on_a_file
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda n: _store(ctx, f"sig:{n}"), range(320)))
    assert None not in ids and len(set(ids)) == 320
    assert inbox.waiting(ctx) == 320


def test_a_replay_inside_a_batch_refuses_only_itself(
    on_a_file: tuple[ServiceContext, Engine],
) -> None:
    ctx, inbox_engine = on_a_file
    assert _store(ctx, "sig:first") is not None  # makes the file
    results: dict[str, int | None] = {}

    def store(key: str) -> None:
        results[key] = _store(ctx, key)

    with inbox_engine.connect() as other, other.begin() as held:  # BEGIN IMMEDIATE elsewhere
        threads = [threading.Thread(target=store, args=("sig:a",))]
        threads[0].start()
        time.sleep(0.1)  # the writer waits for the lock with "sig:a" alone
        for key in ("sig:b", "sig:first", "sig:c"):  # queued together: the next batch
            threads.append(threading.Thread(target=store, args=(key,)))
            threads[-1].start()
        time.sleep(0.1)
        held.rollback()
    for thread in threads:
        thread.join(timeout=10)
    assert results["sig:first"] is None  # the replay
    assert all(results[k] is not None for k in ("sig:a", "sig:b", "sig:c"))
    assert inbox.waiting(ctx) == 4


def test_the_lock_held_too_long_elsewhere_means_try_again_and_nothing_kept(
    on_a_file: tuple[ServiceContext, Engine],
) -> None:
    ctx, inbox_engine = on_a_file
    assert _store(ctx, "sig:first") is not None
    with inbox_engine.connect() as other, other.begin() as held:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            _store(ctx, "sig:late")
        assert LOCK_WAIT <= time.monotonic() - started < LOCK_WAIT + 1
        held.rollback()
    assert inbox.waiting(ctx) == 1
    assert _store(ctx, "sig:late") is not None  # the same request, once the lock is free


def test_the_writer_thread_ends_once_its_writer_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from slack_coc.queues import sqlite_writer

    monkeypatch.setattr(sqlite_writer, "IDLE_CHECK", 0.05)
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", sqlite_busy_timeout_ms=0)
    before = {t.ident for t in threading.enumerate()}
    writer = sqlite_writer.GroupWriter(engine)
    (thread,) = [t for t in threading.enumerate() if t.ident not in before]
    assert thread.name == "inbox-writer" and thread.is_alive()
    del writer
    gc.collect()
    thread.join(timeout=5)
    assert not thread.is_alive()
    engine.dispose()
