"""Fixtures for end-to-end tests: the app served over HTTP against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from tests.conftest import TEAM, TEST_KEY
from tests.e2e.harness import SIGNING_SECRET, AppServer
from tests.fakeslack import FakeSlack

CHANNEL = "C0COCGROUP"


def e2e_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Any:
    from slack_coc.config import load_settings

    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": fake.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "COC_CHANNEL_ID": CHANNEL,
        "COC_ENCRYPTION_KEYS": TEST_KEY,
        "SLACK_APP_TOKEN": None,
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "COC_POLICY_FILE": None,
    }
    values.update(overrides)
    return load_settings(**values)


def build_server(fake: FakeSlack, rt: Any) -> AppServer:
    """The real app: A1's `build_app` and `make_wsgi_app`, imported lazily."""
    from slack_coc.slack.app import build_app
    from slack_coc.slack.http import make_wsgi_app

    return AppServer(make_wsgi_app(rt, build_app(rt)), rt, fake, TEAM)


@pytest.fixture
def e2e_runtime(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> Any:
    """A runtime on the test database (schema made by `engine`) with the frozen clock."""
    from slack_coc.runtime import build_runtime

    return build_runtime(e2e_settings(fake_slack, database_url), clock=clock)


@pytest.fixture
def app_server(fake_slack: FakeSlack, e2e_runtime: Any) -> Iterator[AppServer]:
    server = build_server(fake_slack, e2e_runtime)
    try:
        yield server
    finally:
        server.close()
        e2e_runtime.engine.dispose()


@pytest.fixture
def web(
    fake_slack: FakeSlack, e2e_runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AppServer, Any]]:
    """The web app alone (`Role.WEB`: it stores and acknowledges), and an inbox worker that
    works on nothing until the test runs it. A click answered from its trigger id goes to
    that worker, not to the web process, and waits for it as long as the test takes
    (`UNCLAIMED_AFTER`), unless the test says otherwise."""
    from slack_coc.slack import deferral
    from slack_coc.slack.app import DEFERRERS, Role, build_app
    from slack_coc.slack.deferral import InboxRunner
    from slack_coc.slack.http import make_wsgi_app

    monkeypatch.setattr(deferral, "UNCLAIMED_AFTER", 60.0)
    monkeypatch.setattr(deferral, "ANSWER_HERE_WHILE_AT_MOST", 0)  # every click is the worker's
    bolt = build_app(e2e_runtime, role=Role.WEB)
    server = AppServer(make_wsgi_app(e2e_runtime, bolt), e2e_runtime, fake_slack, TEAM)
    try:
        yield server, InboxRunner(e2e_runtime, build_app(e2e_runtime, role=Role.INBOX))
    finally:
        DEFERRERS[bolt].close()
        server.close()
        e2e_runtime.engine.dispose()
