"""Wiring: settings -> engine, keys, service context. Shared by the CLI, `serve` and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from slack_coc import (
    crypto,
    schema,  # noqa: F401  (registers every table, OAuth stores included)
)
from slack_coc.clock import Clock
from slack_coc.config import ConfigError, Settings
from slack_coc.context import ServiceContext
from slack_coc.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    ctx: ServiceContext


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    try:
        crypto.configure_from_settings(settings.COC_ENCRYPTION_KEYS, settings.DATABASE_URL)
    except crypto.KeyError_ as exc:
        raise ConfigError(str(exc)) from None
    try:
        engine = make_engine(settings.DATABASE_URL, **_pool_size(settings))
    except Exception as exc:  # malformed URL, missing driver
        raise ConfigError(f"DATABASE_URL: {exc}") from None
    ctx = ServiceContext(
        sessions=make_session_factory(engine),
        clock=clock or Clock(),
        policy=settings.policy,
        mailbox_address=settings.COC_MAILBOX_ADDRESS,
        board_address=settings.COC_BOARD_ADDRESS,
        channel_id=settings.COC_CHANNEL_ID,
        home_team_id=settings.COC_TEAM_ID,
        public_url=settings.COC_PUBLIC_URL,
    )
    return Runtime(settings, engine, ctx)


def _pool_size(settings: Settings) -> dict[str, int]:
    """Room for the worker's pools (inbox and outbox, COC_WORKER_CONCURRENCY each) beside the
    web server's threads; connections are opened only when used."""
    if settings.DATABASE_URL.startswith("sqlite") and ":memory:" in settings.DATABASE_URL:
        return {}
    return {"pool_size": max(5, 2 * settings.COC_WORKER_CONCURRENCY), "max_overflow": 10}


def worker_concurrency(rt: Runtime) -> int:
    """How many items a worker works on at once. In-memory SQLite (tests) is one connection
    shared by every thread: one at a time there."""
    if rt.engine.dialect.name == "sqlite" and rt.engine.url.database in (None, "", ":memory:"):
        return 1
    return rt.settings.COC_WORKER_CONCURRENCY


def check_database(engine: Engine) -> None:
    """Raise ConfigError with one line when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(f"DATABASE_URL: the database does not answer ({reason})") from None
