"""Hostile requests of every kind, over real HTTP: oversized, deeply nested, malformed, of the
wrong type, signed garbage. Each is answered within Slack's 3 s with 200 or a 4xx, never a
5xx or a hang, and the app keeps serving afterwards (issue 22)."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest

from slack_coc.config import ConfigError, load_settings
from slack_coc.slack.http import MAX_JSON_DEPTH, make_wsgi_app
from slack_coc.slack.ids import Shortcut
from tests.e2e.harness import Response, encode_interactive, post_signed, sign
from tests.robustness.conftest import ANA, BEN, RobustServer, World, leaked, snapshot

SLACK_DEADLINE = 3.0  # Slack gives up on an answer after 3 s


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> int:
    """Send a request line, headers and (maybe only part of) a body; the status answered.
    A timeout fails the test: the answer must come before Slack's deadline."""
    with socket.create_connection(("127.0.0.1", port), timeout=SLACK_DEADLINE) as sock:
        head = "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode() + body)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


class _CountingInput(io.RawIOBase):
    """A request body that counts what is read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = b"x" * (1024 if size < 0 else min(size, 1 << 20))
        self.read_bytes += len(data)
        return data


def _environ(length: str, body: Any, content_type: str = "application/json") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": length,
        "CONTENT_TYPE": content_type,
        "wsgi.input": body,
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(int(time.time())),
        "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64,
    }


def _wsgi(server: RobustServer, rt: Any = None) -> Any:
    """The app's WSGI callable, to call with a hand-made environ."""
    from slack_coc.slack.app import Role, build_app

    return make_wsgi_app(rt or server.rt, build_app(server.rt, role=Role.ALL))


def test_oversized_body_is_413_before_it_is_read(server: RobustServer) -> None:
    """The app itself (any WSGI server): a Content-Length above COC_MAX_REQUEST_BYTES is
    refused without reading one byte (it used to be read whole before the 401)."""
    limit = server.rt.settings.COC_MAX_REQUEST_BYTES
    body = _CountingInput()
    statuses: list[str] = []
    app = _wsgi(server)
    answer = app(_environ(str(34 * 1024 * 1024), body), lambda s, h: statuses.append(s))
    assert statuses == ["413 Content Too Large"], statuses
    assert body.read_bytes == 0
    assert str(limit).encode() in b"".join(answer)


def test_serve_sets_the_servers_own_body_limit(server: RobustServer) -> None:
    """`serve` gives waitress the same limit: a chunked or declared body beyond it is
    refused by the server before the app is called (waitress's default is 1 GiB)."""
    import waitress

    from slack_coc.cli.serve import waitress_options

    options = waitress_options(server.rt, "127.0.0.1", 0, 2)
    limit = server.rt.settings.COC_MAX_REQUEST_BYTES
    assert options["max_request_body_size"] == limit
    called: list[bool] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        called.append(True)
        start_response("200 OK", [])
        return [b""]

    from waitress import wasyncore

    real: Any = waitress.create_server(app, **options)
    stop = threading.Event()

    def loop() -> None:  # stepped, so the server closes in its own thread
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=real._map, count=1)
        real.task_dispatcher.shutdown()
        wasyncore.close_all(map=real._map)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        status = _raw_post(int(real.effective_port), {"Content-Length": str(limit + 1)}, b"x")
        assert status == 413
        assert called == []
    finally:
        stop.set()
        thread.join(timeout=5)


def test_the_wsgi_entry_has_gunicorn_limits() -> None:
    """gunicorn (the WSGI entry) bounds what it reads before the app; the body limit is the
    app's own (above) since gunicorn has none."""
    from slack_coc import gunicorn_conf

    assert 0 < gunicorn_conf.limit_request_line <= 8190
    assert 0 < gunicorn_conf.limit_request_fields <= 100
    assert 0 < gunicorn_conf.limit_request_field_size <= 8190


def test_chunked_body_without_length_is_411(server: RobustServer) -> None:
    statuses: list[str] = []
    env = _environ("", _CountingInput())
    env["HTTP_TRANSFER_ENCODING"] = "chunked"
    _wsgi(server)(env, lambda s, h: statuses.append(s))
    assert statuses == ["411 Length Required"]


def test_deeply_nested_json_is_a_clear_400(server: RobustServer, world: World) -> None:
    """Python's JSON parser raised RecursionError on these: a 500. Signed or not, as an
    interactive payload or an event, they are now a 400 naming the problem."""
    before = snapshot(server.rt.engine)
    deep = _nested(5000)
    for body, content_type in (
        (urlencode({"payload": deep}), "application/x-www-form-urlencoded"),
        (deep, "application/json"),
        ("[" * 100_000, "application/json"),
    ):
        response = server.post(body, content_type)
        assert response.status == 400, (content_type, response.status, response.text[:200])
        assert "nested" in response.json()["error"]
    # Just within the limit: parsed normally (a 401/200/4xx, never the nesting refusal).
    ok = server.post(urlencode({"payload": _nested(MAX_JSON_DEPTH - 1)}))
    assert ok.status < 500 and "nested" not in ok.text
    server.settle()
    assert snapshot(server.rt.engine) == before


