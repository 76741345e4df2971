"""The bounded pool behind acks: one key's tasks in order, different keys side by side."""

from __future__ import annotations

import threading

from slack_coc.jobs.pool import KeyedPool


def test_one_keys_tasks_run_in_order_one_at_a_time() -> None:
    pool = KeyedPool(4, "test")
    seen: list[int] = []
    running = []
    overlapped = []

    def task(i: int) -> None:
        running.append(i)
        overlapped.append(len(running) > 1)
        seen.append(i)
        running.remove(i)

    for i in range(50):
        pool.submit("case-1", lambda i=i: task(i))
    assert pool.wait_idle(timeout=10)
    assert seen == list(range(50))
    assert not any(overlapped)


def test_different_keys_run_at_the_same_time() -> None:
    """Each task waits for the other to start: one at a time, neither would finish."""
    pool = KeyedPool(2, "test")
    started = [threading.Event(), threading.Event()]
    met: list[bool] = []

    def task(mine: int) -> None:
        started[mine].set()
        met.append(started[1 - mine].wait(timeout=5))

    pool.submit("person-a", lambda: task(0))
    pool.submit("person-b", lambda: task(1))
    assert pool.wait_idle(timeout=10)
    assert met == [True, True]


def test_a_failing_task_does_not_stop_its_keys_next_task() -> None:
    pool = KeyedPool(2, "test")
    done: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    pool.submit("k", boom)
    pool.submit("k", lambda: done.append("next"))
    assert pool.wait_idle(timeout=10)
    assert done == ["next"] and pool.pending == 0


def test_an_urgent_key_starts_before_keys_already_waiting() -> None:
    """One thread, busy: of the keys waiting for it, the urgent one (a card) goes first."""
    pool = KeyedPool(1, "test")
    release = threading.Event()
    order: list[str] = []
    pool.submit("busy", lambda: release.wait(timeout=5))
    pool.submit("dm", lambda: order.append("dm"))
    pool.submit("card", lambda: order.append("card"), urgent=True)
    release.set()
    assert pool.wait_idle(timeout=10)
    assert order == ["card", "dm"]


def test_urgent_keys_go_in_the_order_they_came() -> None:
    """Under steady load a newer card must not overtake an older one (the oldest would
    wait longest): urgent keys waiting for a thread are served first come, first served."""
    pool = KeyedPool(1, "test")
    release = threading.Event()
    order: list[str] = []
    pool.submit("busy", lambda: release.wait(timeout=5))
    for name in ("card 1", "card 2", "card 3"):
        pool.submit(name, lambda name=name: order.append(name), urgent=True)
    release.set()
    assert pool.wait_idle(timeout=10)
    assert order == ["card 1", "card 2", "card 3"]


def test_a_keys_next_task_yields_the_thread_to_a_waiting_urgent_key() -> None:
    """A case's card, then its thread note: between the two, another case's card that is
    waiting for a thread goes first; the note follows, still after its own card."""
    pool = KeyedPool(1, "test")
    release = threading.Event()
    order: list[str] = []

    def first_card() -> None:
        assert release.wait(timeout=5)
        order.append("card A")

    pool.submit("case A", first_card, urgent=True)
    pool.submit("case A", lambda: order.append("note A"))
    pool.submit("case B", lambda: order.append("card B"), urgent=True)
    release.set()
    assert pool.wait_idle(timeout=10)
    assert order == ["card A", "card B", "note A"]
