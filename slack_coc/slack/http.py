"""The WSGI app `serve` runs in HTTP mode (waitress by default; any WSGI server works):

- `POST /slack/events`: slash commands, interactivity, shortcuts and events, through Bolt
  (which checks the request signature and timestamp: 401 otherwise, with nothing done);
- `GET /slack/install`, `GET /slack/oauth_redirect`: OAuth distribution, when configured;
- `GET /oncall.ics?team=...&token=...`: the rota as iCalendar (each workspace's own secret);
- `GET /healthz`: `200 {"ok": true}` when the database answers, else `503 {"ok": false}`.

Before Bolt sees a request, its size and shape are checked here: a `Content-Length` above
COC_MAX_REQUEST_BYTES is answered 413 without reading the body (an unsigned body used to be
read whole, up to the server's 1 GiB, before the signature was checked), and JSON nested
deeper than any Slack payload is answered 400 (Python's parser raised RecursionError: a 500).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from slack_coc.config import ConfigError
from slack_coc.runtime import Runtime, check_database
from slack_coc.slack.ical_feed import ICAL_PATH, serve_ical
from slack_coc.slack.in_flight import SLACK_REQUESTS
from slack_coc.slack.json_depth import form_payloads, nested_deeper_than

EVENTS_PATH = "/slack/events"
OAUTH_PATHS = ("/slack/install", "/slack/oauth_redirect")  # only with OAuth distribution
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]

# Slack's payloads nest about a dozen levels (a view's state, rich text blocks); Python's JSON
# parser recurses once per level and fails near 1,000 (`json_depth`).
MAX_JSON_DEPTH = 64


def make_wsgi_app(
    rt: Runtime, bolt_app: App
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(bolt_app)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == EVENTS_PATH:
            if method != "POST":
                return _json(
                    start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"}
                )
            refused = _refuse_body(environ, rt.settings.COC_MAX_REQUEST_BYTES)
            if refused is not None:
                return _json(start_response, refused[0], {"ok": False, "error": refused[1]})
            try:
                with SLACK_REQUESTS.one():
                    return slack(environ, start_response)
            except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
                # Bolt parses the body before checking the signature: a `payload` that is not
                # JSON, or JSON of the wrong shape (a list...), must be a 400, signed or not.
                return _json(
                    start_response, "400 Bad Request", {"ok": False, "error": "malformed body"}
                )
        if path in OAUTH_PATHS and bolt_app.oauth_flow is not None and method == "GET":
            return slack(environ, start_response)
        if path == ICAL_PATH and method == "GET":
            return serve_ical(rt, environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            try:
                check_database(rt.engine)
            except ConfigError:
                return _json(start_response, "503 Service Unavailable", {"ok": False})
            return _json(start_response, "200 OK", {"ok": True})
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not found"})

    return wsgi


def _refuse_body(environ: dict[str, Any], limit: int) -> tuple[str, str] | None:
    """(status, reason) when the body must not reach Bolt; else None, with the body read
    (within the limit) and put back as `wsgi.input` for Bolt to read again."""
    declared = environ.get("CONTENT_LENGTH") or "0"
    if not environ.get("CONTENT_LENGTH") and environ.get("HTTP_TRANSFER_ENCODING"):
        # gunicorn passes chunked bodies on unsized (waitress sizes them within its limit).
        return "411 Length Required", "Content-Length required"
    try:
        length = int(declared)
    except ValueError:
        return "400 Bad Request", "bad Content-Length"
    if length < 0:
        return "400 Bad Request", "bad Content-Length"
    if length > limit:
        return "413 Content Too Large", f"body larger than {limit} bytes"
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    if _too_deep(body, environ.get("CONTENT_TYPE", "")):
        return "400 Bad Request", f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    return None


def _too_deep(body: bytes, content_type: str) -> bool:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        return nested_deeper_than(text, MAX_JSON_DEPTH)
    # A form: only `payload` holds JSON (slash commands' fields are plain text).
    return any(nested_deeper_than(p, MAX_JSON_DEPTH) for p in form_payloads(text))


def _json(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
