"""`serve`'s mode wiring without a network: Socket Mode uses the app token against
SLACK_API_URL and skips signatures; HTTP mode refuses to build without a signing secret."""

from __future__ import annotations

from typing import Any

import pytest

from slack_coc.cli import serve as serve_cli
from slack_coc.cli.common import CliError
from slack_coc.config import ConfigError, load_settings
from slack_coc.runtime import build_runtime
from slack_coc.slack.app import build_app
from tests.conftest import TEST_KEY
from tests.fakeslack.server import FakeSlack


def _rt(database_url: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "COC_ENCRYPTION_KEYS": TEST_KEY,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": None,
        "SLACK_APP_TOKEN": "xapp-1-test",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "COC_CHANNEL_ID": "C0COCGROUP",
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "COC_POLICY_FILE": None,
    }
    values.update(overrides)
    return build_runtime(load_settings(**values))


def test_http_mode_needs_the_signing_secret(database_url: str) -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        build_app(_rt(database_url))


def test_socket_mode_connects_with_the_app_token(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = _rt(database_url)
    bolt = build_app(rt, socket_mode=True)
    seen: dict[str, Any] = {}

    class FakeHandler:
        def __init__(self, app: Any, app_token: str, web_client: Any) -> None:
            seen.update(app=app, token=app_token, base_url=web_client.base_url)

        def connect(self) -> None:
            seen["connected"] = True

        def close(self) -> None:
            seen["closed"] = True

    def signalled() -> int:
        seen["waited"] = True
        return 15

    import slack_bolt.adapter.socket_mode as socket_mode

    from slack_coc.jobs import scheduler

    monkeypatch.setattr(socket_mode, "SocketModeHandler", FakeHandler)
    monkeypatch.setattr(scheduler, "wait_until_signalled", signalled)
    serve_cli.run_socket_mode(serve_cli.connect_socket_mode(rt, bolt))
    assert seen == {
        "app": bolt,
        "token": "xapp-1-test",
        "base_url": "http://127.0.0.1:9/api/",
        "connected": True,
        "waited": True,
        "closed": True,
    }


def test_socket_mode_with_a_bad_app_token_is_one_line(
    database_url: str, fake_slack: FakeSlack
) -> None:
    """Slack (the fake) answers apps.connections.open with invalid_auth: a CliError naming
    the setting, before any worker or scheduler starts."""
    rt = _rt(database_url, SLACK_API_URL=fake_slack.url, SLACK_APP_TOKEN="xapp-1-wrong")
    bolt = build_app(rt, socket_mode=True)
    with pytest.raises(CliError, match=r"SLACK_APP_TOKEN: .*\(invalid_auth\)"):
        serve_cli.connect_socket_mode(rt, bolt)


def test_socket_mode_without_network_is_one_line(database_url: str) -> None:
    rt = _rt(database_url)  # SLACK_API_URL: a closed loopback port
    bolt = build_app(rt, socket_mode=True)
    with pytest.raises(CliError, match=r"could not reach Slack at http://127.0.0.1:9/api/"):
        serve_cli.connect_socket_mode(rt, bolt)


def test_bolt_does_not_warn_about_client_and_token_at_start(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt reads SLACK_BOT_TOKEN from the environment beside our client and warns that the
    token is unused: a line a newcomer would take for a fault."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    with caplog.at_level("WARNING"):
        build_app(_rt(database_url), socket_mode=True)
    assert [r.getMessage() for r in caplog.records if "will be unused" in r.getMessage()] == []
