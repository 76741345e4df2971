"""Signed Slack requests and a closed-loop load generator over real HTTP.

Each client is a thread that sends one request, waits for the answer and sends the next, on
a fresh connection each time (as Slack does). Latency is the time from sending the request
to reading the whole response: what Slack's 3-second ack timer sees.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.servers import BENCH_TOKEN
from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import STEP_PREFIX, Action
from tests.e2e.harness import Payloads, encode_interactive, sign

TEAM = "T0TEAM0001"
CHANNEL = "C0COCGROUP"
MEMBER = "U0BEN0002"
TRIGGER_IDS = itertools.count(1)
FORM_USES = 200


class ResponseUrls:
    """What `Payloads` needs from a fake Slack: where `response_url`s point."""

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url.rstrip("/") + "/"
        self._ids = itertools.count(1)

    def response_url(self, name: str = "r") -> str:
        return f"{self.root_url}response/{name}-{next(self._ids)}"

    def issue_trigger(self, trigger_id: str, *, in_modal: bool = False) -> None:
        """The fake runs in another process here and does not time trigger ids (nor know
        which come from modals: the load's clicks are on messages, answered with views.open)."""


@dataclass(frozen=True)
class Request:
    body: str
    content_type: str
    key: tuple[str, str] | None = None  # what shows its result (`seen.py`)


class Requests:
    """The three request kinds the benchmark sends, as Slack would send them."""

    def __init__(self, fake_root_url: str, case_count: int, user: str = MEMBER) -> None:
        # One trigger id sequence for the whole process: Slack's trigger ids are single use
        # and the fake refuses a second use, whichever app or case count sent the first.
        self.payloads = Payloads(TEAM, ResponseUrls(fake_root_url), _seq=TRIGGER_IDS)  # type: ignore[arg-type]
        self.case_count = max(case_count, 1)
        self.user = user
        self.api_url = fake_root_url.rstrip("/") + "/api/"
        self._form: str | None = None
        self._form_uses = 0
        self._rng = random.Random(7)
        self._lock = threading.Lock()

    def _form_view_id(self) -> str:
        # The benchmark's fake keeps only its latest 2,000 views: open a fresh form now and then.
        with self._lock:
            if self._form is None or self._form_uses >= FORM_USES:
                from slack_sdk import WebClient

                from slack_coc.slack.modals.report import log_report_modal

                client = WebClient(token=BENCH_TOKEN, base_url=self.api_url)
                opened = client.views_open(
                    trigger_id=self.payloads.trigger_id(), view=log_report_modal()
                )
                self._form, self._form_uses = str(opened["view"]["id"]), 0
            self._form_uses += 1
            return self._form

    def _case(self) -> int:
        with self._lock:
            return self._rng.randint(1, self.case_count)

    def command(self, text: str = "list") -> Request:
        return Request(
            urlencode(self.payloads.slash_command(self.user, text)),
            "application/x-www-form-urlencoded",
        )

    def click(self, user: str | None = None) -> Request:
        """ "Open case" on a random case's card: the detail modal."""
        payload = self.payloads.block_actions(
            user or self.user, Action.OPEN_CASE.value, str(self._case()), channel_id=CHANNEL
        )
        key = ("trigger", str(payload["trigger_id"]))
        return Request(encode_interactive(payload), "application/x-www-form-urlencoded", key)

    def step(self, number: int, user: str | None = None) -> Request:
        """ "Acknowledge" on case `number`'s card (a case that was just received): the card
        is edited when the step is done."""
        action = STEP_PREFIX + Trigger.ACKNOWLEDGE.value
        payload = self.payloads.block_actions(
            user or self.user, action, str(number), channel_id=CHANNEL
        )
        return Request(
            encode_interactive(payload), "application/x-www-form-urlencoded", ("case", f"#{number}")
        )

    def report(self, user: str | None = None) -> Request:
        """ "Log a report" submitted from a form of its own (the fake opens it now): its
        view id names it, so that the case's card can be told apart from the others."""
        from slack_sdk import WebClient

        from slack_coc.slack.modals.report import log_report_modal

        client = WebClient(token=BENCH_TOKEN, base_url=self.api_url)
        opened = client.views_open(trigger_id=self.payloads.trigger_id(), view=log_report_modal())
        return self._submission(str(opened["view"]["id"]), user or self.user)

    def submit(self) -> Request:
        """The "Log a report" modal submitted: a new case. The form is one the fake opened,
        so that the worker's answer (`views.update` of the submitted view) finds it."""
        return self._submission(self._form_view_id(), self.user)

    def _submission(self, view_id: str, user: str) -> Request:
        from slack_coc.slack.modals.report import log_report_modal

        view = {**log_report_modal(), "id": view_id}
        values = {
            "source": {"source": {"type": "static_select", "selected_option": {"value": "email"}}},
            "account": {"account": {"type": "plain_text_input", "value": "benchmark account"}},
            "ongoing": {"ongoing": {"type": "radio_buttons", "selected_option": {"value": "No"}}},
        }
        payload = self.payloads.view_submission(user, view, values)
        return Request(
            encode_interactive(payload), "application/x-www-form-urlencoded", ("view", view_id)
        )

    def home(self) -> Request:
        return Request(json.dumps(self.payloads.app_home_opened(self.user)), "application/json")

    def kind(self, name: str) -> Callable[[], Request]:
        return {
            "command": self.command,
            "click": self.click,
            "submit": self.submit,
            "home": self.home,
        }[name]


def headers_for(request: Request, secret: str, retry_num: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": request.content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, request.body),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def send(url: str, request: Request, secret: str, timeout: float = 30) -> tuple[int, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("POST", parts.path or "/", request.body.encode(), headers_for(request, secret))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    wall: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def run_load(
    url: str,
    make: Callable[[], Request],
    secret: str,
    *,
    clients: int,
    requests: int,
    warmup: int = 5,
) -> LoadResult:
    """`requests` requests from `clients` concurrent clients (after `warmup` unmeasured).
    The requests are built before the clients start: building a report form's payload takes
    about 2 ms of CPU, which Slack spends, not the app's host, and which would otherwise hold
    the load generator's GIL while other clients' answers wait to be read. (They are signed
    when sent, as Slack does.)"""
    for _ in range(warmup):
        send(url, make(), secret)
    result = LoadResult()
    lock = threading.Lock()
    prepared = [make() for _ in range(requests)]
    remaining = itertools.count()

    def client() -> None:
        while (index := next(remaining)) < requests:
            request = prepared[index]
            started = time.perf_counter()
            try:
                status, _body = send(url, request, secret)
            except OSError:
                with lock:
                    result.errors += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                result.latencies.append(elapsed)
                result.statuses[status] = result.statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - started
    return result


def wait_healthy(url: str, timeout: float = 30) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy in {timeout}s")
        time.sleep(0.1)


def summarize(result: LoadResult) -> dict[str, Any]:
    return {
        "p50": result.percentile(50) * 1000,
        "p95": result.percentile(95) * 1000,
        "p99": result.percentile(99) * 1000,
        "n": len(result.latencies),
        "bad": result.non_2xx + result.errors,
        "rps": len(result.latencies) / result.wall if result.wall else 0.0,
    }
