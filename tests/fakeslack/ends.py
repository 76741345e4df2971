"""Slack's ends other than the Web API, as the fake plays them: `response_url` posts, the
app's answers to Slack's requests (acks), and the WebSocket URL of Socket Mode. A mixin of
`FakeSlack`, which keeps the calls (`_record`) and the faults (`_next_fault`)."""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.fakeslack import spec
from tests.fakeslack.records import Call, Fault


class OtherEnds:
    _released: threading.Event

    def _record(self, call: Call) -> None:
        raise NotImplementedError

    def _next_fault(self, method: str) -> Fault | None:
        raise NotImplementedError

    # Socket Mode: set to a `SocketModeServer` (tests/fakeslack/socket_mode.py) to accept.
    socket_mode: Any = None
    app_token: str = "xapp-1-A0FAKEAPP1-fake"

    def _connections_open(self, token: str | None) -> dict[str, Any]:
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        if self.socket_mode is None:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket_mode.url}

    def response_url_hangs(self, path: str) -> bool:
        """`hang("response_url")`: the next post to a response_url gets no answer."""
        fault = self._next_fault("response_url")
        if fault is None or not fault.hang_seconds:
            return False
        self._record(Call("response_url", {"url": path}, {"ok": False}, 0, "hang"))
        self._released.wait(fault.hang_seconds)
        return True

    def handle_response_url(self, path: str, payload: dict[str, Any]) -> None:
        problems = spec.check_blocks(payload["blocks"]) if "blocks" in payload else []
        if not (payload.get("text") or payload.get("blocks") or payload.get("delete_original")):
            problems.append("response_url: neither text nor blocks")
        self._record(
            Call(
                "response_url", {**payload, "url": path}, {"ok": not problems}, 200, None, problems
            )
        )

    def record_ack(self, payload_type: str, body: bytes) -> None:
        """What the app answered Slack over HTTP (ack bodies: command replies, modal errors,
        `response_action` views) reaches users too: check and record it as method "ack"."""
        if not body:
            return
        try:
            data: Any = json.loads(body)
        except ValueError:
            data = {"text": body.decode("utf-8", "replace")}
        if not isinstance(data, dict):
            data = {"text": str(data)}
        problems = []
        if "blocks" in data:
            problems += [f"ack: {p}" for p in spec.check_blocks(data["blocks"])]
        if isinstance(data.get("view"), dict):
            problems += [f"ack: {p}" for p in spec.check_view(data["view"])]
        action = data.get("response_action")
        if action is not None:
            if payload_type != "view_submission":
                problems.append(f"ack: response_action in a {payload_type} answer")
            elif action not in ("errors", "update", "push", "clear"):
                problems.append(f"ack: unknown response_action {action!r}")
            elif action == "errors" and not (
                isinstance(data.get("errors"), dict)
                and data["errors"]
                and all(isinstance(v, str) and v for v in data["errors"].values())
            ):
                problems.append("ack: response_action errors needs {block_id: message}")
            elif action in ("update", "push") and not isinstance(data.get("view"), dict):
                problems.append(f"ack: response_action {action} needs a view")
        self._record(
            Call("ack", {**data, "payload_type": payload_type}, {"ok": True}, 200, None, problems)
        )
