"""The inbox: Slack requests acknowledged and waiting to be worked on.

A slash command or a click is stored (encrypted) before Slack gets its acknowledgement, so an
acknowledged request is never lost: if the process that took it dies, another worker takes
it up. Each item is worked on by one worker at a time; a worker that dies leaves a claim
that is void at once (same host) or after CLAIM_SECONDS, and the item is tried again, at most
MAX_ATTEMPTS times. Done items keep their key (the request's signature, so a replay is
recognised) for KEEP_DONE, with their body emptied.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import Executable

from slack_coc.db import make_engine
from slack_coc.domain.request_models import InboxItem
from slack_coc.services.claims import claim_is_live
from slack_coc.services.context import ServiceContext, StoreUnavailable

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # longer than any request's work (Slack calls time out after 30 s)
MAX_ATTEMPTS = 3
LOADING_WAIT = timedelta(seconds=5)  # a modal click waits at most this for its "Loading" view
KEEP_DONE = timedelta(hours=1)
RETRY_DELAY = timedelta(seconds=5)  # a report whose logging met a database outage
CANDIDATES = 20
SQLITE_LOCK_WAIT = 2.0  # within Slack's three seconds; then the member is told to try again


@dataclass(frozen=True)
class PendingRequest:
    id: int
    content_type: str
    body: str
    loading_view_id: str | None
    attempts: int
    received_at: datetime


# The hot path's statements, built once: building one per request (values and cache key)
# cost more CPU than the database's own work.
_ITEMS = cast(Table, InboxItem.__table__)
_STORE = insert(_ITEMS).returning(_ITEMS.c.id)
_LOADING_OPENED = (
    update(_ITEMS)
    .where(_ITEMS.c.id == bindparam("item_id"))
    .values(loading_view_id=bindparam("view_id"), available_at=bindparam("now"))
)


def store(
    ctx: ServiceContext,
    *,
    team_id: str,
    key: str,
    content_type: str,
    body: str,
    wait_for_loading_view: bool = False,
) -> int | None:
    """Keep a request to work on; its id, or None when the same request is already kept (a
    replay). Raises StoreUnavailable when the database does not answer.

    This runs before Slack gets its answer, so it is one statement (`_one_statement`)."""
    now = ctx.clock.now()
    values = {
        "team_id": team_id[:32],
        "key": key[:200],
        "content_type": content_type[:80],
        "body": body,
        "received_at": now,
        "available_at": now + LOADING_WAIT if wait_for_loading_view else now,
        "attempts": 0,
    }
    try:
        return int(_one_statement(ctx, _STORE, values))
    except IntegrityError:
        return None


def loading_view_opened(ctx: ServiceContext, item_id: int, view_id: str | None) -> None:
    """The "Loading" modal is open (or could not be): the item may be worked on now."""
    values = {"item_id": item_id, "view_id": view_id, "now": ctx.clock.now()}
    _one_statement(ctx, _LOADING_OPENED, values)


_hot_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
_hot_lock = threading.Lock()
_sqlite_turn = threading.Lock()


def _hot_engine(engine: Engine) -> Engine | None:
    """A small pool of its own for the statements taken before Slack's answer.

    PostgreSQL: without the main pool's ping on every checkout (a round trip each time); a
    connection the server dropped is detected when used and the statement tried once more.
    SQLite (a file): without SQLite's own busy handler, whose sleeps grow to 100 ms; the
    write lock is asked for again every few milliseconds instead. None for an in-memory
    SQLite database (another engine would see another database)."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return None
    with _hot_lock:
        hot = _hot_engines.get(engine)
        if hot is None:
            url = engine.url.render_as_string(hide_password=False)
            if engine.dialect.name == "postgresql":
                hot = make_engine(
                    url,
                    pool_pre_ping=False,
                    pool_size=8,
                    max_overflow=8,
                    isolation_level="AUTOCOMMIT",
                )
            else:
                hot = make_engine(url, sqlite_busy_timeout_ms=0)
            _hot_engines[engine] = hot
        return hot


def _one_statement(ctx: ServiceContext, statement: Executable, values: dict[str, Any]) -> Any:
    """Run one statement on the web process's hot path: autocommit on PostgreSQL (one round
    trip, durable when it returns), a short transaction on SQLite. Returns the first column of
    the first row, if any; raises StoreUnavailable when the database does not answer."""
    engine: Engine = ctx.sessions.kw["bind"]
    hot = _hot_engine(engine)
    try:
        if hot is None:
            with engine.begin() as conn:
                result = _first(conn.execute(statement, values))
        elif hot.dialect.name == "postgresql":
            result = _autocommit_once_more_if_dropped(hot, statement, values)
        else:
            result = _sqlite_asking_for_the_lock(hot, statement, values)
    except OperationalError as exc:
        raise StoreUnavailable(
            "The case database did not answer; nothing was done. Please try again in a minute."
        ) from exc
    for hook in ctx.after_commit:
        hook()
    return result


