"""What a person sees: the time from a request to the Slack call that shows its result.

A person does not see the ack; they see the modal fill in, the card change, the case's card
appear. The benchmark's fake Slack (`servers.py fake`) delays every Web API call and every
`response_url` post by a round trip (`bench.config`, 0 and 100 ms: Slack's own is typically
100-300 ms from a hosted app) and keeps a log of when it answered each call
(`bench.events`). After a run the load generator matches each request to the call that
showed its result:

- a click that opens a modal ("Open case", key `trigger`): the `views.open`/`views.push`
  with the click's trigger id, or, when that opened a "Loading" modal, the `views.update`
  of that view;
- a step click that edits the card ("Acknowledge", key `case`): the first `chat.update` or
  `chat.postMessage` whose text is that case's card (`Case #N ...`);
- a report submission (key `view`): the card of the case it logged (`Case #N ...`, N read
  from the `views.update` that told the person the number); the plain Bolt app, which
  numbers nothing, names the form's view id in its card.

The time is taken when the fake answers the call (Slack has shown it then), on the
machine's monotonic clock, which every process on the machine shares.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from benchmarks.load import LoadResult, Request, send
from benchmarks.servers import BENCH_TOKEN
from slack_coc.slack.ids import Callback

LOADING = Callback.LOADING.value
_LOGGED = re.compile(r"case \*#(\d+)\*")
_CARD = re.compile(r"^Case (#\d+) ")
_FORM = re.compile(r"form (\S+)")


class EventLog:
    """Installed in the fake's process: the round trip, and when each call was answered."""

    def __init__(self) -> None:
        self.rtt = 0.0
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def install(self, fake: Any) -> None:
        api, response_url = fake.handle_api, fake.handle_response_url

        def handle_api(method: str, params: dict[str, Any], auth: str | None) -> Any:
            if method == "bench.config":
                self.rtt = float(params.get("rtt_ms", 0)) / 1000
                return 200, {"ok": True}, {}
            if method == "bench.events":
                with self._lock:
                    events, self._events = self._events, []
                return 200, {"ok": True, "events": events}, {}
            if self.rtt:
                time.sleep(self.rtt)
            answer = api(method, params, auth)
            self._note(method, params, answer[1])
            return answer

        def handle_response_url(path: str, payload: dict[str, Any]) -> None:
            if self.rtt:
                time.sleep(self.rtt)
            response_url(path, payload)

        fake.handle_api = handle_api
        fake.handle_response_url = handle_response_url

    def _note(self, method: str, params: dict[str, Any], body: dict[str, Any]) -> None:
        if method not in ("views.open", "views.push", "views.update", "chat.update",
                          "chat.postMessage"):  # fmt: skip
            return
        view = params.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except ValueError:
                view = {}
        view = view if isinstance(view, dict) else {}
        event = {
            "t": time.monotonic(),
            "method": method,
            "trigger": params.get("trigger_id"),
            "view_id": params.get("view_id"),
            "opened": ((body.get("view") or {}).get("id") if isinstance(body, dict) else None),
            "callback": view.get("callback_id"),
            "text": str(params.get("text") or "")[:200],
            "logged": None,
        }
        if method == "views.update":
            found = _LOGGED.search(json.dumps(view))
            event["logged"] = f"#{found.group(1)}" if found else None
        with self._lock:
            self._events.append(event)


def shown_at(events: Iterable[dict[str, Any]]) -> dict[tuple[str, str], list[float]]:
    """For each request key, when calls that could show its result were answered (in order;
    the first one after the request was sent is the one)."""
    events = sorted(events, key=lambda e: e["t"])
    updated: dict[str, float] = {}
    logged: dict[str, str] = {}
    shown: dict[tuple[str, str], list[float]] = {}
    for e in events:
        if e["method"] == "views.update" and e["view_id"]:
            updated.setdefault(e["view_id"], e["t"])
            if e["logged"]:
                logged.setdefault(e["view_id"], e["logged"])
        elif e["method"] in ("chat.update", "chat.postMessage"):
            card = _CARD.match(e["text"])
            if card:
                shown.setdefault(("case", card.group(1)), []).append(e["t"])
            form = _FORM.search(e["text"])
            if form:
                shown.setdefault(("view", form.group(1)), []).append(e["t"])
    for e in events:
        if e["method"] in ("views.open", "views.push") and e["trigger"]:
            when = updated.get(e["opened"] or "") if e["callback"] == LOADING else e["t"]
            if when is not None:
                shown.setdefault(("trigger", e["trigger"]), []).append(when)
    for view_id, ref in logged.items():
        if ("case", ref) in shown:
            shown[("view", view_id)] = shown[("case", ref)]
    return shown


def seen_after(
    shown: dict[tuple[str, str], list[float]], key: tuple[str, str], sent: float
) -> float | None:
    """Seconds from `sent` to the first call after it that showed the result."""
    for when in shown.get(key, []):
        if when >= sent:
            return when - sent
    return None


@dataclass
class SeenResult:
    ack: LoadResult
    seen: list[float] = field(default_factory=list)  # seconds
    missing: int = 0  # requests whose result was never shown (within the timeout)

    def percentile(self, p: float) -> float:
        return LoadResult(latencies=self.seen).percentile(p)


def bench_call(api_url: str, method: str, **params: Any) -> dict[str, Any]:
    """The benchmark's own methods on the fake (not Slack's)."""
    data = urlencode({"token": BENCH_TOKEN, **params}).encode()
    with urllib.request.urlopen(api_url + method, data=data, timeout=30) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def run_seen(
    url: str,
    api_url: str,
    make: Callable[[int], Request],
    secret: str,
    *,
    clients: int,
    requests: int,
    rtt_ms: float,
    warmup: int = 2,
    timeout: float = 60,
) -> SeenResult:
    """`requests` requests from `clients` people at once (closed loop, as `run_load`), with
    the fake answering every call after `rtt_ms`; then wait until each request's result
    was shown (or `timeout`)."""
    bench_call(api_url, "bench.config", rtt_ms=rtt_ms)
    try:
        for i in range(warmup):
            send(url, make(i), secret)
        prepared = [make(warmup + i) for i in range(requests)]  # (rtt applies: forms opened)
        time.sleep(1 + 3 * rtt_ms / 1000)  # the warm-up's work behind its acks
        bench_call(api_url, "bench.events")
        result = SeenResult(LoadResult())
        sent_at: list[tuple[tuple[str, str], float]] = []
        lock = threading.Lock()
        remaining = itertools.count()

        def client() -> None:
            while (index := next(remaining)) < requests:
                request = prepared[index]
                started = time.monotonic()
                try:
                    status, _body = send(url, request, secret)
                except OSError:
                    with lock:
                        result.ack.errors += 1
                    continue
                elapsed = time.monotonic() - started
                with lock:
                    result.ack.latencies.append(elapsed)
                    result.ack.statuses[status] = result.ack.statuses.get(status, 0) + 1
                    if request.key is not None:
                        sent_at.append((request.key, started))

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.ack.wall = time.monotonic() - began
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            events += bench_call(api_url, "bench.events")["events"]
            shown = shown_at(events)
            seen = [seen_after(shown, key, sent) for key, sent in sent_at]
            if all(s is not None for s in seen) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        result.seen = [s for s in seen if s is not None]
        result.missing = len(seen) - len(result.seen)
        return result
    finally:
        bench_call(api_url, "bench.config", rtt_ms=0)
