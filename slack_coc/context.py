"""What every service needs: sessions, the clock, the policy, and after-commit hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from slack_coc.clock import Clock
from slack_coc.config import Policy
from slack_coc.domain.errors import DomainError

__all__ = ["Actor", "SchemaMissing", "ServiceContext", "StoreUnavailable"]


class StoreUnavailable(DomainError):
    """The database did not answer; nothing was written."""


class SchemaMissing(StoreUnavailable):
    """The database answers but has no tables: a newcomer forgot `slack-coc db upgrade`
    (waiting a minute would not help, so it must not read like an outage)."""


AWAY_WRITING = "The case database did not answer; nothing was saved. Please try again in a minute."
AWAY_READING = "The case database did not answer. Please try again in a minute."
SCHEMA_MISSING = "The case database has no tables yet: run `slack-coc db upgrade`."


def _store_error(exc: OperationalError | ProgrammingError, away: str) -> Exception:
    """The error to raise for a database error: no schema, an outage, or (a bug) as it was."""
    orig = exc.orig
    message = str(orig or "").lower()
    # SQLite says "no such table"; PostgreSQL's SQLSTATE 42P01 is undefined_table.
    if "no such table" in message or getattr(orig, "sqlstate", None) == "42P01":
        return SchemaMissing(SCHEMA_MISSING)
    if isinstance(exc, ProgrammingError):
        return exc
    return StoreUnavailable(away)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a Slack user in a workspace, or the system (user_id None)."""

    team_id: str
    user_id: str | None


@dataclass
class ServiceContext:
    sessions: sessionmaker[Session]
    clock: Clock
    policy: Policy
    mailbox_address: str = "conduct@example.org"
    board_address: str | None = None
    channel_id: str | None = None  # COC_CHANNEL_ID: one workspace's only (`default_channel`)
    home_team_id: str | None = None  # COC_TEAM_ID: the workspace COC_CHANNEL_ID belongs to
    public_url: str | None = None  # COC_PUBLIC_URL: links the app shows start with it
    # Called after every successful commit (e.g. deliver the outbox right away).
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def policy_for(self, session: Session, team_id: str) -> Policy:
        """The workspace's policy: its stored settings over COC_POLICY_FILE over defaults."""
        from slack_coc.domain.models import Workspace

        workspace = session.get(Workspace, team_id)
        overrides = (workspace.settings or {}).get("policy") if workspace else None
        if not overrides:
            return self.policy
        return self.policy.with_overrides(overrides, f"workspace {team_id} settings")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        try:
            with self.sessions() as session, session.begin():
                yield session
        except (OperationalError, ProgrammingError) as exc:
            error = _store_error(exc, AWAY_WRITING)
            if error is exc:
                raise
            raise error from exc
        for hook in self.after_commit:
            hook()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (on SQLite it does not take the write lock)."""
        try:
            with self.sessions() as session, session.begin():
                session.connection(execution_options={"sqlite_begin": "DEFERRED"})
                yield session
        except (OperationalError, ProgrammingError) as exc:
            error = _store_error(exc, AWAY_READING)
            if error is exc:
                raise
            raise error from exc
