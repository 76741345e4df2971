"""The WSGI app `serve` runs in HTTP mode (waitress by default; any WSGI server works):

- `POST /slack/events`: slash commands, interactivity, shortcuts and events, through Bolt
  (which checks the request signature and timestamp: 401 otherwise, with nothing done);
- `GET /slack/install`, `GET /slack/oauth_redirect`: OAuth distribution, when configured;
- `GET /oncall.ics?token=...`: the rota as iCalendar, when COC_ICAL_TOKEN is set;
- `GET /healthz`: `200 {"ok": true}` when the database answers, else `503 {"ok": false}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from slack_coc.config import ConfigError
from slack_coc.runtime import Runtime, check_database
from slack_coc.slack.ical_feed import ICAL_PATH, serve_ical

EVENTS_PATH = "/slack/events"
OAUTH_PATHS = ("/slack/install", "/slack/oauth_redirect")  # only with OAuth distribution
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


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
            try:
                return slack(environ, start_response)
            except (ValueError, TypeError, AttributeError, KeyError):
                # Bolt parses the body before checking the signature: a `payload` that is not
                # JSON, or JSON of the wrong shape (a list...), raised here and became a 500,
                # signed or not (found by tests/robustness fuzzing).
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


def _json(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
