"""A request stored by the web process wakes the inbox's workers in other processes at
once (PostgreSQL: `NOTIFY` from the insert itself; a SQLite file: a datagram to each worker
listening on this host), and a click answered from its trigger id goes to exactly one of the
worker (a claim) and the web process's "Loading" modal (a hold)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.jobs.delay_line import DelayLine
from slack_coc.queues import inbox
from slack_coc.queues.wake import LoopbackBell, LoopbackListener, listen_for_new_items
from tests.slack.test_inbox import _store


class Woken:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        self.event.set()

    def wait(self, timeout: float = 5.0) -> bool:
        woken = self.event.wait(timeout)
        self.event.clear()
        return woken


def test_a_stored_item_and_an_opened_loading_view_wake_a_listening_worker(
    ctx: ServiceContext, engine: Engine
) -> None:
    woken = Woken()
    listener = listen_for_new_items(engine, woken)
    assert listener is not None  # a file or a server: other processes may store items
    expected = "NotifyListener" if engine.dialect.name == "postgresql" else "LoopbackListener"
    assert type(listener).__name__ == expected
    try:
        assert woken.wait(), "a listener looks once when it starts"
        item_id = _store(ctx, key="sig:wake-1", wait_for_loading_view=True)
        assert item_id is not None and woken.wait(), "the insert woke nobody"
        inbox.loading_view_opened(ctx, item_id, "V0LOADING1")
        assert woken.wait(), "the item became available and woke nobody"
        assert _store(ctx, key="sig:wake-1") is None  # a replay stores nothing
    finally:
        listener.stop()


def test_a_listener_says_where_it_listens_and_takes_it_back_when_it_stops(
    tmp_path: Path,
) -> None:
    woken = Woken()
    directory = tmp_path / "coc.inbox-wake"
    listener = LoopbackListener(directory, woken).start()
    assert woken.wait()
    markers = list(directory.iterdir())
    assert [m.name for m in markers] == [f"{os.getpid()}.{listener.port}"]
    LoopbackBell(directory).ring()
    assert woken.wait()
    listener.stop()
    assert list(directory.iterdir()) == []


def test_the_bell_forgets_workers_that_are_gone(tmp_path: Path) -> None:
    directory = tmp_path / "coc.inbox-wake"
    directory.mkdir()
    gone = _a_pid_not_running()
    (directory / f"{gone}.40000").touch()
    (directory / "notes.txt").touch()  # not a worker's: left alone
    LoopbackBell(directory).ring()
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]


def _a_pid_not_running() -> int:
    for pid in range(4_000_000, 4_100_000):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    pytest.fail("no free pid found")


def test_a_claimed_click_is_not_held_for_a_loading_view(ctx: ServiceContext) -> None:
    item_id = _store(ctx, key="sig:claimed")
    assert item_id is not None
    claimed = inbox.claim_next(ctx, "w:1:a")
    assert claimed is not None and claimed.id == item_id
    assert inbox.hold_for_loading_view(ctx, item_id) is False


def test_a_held_click_waits_for_its_loading_view_then_goes_to_the_worker(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    item_id = _store(ctx, key="sig:held")
    assert item_id is not None
    assert inbox.hold_for_loading_view(ctx, item_id) is True
    assert inbox.claim_next(ctx, "w:1:a") is None  # the loading view is being opened
    inbox.loading_view_opened(ctx, item_id, "V0LOADING2")
    claimed = inbox.claim_next(ctx, "w:1:a")
    assert claimed is not None and claimed.loading_view_id == "V0LOADING2"
    assert inbox.hold_for_loading_view(ctx, item_id) is False


def test_a_held_click_whose_loading_view_never_came_is_the_workers_after_a_while(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    """The web process died between its hold and the loading view: the item is not lost."""
    item_id = _store(ctx, key="sig:orphan")
    assert item_id is not None and inbox.hold_for_loading_view(ctx, item_id)
    clock.advance(seconds=inbox.LOADING_WAIT.total_seconds() + 1)
    claimed = inbox.claim_next(ctx, "w:1:a")
    assert claimed is not None and claimed.id == item_id


def _race(ctx: ServiceContext, item_id: int, claimant: str) -> tuple[object, object]:
    """A worker's claim and the web process's hold, started at the same moment."""
    results: dict[str, object] = {}
    start = threading.Barrier(2)

    def claim() -> None:
        start.wait()
        results["claim"] = inbox.claim_next(ctx, claimant)

    def hold() -> None:
        start.wait()
        results["hold"] = inbox.hold_for_loading_view(ctx, item_id)

    threads = [threading.Thread(target=claim), threading.Thread(target=hold)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results["claim"], results["hold"]


def test_claim_and_hold_racing_give_the_click_to_exactly_one(ctx: ServiceContext) -> None:
    for round_ in range(10):
        claimant = f"w:1:{round_}"
        item_id = _store(ctx, key=f"sig:race-{round_}")
        assert item_id is not None
        claimed, held = _race(ctx, item_id, claimant)
        assert (claimed is not None) != (held is True), (claimed, held)
        if held is True:
            inbox.loading_view_opened(ctx, item_id, None)
            claimed = inbox.claim_next(ctx, claimant)
        assert isinstance(claimed, inbox.PendingRequest) and claimed.id == item_id
        inbox.finish(ctx, item_id, claimant)


def test_the_delay_line_calls_each_in_its_time_and_then_lets_its_thread_go() -> None:
    line = DelayLine("test-delays")
    calls: list[tuple[str, float]] = []
    started = time.monotonic()
    line.later(0.2, lambda: calls.append(("late", time.monotonic() - started)))
    line.later(0.05, lambda: calls.append(("soon", time.monotonic() - started)))
    deadline = time.monotonic() + 5
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [name for name, _ in calls] == ["soon", "late"]
    assert calls[0][1] >= 0.05 and calls[1][1] >= 0.2
    time.sleep(0.05)
    assert not any(t.name == "test-delays" for t in threading.enumerate())


def test_the_delay_line_forgets_what_it_was_told_to_clear() -> None:
    line = DelayLine("test-clear")
    calls: list[int] = []
    line.later(0.1, calls.append, 1)
    line.clear()
    time.sleep(0.3)
    assert calls == [] and line.pending == 0


def test_a_worker_that_saw_the_click_before_the_hold_does_not_claim_it(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker reads its candidates, the web process holds the click, then the worker
    tries to claim it: the claim checks availability again and fails."""
    item_id = _store(ctx, key="sig:interleaved")
    assert item_id is not None
    read = inbox._read

    def read_then_hold(*args: object) -> object:
        rows = read(*args)  # type: ignore[arg-type]
        assert inbox.hold_for_loading_view(ctx, item_id) is True
        return rows

    monkeypatch.setattr(inbox, "_read", read_then_hold)
    assert inbox.claim_next(ctx, "w:1:a") is None
