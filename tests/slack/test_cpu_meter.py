"""The web process's CPU meter: how much of a core it has used lately."""

from __future__ import annotations

import threading
import time

from slack_coc.slack.in_flight import CpuMeter


def _wait_until(predicate: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_the_meter_rises_while_a_thread_burns_the_cpu_and_falls_after() -> None:
    meter = CpuMeter(every=0.01)
    meter.busy()  # starts its thread
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(range(1000))

    burner = threading.Thread(target=burn)
    burner.start()
    try:
        assert _wait_until(lambda: meter.busy() > 0.5), meter.busy()
    finally:
        stop.set()
        burner.join()
    assert _wait_until(lambda: meter.busy() < 0.3), meter.busy()