def _autocommit_once_more_if_dropped(
    hot: Engine, statement: Executable, values: dict[str, Any]
) -> Any:
    try:
        with hot.connect() as conn:  # the engine is in autocommit
            return _first(conn.execute(statement, values))
    except OperationalError as exc:
        if not exc.connection_invalidated:
            raise
    with hot.connect() as conn:
        return _first(conn.execute(statement, values))


def _sqlite_asking_for_the_lock(hot: Engine, statement: Executable, values: dict[str, Any]) -> Any:
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    pause = 0.0005
    # One writer of this process asks at a time; the others wait their turn here, in order,
    # instead of all polling SQLite's lock at once.
    with _sqlite_turn:
        while True:
            try:
                with hot.begin() as conn:
                    return _first(conn.execute(statement, values))
            except OperationalError as exc:
                if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.004)


def _first(result: CursorResult[Any]) -> Any:
    return result.scalar() if result.returns_rows else None


def claim_next(ctx: ServiceContext, claimant: str) -> PendingRequest | None:
    """The oldest available item nobody is working on, claimed for `claimant`."""
    now = ctx.clock.now()
    with ctx.read() as session:
        ids = list(
            session.scalars(
                select(InboxItem.id)
                .where(InboxItem.done_at.is_(None), InboxItem.available_at <= now)
                .order_by(InboxItem.id)
                .limit(CANDIDATES)
            )
        )
    for item_id in ids:
        claimed = _claim(ctx, item_id, claimant, now)
        if claimed is not None:
            return claimed
    return None


def _claim(
    ctx: ServiceContext, item_id: int, claimant: str, now: datetime
) -> PendingRequest | None:
    with ctx.transaction() as session:
        item = session.get(InboxItem, item_id)
        if item is None or item.done_at is not None:
            return None
        if claim_is_live(item.claimed_by, item.claimed_until, now):
            return None
        if item.attempts >= MAX_ATTEMPTS:
            log.error("inbox item %s abandoned after %s attempts", item.id, item.attempts)
            _close(item, now, f"abandoned after {item.attempts} attempts")
            return None
        # Compare and set: of two workers that read the same claim, one updates the row.
        taken = session.execute(
            update(InboxItem)
            .where(
                InboxItem.id == item_id,
                InboxItem.attempts == item.attempts,
                InboxItem.done_at.is_(None),
            )
            .values(
                claimed_by=claimant,
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                attempts=item.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return PendingRequest(
            id=item.id,
            content_type=item.content_type,
            body=item.body,
            loading_view_id=item.loading_view_id,
            attempts=item.attempts + 1,
            received_at=item.received_at,
        )


def finish(ctx: ServiceContext, item_id: int, claimant: str, error: str | None = None) -> None:
    """The work is done (a refusal shown to the member is done too); `error` only records
    what went wrong outside the listeners' own error handling."""
    with ctx.transaction() as session:
        item = session.get(InboxItem, item_id)
        if item is None or item.claimed_by != claimant:
            return
        _close(item, ctx.clock.now(), error)


def release(ctx: ServiceContext, item_id: int, claimant: str, *, delay: timedelta) -> None:
    """Put a claimed item back in the queue, due after `delay`: its work could not be done
    because the database was away. The attempt is not counted (a report is never abandoned
    for an outage); raises StoreUnavailable if the database is still away (the claim then
    runs out and the item is tried again all the same)."""
    with ctx.transaction() as session:
        session.execute(
            update(InboxItem)
            .where(
                InboxItem.id == item_id,
                InboxItem.claimed_by == claimant,
                InboxItem.done_at.is_(None),
            )
            .values(
                claimed_by=None,
                claimed_until=None,
                attempts=InboxItem.attempts - 1,
                available_at=ctx.clock.now() + delay,
            )
            .execution_options(synchronize_session=False)
        )


def _close(item: InboxItem, now: datetime, error: str | None) -> None:
    item.done_at = now
    item.body = ""  # what was typed is kept no longer than it is needed
    item.claimed_by = item.claimed_until = None
    item.last_error = error


def purge_done(ctx: ServiceContext) -> int:
    cutoff = ctx.clock.now() - KEEP_DONE
    with ctx.transaction() as session:
        result = session.execute(
            delete(InboxItem).where(InboxItem.done_at.is_not(None), InboxItem.done_at < cutoff)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def waiting(ctx: ServiceContext) -> int:
    """How many items are not done yet (operators, tests)."""
    with ctx.read() as session:
        return int(session.scalar(select(func.count()).where(InboxItem.done_at.is_(None))) or 0)
