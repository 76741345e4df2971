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
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from benchmarks.load import LoadResult, Request, Requests, send
from benchmarks.servers import BENCH_TOKEN
from benchmarks.tables import seen_verdict
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
    warmup: int = 1,
    timeout: float = 30,
) -> SeenResult:
    """`requests` requests from `clients` people at once, with the fake answering every
    call after `rtt_ms`. Closed loop on what the person sees: person `c` sends requests
    `c, c + clients, ...` (`make(i)` is person `i % clients`'s), each after the previous
    one's result was shown (or `timeout`), as a person clicks again only after seeing what
    the last click did."""
    bench_call(api_url, "bench.config", rtt_ms=0)
    try:
        prepared = [make(i) for i in range(requests + warmup * clients)]  # forms opened here
        bench_call(api_url, "bench.config", rtt_ms=rtt_ms)
        for request in prepared[requests:]:
            send(url, request, secret)
        time.sleep(1 + 3 * rtt_ms / 1000)  # the warm-up's work behind its acks
        bench_call(api_url, "bench.events")
        result = SeenResult(LoadResult())
        sent_at: list[tuple[tuple[str, str], float]] = []
        watch = _Watcher(api_url)
        lock = threading.Lock()

        def person(c: int) -> None:
            for index in range(c, requests, clients):
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
                if request.key is not None:
                    watch.wait_for(request.key, started, timeout)

        threads = [threading.Thread(target=person, args=(c,), daemon=True) for c in range(clients)]
        began = time.monotonic()
        watch.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.ack.wall = time.monotonic() - began
        watch.stop()
        seen = [watch.seen(key, sent) for key, sent in sent_at]
        result.seen = [s for s in seen if s is not None]
        result.missing = len(seen) - len(result.seen)
        return result
    finally:
        bench_call(api_url, "bench.config", rtt_ms=0)


class _Watcher:
    """Reads the fake's event log every 20 ms while people wait for their results."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.events: list[dict[str, Any]] = []
        self.shown: dict[tuple[str, str], list[float]] = {}
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()  # what arrived last

    def _poll(self) -> None:
        fresh = bench_call(self.api_url, "bench.events")["events"]
        if fresh:
            self.events += fresh
            shown = shown_at(self.events)
            with self._changed:
                self.shown = shown
                self._changed.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            time.sleep(0.02)

    def seen(self, key: tuple[str, str], sent: float) -> float | None:
        return seen_after(self.shown, key, sent)

    def wait_for(self, key: tuple[str, str], sent: float, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.seen(key, sent) is not None, timeout)


SEEN_KINDS = {
    "open": "click: open case (modal)",
    "step": "step click (card edited)",
    "report": "report submitted (card posted)",
}


def seen_row(backend: str, size: int, kind: str, rtt_ms: float, people: int,
             ours: SeenResult, bare: SeenResult) -> list[str]:  # fmt: skip
    p50, p99 = ours.percentile(50) * 1000, ours.percentile(99) * 1000
    b50, b99 = bare.percentile(50) * 1000, bare.percentile(99) * 1000
    r50 = p50 / b50 if b50 else float("nan")
    r99 = p99 / b99 if b99 else float("nan")
    bad = ours.ack.non_2xx + ours.ack.errors + bare.ack.non_2xx + bare.ack.errors
    return [
        backend,
        f"{size:,}",
        SEEN_KINDS[kind],
        f"{rtt_ms:.0f}",
        str(people),
        f"{p50:.0f}",
        f"{p99:.0f}",
        f"{b50:.0f}",
        f"{b99:.0f}",
        f"{r50:.2f}",
        f"{r99:.2f}",
        f"{ours.ack.percentile(50) * 1000:.1f}",
        f"{ours.ack.percentile(99) * 1000:.1f}",
        f"{bare.ack.percentile(50) * 1000:.1f}",
        f"{ours.missing}/{bare.missing}",
        str(bad),
        seen_verdict(kind, people, rtt_ms, r50, r99, p99),
    ]


def merged(parts: list[SeenResult]) -> SeenResult:
    whole = SeenResult(LoadResult())
    for part in parts:
        whole.seen += part.seen
        whole.missing += part.missing
        whole.ack.latencies += part.ack.latencies
        whole.ack.errors += part.ack.errors
        for status, count in part.ack.statuses.items():
            whole.ack.statuses[status] = whole.ack.statuses.get(status, 0) + count
    return whole


def measure_seen(
    backend: str,
    size: int,
    kinds: list[str],
    rtts: list[float],
    clients: list[int],
    per_run: int,
    serve: Any,
    bare: Any,
    busy: list[Any],
    fake: Any,
    watch: Any,
    requests: Requests,
) -> list[list[str]]:
    """Rows of what a person sees. Twenty more members join first (each person clicking is
    another member); each step click acknowledges a case received just before the runs
    (its card is posted by then), so that every click edits a card."""
    from datetime import UTC, datetime

    from benchmarks import inprocess
    from benchmarks.load import TEAM
    from benchmarks.run import rounds
    from benchmarks.seed import add_people
    from benchmarks.servers import BENCH_SIGNING_SECRET

    people = add_people(watch.ctx, TEAM, datetime.now(UTC))
    warmup = 1
    fresh: Iterator[int] = iter([])
    if "step" in kinds:
        needed = len(rtts) * sum(max(per_run, 3 * n) + 3 * warmup * n for n in clients)
        print(f"[{backend} {size} cases] {needed} cases to acknowledge", file=sys.stderr)
        fresh = iter([inprocess.new_open_case(watch) for _ in range(needed)])
    elsewhere = itertools.count(900_001)  # plain Bolt's step clicks: any case number
    api_url = fake.url + "api/"
    rows = []
    for kind in kinds:
        for rtt in rtts:
            for n in clients:
                print(f"[{backend} {size} cases] seen {kind} rtt {rtt:.0f} x{n}",
                      file=sys.stderr, flush=True)  # fmt: skip

                def make(ours: bool, n: int = n, kind: str = kind) -> Callable[[int], Request]:
                    def one(i: int) -> Request:
                        user = people[i % n]
                        if kind == "open":
                            return requests.click(user)
                        if kind == "step":
                            return requests.step(next(fresh if ours else elsewhere), user)
                        return requests.report(user)

                    return one

                ours_parts, bare_parts = [], []
                for part in rounds(max(per_run, 3 * n), n):
                    for proc, parts, mine in ((serve, ours_parts, True), (bare, bare_parts, False)):
                        proc.wait_idle()
                        for other in busy:
                            other.wait_idle(timeout=300)
                        parts.append(
                            run_seen(proc.url, api_url, make(mine), BENCH_SIGNING_SECRET,
                                     clients=n, requests=part, rtt_ms=rtt, warmup=warmup)
                        )  # fmt: skip
                rows.append(
                    seen_row(backend, size, kind, rtt, n, merged(ours_parts), merged(bare_parts))
                )
    return rows
