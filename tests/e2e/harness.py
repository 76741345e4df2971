"""End-to-end harness: Slack's side of the conversation, over real HTTP.

- `sign()` signs a request body exactly as Slack does (v0, HMAC-SHA256 of "v0:{ts}:{body}").
- `Payloads` (`payloads.py`) builds slash command, block_actions, view_submission, shortcut
  and event bodies shaped like `slack-reference/sample-payloads/`.
- `AppServer` serves the app's WSGI app (the real `build_app` + `make_wsgi_app`) with waitress
  on a loopback port and posts signed requests to it; its Web API client points at FakeSlack.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.e2e.payloads import Payloads

__all__ = [
    "SIGNING_SECRET",
    "AppServer",
    "Payloads",
    "Response",
    "action_ids",
    "encode_interactive",
    "find_button",
    "post_signed",
    "sign",
    "wait_for",
]
from tests.fakeslack import FakeSlack

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"


def sign(secret: str, timestamp: str, body: str | bytes) -> str:
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + timestamp.encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def encode_interactive(payload: dict[str, Any]) -> str:
    """Interactivity bodies are a form with one field, `payload`, holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def post_signed(
    url: str,
    body: str,
    content_type: str,
    secret: str,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    timeout: float = 10,
) -> Response:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature if signature is not None else sign(secret, ts, body),
    }
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), dict(err.headers))


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll until `predicate()` is truthy (Bolt may finish a listener after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class AppServer:
    """The app's WSGI app served by waitress on a loopback port."""

    def __init__(self, wsgi_app: Any, rt: Any, fake: FakeSlack, team_id: str) -> None:
        import waitress

        self.rt, self.fake, self.team_id = rt, fake, team_id
        self.payloads = Payloads(team_id, fake)
        self.secret = rt.settings.SLACK_SIGNING_SECRET or SIGNING_SECRET
        self._server = waitress.create_server(wsgi_app, host="127.0.0.1", port=0, threads=4)
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="app-server")
        self._thread.start()

    def _serve(self) -> None:
        """waitress's own loop, in steps, so the server closes in its own thread (closing
        the socket from another thread under a running select() raises EBADF)."""
        from waitress import wasyncore

        server: Any = self._server
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(map=server._map)  # the listener, the trigger, open connections

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    # ---------------------------------------------------------------- raw requests
    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        *,
        path: str = "/slack/events",
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> Response:
        response = post_signed(
            self.url + path,
            body,
            content_type,
            self.secret,
            timestamp=timestamp,
            signature=signature,
        )
        if response.status == 200:  # what the app answered reaches a user: check it too
            self.fake.record_ack(_payload_type(body, content_type), response.body)
        return response

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as resp:
                return Response(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read(), dict(err.headers))

    # ---------------------------------------------------------------- what Slack sends
    def command(self, user_id: str, text: str, **kw: Any) -> Response:
        return self.post(urlencode(self.payloads.slash_command(user_id, text, **kw)))

    def interactive(self, payload: dict[str, Any]) -> Response:
        return self.post(encode_interactive(payload))

    def click(self, user_id: str, action_id: str, value: str = "", **kw: Any) -> Response:
        return self.interactive(self.payloads.block_actions(user_id, action_id, value, **kw))

    def click_button(self, user_id: str, message: Any, action_id: str, channel: str) -> Response:
        """Click the button `action_id` on a message the app posted (a FakeSlack Message)."""
        button = find_button(message.blocks, action_id)
        msg = {"ts": message.ts, "text": message.text, "blocks": message.blocks}
        return self.click(
            user_id,
            action_id,
            button.get("value", ""),
            block_id=button.get("_block_id", "actions"),
            channel_id=channel,
            message=msg,
        )

    def submit(
        self, user_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]] | None = None
    ) -> Response:
        return self.interactive(self.payloads.view_submission(user_id, view, values))

    def shortcut(self, user_id: str, callback_id: str) -> Response:
        return self.interactive(self.payloads.global_shortcut(user_id, callback_id))

    def event(self, event_payload: dict[str, Any]) -> Response:
        return self.post(json.dumps(event_payload), "application/json")

    def open_home(self, user_id: str) -> Response:
        return self.event(self.payloads.app_home_opened(user_id))

    # ---------------------------------------------------------------- outbox
    def deliver(self) -> int:
        """Deliver every due outbox item now (what the sweep does), with the app's handlers."""
        from slack_coc.jobs.outbox import OutboxDispatcher
        from slack_coc.slack.outbound import handlers

        client = self.fake.client()
        return OutboxDispatcher(self.rt.ctx, handlers(self.rt, client)).deliver_due()

    def last_view(self, user_id: str | None = None) -> dict[str, Any]:
        """The modal most recently opened (views.open/push/update) on the fake."""
        calls = [
            c for c in self.fake.calls() if c.method in ("views.open", "views.push", "views.update")
        ]
        assert calls, "no modal was opened"
        view_id = calls[-1].response["view"]["id"]
        return dict(self.fake.views[view_id])


def _payload_type(body: str, content_type: str) -> str:
    if content_type.startswith("application/json"):
        return "event"
    fields = parse_qs(body)
    if "payload" in fields:
        try:
            return str(json.loads(fields["payload"][0]).get("type", "interactive"))
        except ValueError:
            return "interactive"
    return "command" if "command" in fields else "form"


def find_button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The element with `action_id` in `blocks` (actions elements or section accessories);
    `_block_id` is added for the click payload."""
    for block in blocks:
        candidates = list(block.get("elements", []))
        if "accessory" in block:
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {**element, "_block_id": block.get("block_id", "actions")}
    raise AssertionError(f"no element with action_id {action_id!r} in the message")


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    found = []
    for block in blocks:
        elements = list(block.get("elements", []))
        if "accessory" in block:
            elements.append(block["accessory"])
        found += [e["action_id"] for e in elements if isinstance(e, dict) and "action_id" in e]
    return found
