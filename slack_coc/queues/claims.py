"""Claims on work shared by several processes (outbox items, inbox items): who holds one
("host:pid:token") and whether that holder can still be working on it."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime

_HOST = socket.gethostname()


def new_claimant() -> str:
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_is_live(claimed_by: str | None, claimed_until: datetime | None, now: datetime) -> bool:
    """A claim holds until it expires; one by a process on this host that died (SIGKILL) is
    void at once."""
    if not claimed_by or claimed_until is None or claimed_until <= now:
        return False
    host, _, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
