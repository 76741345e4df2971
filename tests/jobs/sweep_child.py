"""A sweep in a child process, for the concurrency and SIGKILL tests.

Usage: python -m tests.jobs.sweep_child NOW LOGFILE [HANG_AT]
Reads DATABASE_URL and COC_ENCRYPTION_KEYS from the environment, runs `run_sweep` at NOW
with a handler that appends one line per delivered item to LOGFILE ("Slack"). With HANG_AT,
the HANG_AT-th delivery attempt hangs before sending (a stuck connection), after writing
LOGFILE.hang, so the test can SIGKILL the process mid-sweep.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

from sqlalchemy.orm import Session

from slack_coc.config import load_settings
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.runtime import build_runtime
from slack_coc.wiring import run_sweep


def main() -> None:
    now, log_path = datetime.fromisoformat(sys.argv[1]), sys.argv[2]
    hang_at = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    attempts = 0

    def send(session: Session, item: OutboxMessage) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == hang_at:
            with open(log_path + ".hang", "w") as marker:
                marker.write(str(item.id))
            time.sleep(120)
        line = f"{item.id}\t{item.kind}\t{item.recipient}\t{item.payload.get('template')}\n"
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        time.sleep(0.01)

    rt = build_runtime(load_settings())
    kinds = ("card", "thread", "dm", "channel", "home")
    result = run_sweep(rt, now, handlers={k: send for k in kinds})
    print(result.summary())


if __name__ == "__main__":
    main()
