"""Mail test fixtures: one Dovecot per test session (a fresh mailbox per test), aiosmtpd per
test, and a Runtime wired to them."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.config import Settings
from slack_coc.context import ServiceContext
from slack_coc.db import make_session_factory
from slack_coc.runtime import Runtime
from tests.conftest import TEAM
from tests.factories import add_roster
from tests.mail.servers import (
    DOVECOT_MISSING,
    Dovecot,
    SmtpServer,
    _Collector,
    free_port,
    run_dovecot,
)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line at the end of the run, visible without -rs, when Dovecot was missing."""
    skipped = terminalreporter.stats.get("skipped", [])
    count = sum(1 for report in skipped if DOVECOT_MISSING in str(report.longrepr))
    if count:
        terminalreporter.write_line(f"{count} mail tests skipped. {DOVECOT_MISSING}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    # Not under pytest's tmp dir: that is private to root, and Dovecot's own processes
    # (running as the `dovecot` user) must read the passwd file and the mail directory.
    root = Path(tempfile.mkdtemp(prefix="coc-dovecot-"))
    try:
        with run_dovecot(root) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Mailbox:
    server: Dovecot
    name: str

    @property
    def url(self) -> str:
        return self.server.folder_url(self.name)

    def append(self, raw: bytes) -> None:
        self.server.append(raw, self.name)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    name = f"T{uuid.uuid4().hex[:12]}"
    conn = dovecot.connect()
    try:
        typ, data = conn.create(name)
        assert typ == "OK", data
    finally:
        conn.logout()
    return Mailbox(dovecot, name)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), _Collector())
    server.start()
    yield server
    server.stop()


def make_runtime(engine: Engine, clock: FrozenClock, **settings: str | None) -> Runtime:
    """A runtime as `build_runtime` makes it, on the test database (a fresh one = a restart)."""
    values = {"DATABASE_URL": str(engine.url), "COC_TEAM_ID": TEAM, **settings}
    config = Settings(**values)  # type: ignore[arg-type]
    ctx = ServiceContext(
        sessions=make_session_factory(engine),
        clock=clock,
        policy=config.policy,
        mailbox_address=config.COC_MAILBOX_ADDRESS,
        channel_id="C0COCGROUP",
    )
    return Runtime(config, engine, ctx)


@pytest.fixture
def roster(ctx: ServiceContext) -> list[str]:
    return add_roster(ctx)


def plaintext_dump(engine: Engine) -> str:
    """Every column of every table as stored (encrypted columns are opaque tokens)."""
    from slack_coc.db import Base

    out = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                out.extend(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                )
    return "\n".join(out)
