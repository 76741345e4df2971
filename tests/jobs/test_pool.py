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


def test_the_listener_executor_counts_tasks_waiting_on_the_network_apart() -> None:
    """A listener waiting on Slack holds a thread but no CPU: `working` leaves it out."""
    from slack_coc.jobs.pool import CountingExecutor

    executor = CountingExecutor(4, "test")
    inside, release = threading.Event(), threading.Event()

    def waits_on_slack() -> None:
        with executor.waiting_on_network():
            inside.set()
            assert release.wait(5)

    future = executor.submit(waits_on_slack)
    assert inside.wait(5)
    assert executor.in_flight == 1 and executor.waiting == 1 and executor.working == 0
    release.set()
    future.result(5)
    assert executor.in_flight == 0 and executor.waiting == 0 and executor.working == 0
    executor.shutdown()


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


def test_answers_run_python_one_at_a_time_and_give_the_slot_up_on_the_network() -> None:
    """With one CPU slot: a second answer waits while the first works, and starts as soon
    as the first waits on Slack; both still count as in flight."""
    from slack_coc.jobs.pool import CountingExecutor

    executor = CountingExecutor(4, "test", cpu_slots=1)
    first_working, first_to_network, first_done = (threading.Event() for _ in range(3))
    second_working = threading.Event()

    def first() -> None:
        first_working.set()
        assert first_to_network.wait(5)
        with executor.waiting_on_network():
            assert first_done.wait(5)

    a = executor.submit(first)
    assert first_working.wait(5)
    b = executor.submit(second_working.set)
    assert not second_working.wait(0.3)  # the slot is the first answer's
    assert executor.in_flight == 2 and executor.working == 2
    first_to_network.set()
    assert second_working.wait(5)  # given up while the first waits on Slack
    first_done.set()
    a.result(5)
    b.result(5)
    assert executor.in_flight == 0
    executor.shutdown()
