"""Fixtures for the sweep tests: a runtime over the test database, a roster with a rota,
and a recording outbox handler standing in for Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from slack_coc.config import Settings
from slack_coc.context import ServiceContext
from slack_coc.jobs.delivery_errors import RetryLater
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from tests.factories import TEAM, add_roster

KINDS = ("card", "thread", "dm", "channel", "home", "mail")


@dataclass
class Recorder:
    """Records what would have been posted; can fail the next N calls like an outage."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0
    failure: Exception = field(default_factory=lambda: RetryLater("HTTP 500"))
    calls: int = 0

    def __call__(self, session: Session, item: OutboxMessage) -> None:
        self.calls += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            raise self.failure
        self.sent.append(
            {
                "id": item.id,
                "kind": item.kind,
                "recipient": item.recipient,
                "case_id": item.case_id,
                "template": (item.payload or {}).get("template"),
                "payload": dict(item.payload or {}),
            }
        )

    def handlers(self) -> dict[str, Any]:
        return {kind: self for kind in KINDS}

    def messages(self, template: str | None = None) -> list[dict[str, Any]]:
        """Posted messages (DMs and channel posts): what 'sends nothing new' counts."""
        return [
            s
            for s in self.sent
            if s["kind"] in ("dm", "channel") and (template is None or s["template"] == template)
        ]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def rt(ctx: ServiceContext, engine: Engine, database_url: str) -> Runtime:
    settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", IMAP_URL=None)
    return Runtime(settings, engine, ctx)


@pytest.fixture
def roster(ctx: ServiceContext) -> list[str]:
    return add_roster(ctx)


@pytest.fixture
def with_rota(ctx: ServiceContext, roster: list[str]) -> list[rota.WeekView]:
    """Weeks from Monday 2026-11-16 (the week running at the test clock's start)."""
    return rota.generate(ctx, TEAM, date(2026, 11, 16), 4).written
