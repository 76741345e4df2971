"""The inbox: Slack requests acknowledged and waiting to be worked on.

A slash command, a click or a report form is stored (encrypted) before Slack gets its
acknowledgement, so an acknowledged request is never lost: if the process that took it dies,
another worker takes it up. Each item is worked on by one worker at a time; a worker that
dies leaves a claim that is void at once (same host) or after CLAIM_SECONDS, and the item is
tried again, at most MAX_ATTEMPTS times. Done items keep their key (the request's signature,
so a replay is recognised) for KEEP_DONE, with their body emptied.

Where it lives: in the case database, except on a SQLite file, where it has a file of its
own beside it (`coc.db` -> `coc.inbox.db`, made on first use). SQLite has one write lock per
file: the web process's insert must not wait behind a worker that writes a case (or that the
scheduler paused while it held the lock). Every statement here is one short statement, built
once and run with parameters: building a statement per request cost more CPU than the
database's own work.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert, Update

from slack_coc.context import ServiceContext, StoreUnavailable
from slack_coc.db import make_engine, make_session_factory
from slack_coc.queues.claims import claim_is_live
from slack_coc.queues.request_models import InboxItem
from slack_coc.queues.sqlite_writer import LOCK_WAIT, GroupWriter
from slack_coc.queues.wake import NOTIFY, LoopbackBell, wake_directory

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # longer than any request's work (Slack calls time out after 30 s)
MAX_ATTEMPTS = 3
LOADING_WAIT = timedelta(seconds=5)  # a modal click waits at most this for its "Loading" view
KEEP_DONE = timedelta(hours=1)
RETRY_DELAY = timedelta(seconds=5)  # a report whose logging met a database outage
CANDIDATES = 20
AWAY = "The case database did not answer; nothing was done. Please try again in a minute."


@dataclass(frozen=True)
class PendingRequest:
    id: int
    content_type: str
    body: str
    loading_view_id: str | None
    attempts: int
    received_at: datetime


_ITEMS = cast(Table, InboxItem.__table__)
_c = _ITEMS.c
_STORE = insert(_ITEMS).returning(_c.id)
_STORE_CLAIMED = insert(_ITEMS).returning(_c.id)  # the storing process works on it: no wake
_LOADING_OPENED = (
    update(_ITEMS)
    .where(_c.id == bindparam("item_id"))
    .values(loading_view_id=bindparam("view_id"), available_at=bindparam("now"))
)
# Compare and set against `_CLAIM`: an item nobody has claimed yet is held back for the
# "Loading" modal the web process is about to open; a claimed one is the worker's.
_HOLD = (
    update(_ITEMS)
    .where(
        _c.id == bindparam("item_id"),
        _c.attempts == 0,
        _c.claimed_by.is_(None),
        _c.done_at.is_(None),
    )
    .values(available_at=bindparam("until"))
    .returning(_c.id)
)
_CANDIDATES = (
    select(_c.id, _c.claimed_by, _c.claimed_until, _c.attempts)
    .where(_c.done_at.is_(None), _c.available_at <= bindparam("now"))
    .order_by(_c.id)
    .limit(CANDIDATES)
)
# Compare and set: of two workers that read the same claim, one updates the row.
_CLAIM = (
    update(_ITEMS)
    .where(
        _c.id == bindparam("item_id"),
        _c.attempts == bindparam("seen_attempts"),
        _c.done_at.is_(None),
        _c.available_at <= bindparam("now"),
    )
    .values(
        claimed_by=bindparam("claimant"),
        claimed_until=bindparam("until"),
        attempts=_c.attempts + 1,
    )
    .returning(_c.id, _c.content_type, _c.body, _c.loading_view_id, _c.attempts, _c.received_at)
)
# Done: the body (what was typed) is kept no longer than it is needed.
_CLOSE_VALUES: dict[str, Any] = {
    "done_at": bindparam("now"),
    "body": "",
    "claimed_by": None,
    "claimed_until": None,
    "last_error": bindparam("error"),
}
_FINISH = (
    update(_ITEMS)
    .where(_c.id == bindparam("item_id"), _c.claimed_by == bindparam("claimant"))
    .values(**_CLOSE_VALUES)
)
_ABANDON = (
    update(_ITEMS)
    .where(
        _c.id == bindparam("item_id"),
        _c.attempts == bindparam("seen_attempts"),
        _c.done_at.is_(None),
    )
    .values(**_CLOSE_VALUES)
)
_RELEASE = (
    update(_ITEMS)
    .where(
        _c.id == bindparam("item_id"),
        _c.claimed_by == bindparam("claimant"),
        _c.done_at.is_(None),
    )
    .values(
        claimed_by=None,
        claimed_until=None,
        attempts=_c.attempts - 1,
        available_at=bindparam("due"),
    )
)


# PostgreSQL: the statements that make an item available notify the workers as they run.
_NOTIFYING: dict[Executable, Insert | Update] = {
    _STORE: _STORE.returning(NOTIFY),
    _LOADING_OPENED: _LOADING_OPENED.returning(NOTIFY),
}


@dataclass(frozen=True)
class _Place:
    """Where one case database's inbox lives. It holds nothing that refers to the case
    database's engine (its key in `_places`), so it goes when that engine goes."""

    # The web process's statements before the ack: PostgreSQL, a pool of its own; SQLite
    # file, one writer thread; None: the case database's engine.
    hot: Engine | GroupWriter | None
    own_ctx: ServiceContext | None = None  # SQLite file: sessions on the inbox's own file
    bell: LoopbackBell | None = None  # SQLite file: wakes the workers on this host

    @property
    def notifies(self) -> bool:
        return isinstance(self.hot, Engine)

    def engine(self, ctx: ServiceContext) -> Engine:
        """For the workers' statements."""
        return (self.own_ctx or ctx).sessions.kw["bind"]  # type: ignore[no-any-return]


