"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
COC_TEST_DATABASE_URL is set), a frozen clock, test encryption keys, a service context."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from slack_coc import (
    crypto,
    schema,  # noqa: F401  (every table, OAuth stores included)
)
from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.db import Base, make_engine, make_session_factory

TEAM = "T0TEAM0001"
OTHER_TEAM = "T0OTHER002"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, before the 12:00 handover
TEST_KEY = Fernet.generate_key().decode()

PG_URL = os.environ.get("COC_TEST_DATABASE_URL")


def _pg_database() -> str | None:
    """A throwaway PostgreSQL database for this test session."""
    if not PG_URL:
        return None
    url = make_url(PG_URL)
    name = f"coc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    url = _pg_database()
    yield url
    if url:
        u = make_url(url)
        admin = create_engine(make_url(PG_URL or ""), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _keys() -> None:
    crypto.keyring.configure([TEST_KEY])


@pytest.fixture
def database_url(tmp_path: Path, pg_url: str | None) -> str:
    return pg_url or f"sqlite:///{tmp_path / 'coc.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        Base.metadata.create_all(eng)
        with eng.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def policy() -> Policy:
    return Policy()


@pytest.fixture
def ctx(engine: Engine, clock: FrozenClock, policy: Policy) -> ServiceContext:
    return ServiceContext(
        sessions=make_session_factory(engine),
        clock=clock,
        policy=policy,
        channel_id="C0COCGROUP",
        board_address="board@example.org",
    )


def actor(user_id: str | None, team: str = TEAM) -> Actor:
    return Actor(team, user_id)


pytest_plugins = ["tests.fakeslack.fixtures"]
