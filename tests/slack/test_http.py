"""The WSGI app's routes, called directly: health, OAuth install page, unknown paths."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from slack_coc.config import load_settings
from slack_coc.runtime import Runtime, build_runtime
from slack_coc.slack.app import build_app
from slack_coc.slack.http import make_wsgi_app
from tests.conftest import TEST_KEY


def _runtime(database_url: str, **overrides: Any) -> Runtime:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "COC_ENCRYPTION_KEYS": TEST_KEY,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "COC_CHANNEL_ID": "C0COCGROUP",
        "SLACK_APP_TOKEN": None,
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "COC_POLICY_FILE": None,
    }
    values.update(overrides)
    return build_runtime(load_settings(**values))


def call(rt: Runtime, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    wsgi = make_wsgi_app(rt, build_app(rt))
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    body = b"".join(wsgi(environ, start_response))
    return seen["status"], seen["headers"], body


def test_healthz_answers_when_the_database_does(database_url: str, engine: Any) -> None:
    status, headers, body = call(_runtime(database_url), "GET", "/healthz")
    assert status == "200 OK" and json.loads(body) == {"ok": True}
    assert headers["Content-Type"] == "application/json"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path: Path) -> None:
    rt = _runtime(f"sqlite:///{tmp_path / 'missing-dir' / 'coc.db'}")
    status, _headers, body = call(rt, "GET", "/healthz")
    assert status.startswith("503") and json.loads(body) == {"ok": False}


def test_events_only_take_posts_and_other_paths_are_404(database_url: str, engine: Any) -> None:
    rt = _runtime(database_url)
    assert call(rt, "GET", "/slack/events")[0].startswith("405")
    assert call(rt, "GET", "/nowhere")[0].startswith("404")
    assert call(rt, "GET", "/slack/install")[0].startswith("404")  # no OAuth configured


def test_oauth_install_page_when_distribution_is_configured(tmp_path: Path) -> None:
    from slack_coc import migrate

    rt = _runtime(
        f"sqlite:///{tmp_path / 'oauth.db'}",
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
    )
    migrate.upgrade(rt.engine)
    status, _headers, body = call(rt, "GET", "/slack/install")
    assert status == "200 OK"
    assert "slack.com/oauth/v2/authorize" in body.decode()