_places: WeakKeyDictionary[Engine, _Place] = WeakKeyDictionary()
_places_lock = threading.Lock()


def _place(ctx: ServiceContext) -> _Place:
    engine: Engine = ctx.sessions.kw["bind"]
    with _places_lock:
        place = _places.get(engine)
        if place is None:
            place = _places[engine] = _make_place(ctx, engine)
        return place


def _make_place(ctx: ServiceContext, engine: Engine) -> _Place:
    """PostgreSQL: the case database, with a hot pool in autocommit and without the main
    pool's ping on every checkout (a round trip each time; a dropped connection is detected
    when used and the statement tried once more). SQLite file: a file of its own, written by
    one thread of the web process (`sqlite_writer.GroupWriter`). In-memory SQLite: the same
    engine (another engine would see another database)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        hot = make_engine(
            url, pool_pre_ping=False, pool_size=8, max_overflow=8, isolation_level="AUTOCOMMIT"
        )
        return _Place(hot)
    if engine.url.database in (None, "", ":memory:"):
        return _Place(None)
    inbox_url = engine.url.set(database=str(inbox_file(engine.url.database)))
    rendered = inbox_url.render_as_string(hide_password=False)
    _create_table(rendered)
    own = make_session_factory(make_engine(rendered))
    own_ctx = dataclasses.replace(ctx, sessions=own, after_commit=[])
    writer = GroupWriter(make_engine(rendered, sqlite_busy_timeout_ms=0))
    return _Place(writer, own_ctx, LoopbackBell(wake_directory(engine.url.database)))


def inbox_file(database: str) -> Path:
    """The inbox's own file beside a SQLite case database."""
    path = Path(database)
    return path.with_name(f"{path.stem}.inbox{path.suffix or '.db'}")


def _create_table(url: str) -> None:
    # Within Slack's three seconds: this may run for the first request a process takes.
    engine = make_engine(url, sqlite_busy_timeout_ms=int(LOCK_WAIT * 1000))
    try:
        _ITEMS.create(engine, checkfirst=True)
    except OperationalError as exc:  # another process made it at the same moment
        if "already exists" not in str(exc.orig):
            raise
    finally:
        engine.dispose()


def inbox_context(ctx: ServiceContext) -> ServiceContext:
    """A service context whose sessions reach the inbox (operators, tests)."""
    return _place(ctx).own_ctx or ctx


def store(
    ctx: ServiceContext,
    *,
    team_id: str,
    key: str,
    content_type: str,
    body: str,
    wait_for_loading_view: bool = False,
    claimed_by: str | None = None,
) -> int | None:
    """Keep a request to work on; its id, or None when the same request is already kept (a
    replay). Raises StoreUnavailable when the database does not answer. `claimed_by`: the
    storing process works on it itself, now (it is claimed as `claim_next` would).

    This runs before Slack gets its answer, so it is one statement (`_one_statement`)."""
    now = ctx.clock.now()
    values = {
        "team_id": team_id[:32],
        "key": key[:200],
        "content_type": content_type[:80],
        "body": body,
        "received_at": now,
        "available_at": now + LOADING_WAIT if wait_for_loading_view else now,
        "attempts": 1 if claimed_by else 0,
        "claimed_by": claimed_by,
        "claimed_until": now + timedelta(seconds=CLAIM_SECONDS) if claimed_by else None,
    }
    try:
        return int(_one_statement(ctx, _STORE_CLAIMED if claimed_by else _STORE, values))
    except IntegrityError:
        return None


def loading_view_opened(ctx: ServiceContext, item_id: int, view_id: str | None) -> None:
    """The "Loading" modal is open (or could not be): the item may be worked on now."""
    values = {"item_id": item_id, "view_id": view_id, "now": ctx.clock.now()}
    _one_statement(ctx, _LOADING_OPENED, values)


