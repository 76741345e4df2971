"""`serve --socket` and `slack-coc worker` stop on SIGTERM however the kernel delivers it.
A process-wide signal may land on any thread; Python then only marks its handler pending
for the main thread. A main thread blocked on `Event.wait()` without a timeout never ran
it, and `serve --socket` ignored a SIGTERM in CI."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

# The main thread blocks SIGTERM after starting another thread: the kernel must deliver the
# signal to that thread, which is the case that hung.
CHILD = textwrap.dedent(
    """
    import signal, sys, threading, time
    from slack_coc.jobs.scheduler import wait_until_signalled

    threading.Thread(target=lambda: time.sleep(60), daemon=True).start()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    print("ready", flush=True)
    print(f"stopped by {wait_until_signalled(poll_seconds=0.05)}", flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_sigterm_delivered_to_another_thread_stops_the_wait() -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=10)
    finally:
        child.kill()
    assert out.strip() == f"stopped by {int(signal.SIGTERM)}"
    assert child.returncode == 0
