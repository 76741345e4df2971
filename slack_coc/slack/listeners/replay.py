"""Once only: a request Slack signed is acted on once, and an event once.

- A replay of the exact same signed request (same signature, so same timestamp and body)
  inside Slack's five-minute window is answered `200` and not acted on: without this, a
  captured "Log a report" submission sent again would log a second case.
- Slack retries an event it thinks we missed (`X-Slack-Retry-Num`, same `event_id`, new
  signature); a retry of an event already taken is answered `200` and not processed again.

The memory is per process and bounded; with PostgreSQL (several web processes) repeats are
also recorded in the database (`seen_request`), so every process recognises them. It runs
after Bolt has checked the signature, so a forged request can never poison it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest

from slack_coc.queues.once import first_time
from slack_coc.runtime import Runtime

SIGNATURE_TTL = 6 * 60  # Bolt refuses timestamps older than five minutes
EVENT_TTL = 60 * 60  # Slack retries an event three times within the hour
MAX_ENTRIES = 50_000


class SeenOnce:
    """Keys remembered for a while; `first(key)` is True only the first time."""

    def __init__(self, ttl: float, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen:
                oldest, at = next(iter(self._seen.items()))
                if now - at < self.ttl and len(self._seen) < self.max_entries:
                    break
                del self._seen[oldest]
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def _header(req: BoltRequest, name: str) -> str:
    values = req.headers.get(name) or []
    return str(values[0]) if values else ""


def once_only(
    rt: Runtime | None = None, stored_elsewhere: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[..., BoltResponse | None]:
    """With PostgreSQL (several web processes), repeats are also looked up in the database,
    so a replay reaching another worker is still recognised. Requests for which
    `stored_elsewhere(body)` holds are kept in the inbox under their signature, whose unique
    key recognises a replay in the same insert."""
    signatures = SeenOnce(SIGNATURE_TTL)
    events = SeenOnce(EVENT_TTL)
    shared = rt is not None and rt.engine.dialect.name == "postgresql"

    def first(memory: SeenOnce, key: str, ttl: float, *, in_database: bool = True) -> bool:
        if not memory.first(key):
            return False
        return not (shared and in_database) or rt is None or first_time(rt.ctx, key, ttl)

    def middleware(req: BoltRequest, body: dict[str, Any], next: Callable[[], None]) -> Any:
        signature = _header(req, "x-slack-signature")
        in_database = stored_elsewhere is None or not stored_elsewhere(body)
        if signature and not first(
            signatures, f"sig:{signature}", SIGNATURE_TTL, in_database=in_database
        ):
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        event_key = f"event:{body.get('team_id', '')}:{event_id}"
        if event_id and not first(events, event_key, EVENT_TTL):
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def register(app: App, rt: Runtime, *, inbox: bool = False) -> None:
    """`inbox`: commands and clicks go to the inbox (the web app of HTTP mode)."""
    if inbox:
        from slack_coc.slack.deferral import deferred_kind

        app.use(once_only(rt, lambda body: deferred_kind(body) is not None))
    else:
        app.use(once_only(rt))