def hold_for_loading_view(ctx: ServiceContext, item_id: int) -> bool:
    """An item stored to be answered from its trigger id (available at once) and still not
    claimed: hold it back until `loading_view_opened`, and say so; False when a worker has
    claimed it (or done it) already. Exactly one of the two wins."""
    values = {"item_id": item_id, "until": ctx.clock.now() + LOADING_WAIT}
    return _one_statement(ctx, _HOLD, values) is not None


def _one_statement(ctx: ServiceContext, statement: Executable, values: dict[str, Any]) -> Any:
    """Run one statement on the web process's hot path: autocommit on PostgreSQL (one round
    trip, durable when it returns), committed by the writer thread on SQLite. Returns the
    first column of the first row, if any; raises StoreUnavailable when the database does
    not answer. A statement that makes an item available wakes the workers."""
    try:
        place = _place(ctx)  # may make the inbox's file: the database may be away then too
        if place.notifies:
            statement = _NOTIFYING.get(statement, statement)
        if isinstance(place.hot, GroupWriter):
            result = place.hot.run(statement, values)
        elif place.hot is not None:
            result = _autocommit_once_more_if_dropped(place.hot, statement, values)
        else:
            with place.engine(ctx).begin() as conn:
                result = _first(conn.execute(statement, values))
    except OperationalError as exc:
        raise StoreUnavailable(AWAY) from exc
    if place.bell is not None and statement in _NOTIFYING:
        place.bell.ring()
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


def _first(result: CursorResult[Any]) -> Any:
    return result.scalar() if result.returns_rows else None


def _write(ctx: ServiceContext, statement: Executable, values: dict[str, Any]) -> Any:
    """One statement in a transaction of its own on the inbox (a worker's): the first row it
    returns, else the number of rows it changed."""
    try:
        with _place(ctx).engine(ctx).begin() as conn:  # (_place inside: it may make the file)
            result = conn.execute(statement, values)
            return result.first() if result.returns_rows else result.rowcount
    except OperationalError as exc:
        raise StoreUnavailable(AWAY) from exc


def _read(ctx: ServiceContext, statement: Executable, values: dict[str, Any]) -> list[Row[Any]]:
    try:
        with _place(ctx).engine(ctx).connect() as conn:
            return list(conn.execute(statement, values))
    except OperationalError as exc:
        raise StoreUnavailable(AWAY) from exc


def claim_next(ctx: ServiceContext, claimant: str) -> PendingRequest | None:
    """The oldest available item nobody is working on, claimed for `claimant`."""
    now = ctx.clock.now()
    for row in _read(ctx, _CANDIDATES, {"now": now}):
        item_id, claimed_by, claimed_until, attempts = tuple(row)
        if claim_is_live(claimed_by, claimed_until, now):
            continue
        if attempts >= MAX_ATTEMPTS:
            log.error("inbox item %s abandoned after %s attempts", item_id, attempts)
            error = f"abandoned after {attempts} attempts"
            values = {"item_id": item_id, "seen_attempts": attempts, "now": now, "error": error}
            _write(ctx, _ABANDON, values)
            continue
        until = now + timedelta(seconds=CLAIM_SECONDS)
        values = {"item_id": item_id, "seen_attempts": attempts, "claimant": claimant}
        claimed = _write(ctx, _CLAIM, {**values, "until": until, "now": now})
        if claimed is not None:
            return PendingRequest(*claimed)
    return None


def finish(ctx: ServiceContext, item_id: int, claimant: str, error: str | None = None) -> None:
    """The work is done (a refusal shown to the member is done too); `error` only records
    what went wrong outside the listeners' own error handling."""
    now = ctx.clock.now()
    _write(ctx, _FINISH, {"item_id": item_id, "claimant": claimant, "now": now, "error": error})


def release(ctx: ServiceContext, item_id: int, claimant: str, *, delay: timedelta) -> None:
    """Put a claimed item back in the queue, due after `delay`: its work could not be done
    because the database was away. The attempt is not counted (a report is never abandoned
    for an outage); raises StoreUnavailable if the database is still away (the claim then
    runs out and the item is tried again all the same)."""
    due = ctx.clock.now() + delay
    _write(ctx, _RELEASE, {"item_id": item_id, "claimant": claimant, "due": due})


def purge_done(ctx: ServiceContext) -> int:
    cutoff = ctx.clock.now() - KEEP_DONE
    statement = delete(_ITEMS).where(_c.done_at.is_not(None), _c.done_at < cutoff)
    return int(_write(ctx, statement, {}) or 0)


def waiting(ctx: ServiceContext) -> int:
    """How many items are not done yet (operators, tests)."""
    statement = select(func.count()).select_from(_ITEMS).where(_c.done_at.is_(None))
    rows = _read(ctx, statement, {})
    return int(rows[0][0]) if rows else 0