def _hostile(server: RobustServer) -> list[tuple[str, str, str]]:
    """(name, body, content type) for every kind of hostile request, all signed."""
    p = server.payloads
    form = "application/x-www-form-urlencoded"
    shortcut = p.message_shortcut(
        BEN, Shortcut.REPORT_MESSAGE.value, {"ts": "1.000001", "text": "x"}, "C0GENERAL1"
    )
    no_message = {k: v for k, v in shortcut.items() if k not in ("message", "message_ts")}
    garbage_types: list[Any] = ["garbage", "", None, 7, ["block_actions"], {"a": 1}, "x" * 300]
    cases: list[tuple[str, str, str]] = [
        ("empty body", "", form),
        ("not a form", "\x00\xff%%%===&&&", form),
        ("payload not JSON", urlencode({"payload": "{not json"}), form),
        ("payload a list", urlencode({"payload": "[1, 2]"}), form),
        ("payload a string", urlencode({"payload": '"hello"'}), form),
        ("payload null", urlencode({"payload": "null"}), form),
        ("event not JSON", "{", "application/json"),
        ("event a number", "42", "application/json"),
        ("event wrong types", json.dumps({"type": 5, "event": "x"}), "application/json"),
        ("event without event", json.dumps({"type": "event_callback"}), "application/json"),
        ("url_verification without challenge", '{"type":"url_verification"}', "application/json"),
        ("nested payload", urlencode({"payload": _nested(3000)}), form),
        # The depth check's old tokenizer retried from every quote: quadratic (7 s at 32 kB).
        ("escaped quotes", urlencode({"payload": '"' + '\\"' * 60_000 + "[{" * 40}), form),
        ("empty slash text", urlencode(p.slash_command(ANA, "")), form),
        ("slash text only spaces", urlencode(p.slash_command(ANA, "   \t ")), form),
        ("slash command without user", urlencode({"command": "/coc", "text": "list"}), form),
        ("message action without a message", encode_interactive(no_message), form),
        ("block_actions without actions", encode_interactive({"type": "block_actions"}), form),
        (
            "view_submission without view",
            encode_interactive({"type": "view_submission", "user": {"id": ANA}}),
            form,
        ),
        ("unicode soup", urlencode({"payload": json.dumps({"type": "\ud7ff\u202e" * 50})}), form),
    ]
    for value in garbage_types:
        body = {**p.global_shortcut(ANA, Shortcut.REPORT_CONCERN.value), "type": value}
        cases.append((f"signed garbage type {str(value)[:20]!r}", encode_interactive(body), form))
    return cases


def test_a_stream_of_hostile_requests_is_answered_in_time(
    server: RobustServer, world: World
) -> None:
    before = snapshot(server.rt.engine)
    for name, body, content_type in _hostile(server):
        ts = int(time.time())
        started = time.monotonic()
        # The client's own timeout is Slack's: a request that hangs fails here.
        response = post_signed(
            server.url + "/slack/events",
            body,
            content_type,
            server.secret,
            timestamp=ts,
            signature=sign(server.secret, str(ts), body),
            timeout=SLACK_DEADLINE,
        )
        took = time.monotonic() - started
        assert response.status == 200 or 400 <= response.status < 500, (name, response.status)
        assert took < SLACK_DEADLINE, (name, took)
        assert "Traceback" not in response.text and not leaked(world, response.text), name
    # Oversized and signed (the test's waitress has no limit of its own: the app's answers).
    oversized = urlencode({"payload": "x" * server.rt.settings.COC_MAX_REQUEST_BYTES})
    assert server.post(oversized).status == 413
    server.settle()
    assert snapshot(server.rt.engine)["cases"] == before["cases"]
    # Still serving: health and a member's ordinary command.
    assert server.get("/healthz").status == 200
    listed: Response = server.command(ANA, "list")
    assert listed.status == 200


def test_the_limit_is_a_setting(server: RobustServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_MAX_REQUEST_BYTES", "2048")
    settings = load_settings(DATABASE_URL="sqlite://")
    assert settings.COC_MAX_REQUEST_BYTES == 2048
    app = _wsgi(server, SimpleNamespace(settings=settings, engine=server.rt.engine))
    statuses: list[str] = []
    app(_environ("2049", _CountingInput()), lambda s, h: statuses.append(s))
    assert statuses == ["413 Content Too Large"]
    monkeypatch.setenv("COC_MAX_REQUEST_BYTES", "12")
    with pytest.raises(ConfigError, match="COC_MAX_REQUEST_BYTES"):
        load_settings(DATABASE_URL="sqlite://")
