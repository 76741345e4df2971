"""Delivering the outbox: each due item in its own transaction, at most one worker per item.

Handlers (one per intent kind) do the I/O and may update rows in the same transaction
(e.g. remember a posted card's ts). A handler raises `RetryLater` for a temporary failure:
with `retry_after` (a 429's Retry-After) the item waits exactly that long and the attempt
does not count towards parking; without it (5xx, timeout) the wait doubles from 5 s, capped
by the policy (5 minutes). Slack rate-limits per method (and, for posting, per channel): a
429 from Slack (`RetryLater.scope` set by `slack_call`) holds only the batch's items that
would make the same call (same workspace, same kind, same recipient for DMs) and those
queued behind it for the same case, until the Retry-After; the rest go on. A 429 of unknown
scope holds the rest of the batch, as if the whole workspace were limited.

Items are delivered by a bounded pool (`jobs/pool.py`, `COC_WORKER_CONCURRENCY`): a
delivery is mostly a wait on Slack, so several run at once; one case's card, thread notes
and channel posts, one person's DMs and one person's App Home go in order, one at a time.
The pump hands a case's card over first (`KeyedPool` urgent): it is what the group sees.

Any other exception also counts as a failed attempt. After `outbox_max_attempts` failed
attempts the item is parked; the first time a later delivery
succeeds (Slack answers again), the channel is told, once per parked item, which cases'
messages are waiting for an operator (`slack-coc outbox retry`).

Two workers share the work without doubles. On PostgreSQL the item row is claimed with
`FOR UPDATE SKIP LOCKED` and stays locked while its handler runs: a killed worker's item is
rolled back and sent by the next sweep. On SQLite, where a transaction would hold the
database-wide write lock, the item is claimed in a short transaction (`claimed_by`
"host:pid:token", `claimed_until`), the handler commits before each network call
(`before_external_call`), and the result is recorded in a last transaction; a claim by a
process that died is void at once, any claim ends after CLAIM_SECONDS. Either way only a
kill in the instant between Slack accepting a message and the commit can repeat that one
message (delivery is at least once, never lost).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from slack_coc.context import ServiceContext
from slack_coc.jobs.delivery_errors import DropMessage, NotYet, RetryLater
from slack_coc.jobs.outbox_order import Due, order_key, rate_key
from slack_coc.jobs.parked import announce_parked
from slack_coc.jobs.pool import KeyedPool
from slack_coc.queues.claims import claim_is_live, new_claimant
from slack_coc.queues.outbox import Intent
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

Handler = Callable[[Session, OutboxMessage], None]


_before_io: ContextVar[Callable[[], None] | None] = ContextVar("outbox_before_io", default=None)
CLAIM_SECONDS = 300  # longer than any Web API or SMTP timeout
ANNOUNCE_EVERY = 5.0  # seconds: the pump looks for parked items to announce at most this often
# Seconds a refresh of every member's App Home may wait while other deliveries are in hand.
# A burst of changes then costs one refresh, drawn after the cards, not one per change.
HOME_SETTLE_SECONDS = 2.0
# Items handed to the pool and not done, at most: the pump fetches only what is not in hand.
MAX_IN_HAND = 256


def before_external_call() -> None:
    """Handlers call this right before talking to Slack or an SMTP server. On SQLite it
    commits what the handler has read and written so far, so no database lock is held while
    waiting on the network (SQLite has one writer for the whole database)."""
    hook = _before_io.get()
    if hook is not None:
        hook()


# The pump runs these for every item: built once (building a select costs more CPU than
# SQLite takes to run it), given their values when run.
_OTHER_CLAIMS = select(OutboxMessage.claimed_by, OutboxMessage.claimed_until).where(
    OutboxMessage.case_id == bindparam("case_id"),
    OutboxMessage.id != bindparam("item_id"),
    OutboxMessage.status == OutboxStatus.PENDING,
    OutboxMessage.claimed_by.is_not(None),
)
_DUE_ITEM = select(OutboxMessage).where(
    OutboxMessage.id == bindparam("item_id"),
    OutboxMessage.status == OutboxStatus.PENDING,
    OutboxMessage.next_attempt_at <= bindparam("now"),
)
_DUE_ITEM_LOCKED = _DUE_ITEM.with_for_update(skip_locked=True)
_DUE_ROWS = (
    select(
        OutboxMessage.id,
        OutboxMessage.kind,
        OutboxMessage.team_id,
        OutboxMessage.case_id,
        OutboxMessage.recipient,
        OutboxMessage.created_at,
    )
    .where(
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.next_attempt_at <= bindparam("now"),
        OutboxMessage.kind.in_(bindparam("kinds", expanding=True)),
        OutboxMessage.id.not_in(bindparam("skip", expanding=True)),
    )
    .limit(bindparam("limit"))
)
_DUE = {
    False: _DUE_ROWS.order_by(OutboxMessage.id),
    True: _DUE_ROWS.order_by(
        case((OutboxMessage.kind == Intent.CARD, 0), else_=1), OutboxMessage.id
    ),
}


def _case_in_delivery(session: Session, item: OutboxMessage, now: datetime) -> bool:
    """SQLite: is another item of the same case being delivered right now? Its card may not
    have its `ts` recorded yet, and a second card would be posted (PostgreSQL serialises
    these with the case row's lock, held during the call)."""
    claims = session.execute(_OTHER_CLAIMS, {"case_id": item.case_id, "item_id": item.id})
    return any(claim_is_live(by, until, now) for by, until in claims)


@dataclass
class OutboxDispatcher:
    ctx: ServiceContext
    handlers: dict[str, Handler] = field(default_factory=dict)
    rate_limited: bool = False  # a 429 of unknown scope in the last batch
    concurrency: int = 1  # the pump passes COC_WORKER_CONCURRENCY; 1: in turn, in this thread
    _held: dict[Hashable, datetime] = field(default_factory=dict, repr=False)
    _in_flight: dict[int, str] = field(default_factory=dict, repr=False)  # id: kind
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pool: KeyedPool | None = field(default=None, repr=False)
    _announce_after: float = field(default=0.0, repr=False)

    @property
    def pool(self) -> KeyedPool | None:
        """The pool deliveries run on (None when one at a time)."""
        return self._pool_for(self.concurrency)

    def deliver_due(self, limit: int = 200) -> int:
        """Deliver due items and wait for them; returns how many were sent."""
        self.rate_limited = False
        rows = self._due(limit)
        results: list[bool] = []
        pool = self._pool_for(len(rows))
        for row in rows:
            if pool is None:
                results.append(self._deliver_row(row))
            else:
                pool.submit(self._key(row), partial(self._deliver_into, results, row))
        if pool is not None:
            pool.wait_idle()
        sent = sum(results)
        if sent:
            announce_parked(self.ctx)
        return sent

    def feed(self, limit: int = 200) -> int:
        """The pump's way: hand due items not already in hand to the pool and return at once
        (a slow item, e.g. every member's App Home, holds nobody else's); how many were
        handed over. Without a pool, `deliver_due`."""
        if self.concurrency <= 1:
            return self.deliver_due(limit)
        self.rate_limited = False
        pool = self._pool_for(limit)
        assert pool is not None
        with self._lock:
            in_hand = set(self._in_flight)
        room = min(limit, MAX_IN_HAND - len(in_hand))
        if room <= 0:
            return 0  # the pool has plenty to do; the rest is fetched as it frees up
        handed = 0
        rows = self._due(room, cards_first=True, skip=in_hand)
        busy = any(not row.team_homes for row in rows)
        for row in rows:
            with self._lock:
                if row.id in self._in_flight:
                    continue
                if row.team_homes and self._settling(row, busy):
                    continue
                self._in_flight[row.id] = row.kind
            task = partial(self._deliver_tracked, row)
            pool.submit(self._key(row), task, urgent=row.kind == Intent.CARD)
            handed += 1
        return handed

    def _settling(self, row: Due, busy: bool) -> bool:
        """Does a refresh of every member's App Home wait? While other deliveries are due or
        in hand (a burst: the change behind them is drawn by this one refresh, later) and
        for HOME_SETTLE_SECONDS at most. Called with the lock held."""
        busy = busy or any(kind != Intent.HOME for kind in self._in_flight.values())
        waited = (self.ctx.clock.now() - row.created_at).total_seconds()
        return busy and waited < HOME_SETTLE_SECONDS

    def _due(self, limit: int, cards_first: bool = False, skip: Collection[int] = ()) -> list[Due]:
        """Due items, oldest first, but for `skip` (already in hand). `cards_first` (the
        pump): cards before the rest: the card is what the group looks at (it is drawn from
        the case as it is now, so drawing it earlier shows nothing out of order), and a
        thread note needs it."""
        kinds = list(self.handlers)
        if not kinds:
            return []
        values = {"now": self.ctx.clock.now(), "kinds": kinds, "skip": list(skip), "limit": limit}
        with self.ctx.read() as session:
            return [Due(*row) for row in session.execute(_DUE[cards_first], values)]

    @staticmethod
    def _key(row: Due) -> Hashable:
        return order_key(row.kind, row.team_id, row.case_id, row.recipient)

    def _deliver_into(self, results: list[bool], row: Due) -> None:
        results.append(self._deliver_row(row))

    def _deliver_tracked(self, row: Due) -> None:
        try:
            if self._deliver_row(row) and time.monotonic() >= self._announce_after:
                self._announce_after = time.monotonic() + ANNOUNCE_EVERY
                announce_parked(self.ctx)
        finally:
            with self._lock:
                self._in_flight.pop(row.id, None)

    def _pool_for(self, count: int) -> KeyedPool | None:
        if self.concurrency <= 1 or count <= 1:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = KeyedPool(self.concurrency, "outbox")
            return self._pool

    def _deliver_row(self, row: Due) -> bool:
        if self.rate_limited:
            return False  # Slack asked the workspace to wait: the rest waits for the next sweep
        keys = (self._key(row), rate_key(row.kind, row.team_id, row.recipient))
        now = self.ctx.clock.now()
        with self._lock:
            until = max((self._held[k] for k in keys if self._held.get(k, now) > now), default=None)
        if until is not None:  # Slack limited this call: not tried before its Retry-After
            self._postpone(row.id, until)
            return False
        return self._deliver_one(row.id)

    def _hold(self, item: OutboxMessage, until: datetime) -> None:
        """A 429 on `item`'s Slack call: hold the same calls, and its case's next items."""
        keys = (
            order_key(item.kind, item.team_id, item.case_id, item.recipient),
            rate_key(item.kind, item.team_id, item.recipient),
        )
        with self._lock:
            for key in keys:
                self._held[key] = max(until, self._held.get(key, until))

    def _postpone(self, item_id: int, until: datetime) -> None:
        """In the database, so that other workers wait too."""
        with self.ctx.transaction() as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == item_id,
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at < until,
                )
                .values(next_attempt_at=until)
            )

    def _deliver_one(self, item_id: int) -> bool:
        if self.ctx.sessions.kw["bind"].dialect.name == "sqlite":
            return self._deliver_one_unlocked(item_id)
        with self.ctx.sessions() as session, session.begin():
            now = self.ctx.clock.now()
            query = (
                _DUE_ITEM_LOCKED if session.get_bind().dialect.name == "postgresql" else _DUE_ITEM
            )
            item = session.scalar(query, {"item_id": item_id, "now": now})
            if item is None:
                return False  # another worker has it, or it was sent meanwhile
            handler = self.handlers.get(item.kind)
            if handler is None:
                return False  # this process can't deliver it (e.g. mail off); left pending
            try:
                with session.begin_nested():
                    handler(session, item)
            except DropMessage as exc:
                item.status, item.last_error, item.sent_at = OutboxStatus.CANCELLED, str(exc), now
                return False
            except NotYet as exc:
                item.next_attempt_at = now + timedelta(seconds=exc.seconds)
                item.last_error = str(exc)[:500]
                return False
            except Exception as exc:
                retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
                self._failed(item, exc, retry_after)
                return False
            item.status, item.sent_at = OutboxStatus.SENT, now
            item.attempts += 1
            return True

    def _deliver_one_unlocked(self, item_id: int) -> bool:
        """SQLite: claim the item in a short transaction, run the handler committing before
        each network call (`before_external_call`), then record the result. A claim by a
        process that died is void at once; any claim ends after CLAIM_SECONDS."""
        me = new_claimant()
        now = self.ctx.clock.now()
        with self.ctx.sessions() as session, session.begin():
            item = session.scalar(_DUE_ITEM, {"item_id": item_id, "now": now})
            if item is None or item.kind not in self.handlers:
                return False
            if claim_is_live(item.claimed_by, item.claimed_until, now):
                return False  # another worker is delivering it
            if item.case_id is not None and _case_in_delivery(session, item, now):
                return False  # one delivery per case at a time (next round)
            item.claimed_by = me
            item.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
        handler = self.handlers[item.kind]
        with self.ctx.sessions() as session:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            token = _before_io.set(session.commit)
            outcome: Exception | None = None
            try:
                handler(session, session.get_one(OutboxMessage, item_id))
                session.flush()
            except Exception as exc:
                outcome = exc
                session.rollback()
            finally:
                _before_io.reset(token)
            record = session.get_one(OutboxMessage, item_id, populate_existing=True)
            now = self.ctx.clock.now()
            record.claimed_by = record.claimed_until = None
            if outcome is None:
                record.status, record.sent_at = OutboxStatus.SENT, now
                record.attempts += 1
            elif isinstance(outcome, NotYet):
                record.next_attempt_at = now + timedelta(seconds=outcome.seconds)
                record.last_error = str(outcome)[:500]
            elif isinstance(outcome, DropMessage):
                record.status, record.sent_at = OutboxStatus.CANCELLED, now
                record.last_error = str(outcome)
            else:
                retry_after = outcome.retry_after if isinstance(outcome, RetryLater) else None
                self._failed(record, outcome, retry_after)
            session.commit()
            return outcome is None

    def _failed(self, item: OutboxMessage, exc: Exception, retry_after: float | None) -> None:
        policy = self.ctx.policy
        item.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if retry_after is not None:  # rate limited: not the message's fault
            item.next_attempt_at = self.ctx.clock.now() + timedelta(seconds=max(retry_after, 1))
            if isinstance(exc, RetryLater) and exc.scope is not None:
                self._hold(item, item.next_attempt_at)
            else:
                self.rate_limited = True
            log.warning(
                "outbox item %s (%s) rate limited; retry in %ss", item.id, item.kind, retry_after
            )
            return
        item.attempts += 1
        if item.attempts >= policy.outbox_max_attempts:
            item.status = OutboxStatus.PARKED
            log.error(
                "outbox item %s (%s) parked after %s attempts", item.id, item.kind, item.attempts
            )
            return
        delay = min(5 * 2 ** (item.attempts - 1), policy.outbox_max_backoff_seconds)
        item.next_attempt_at = self.ctx.clock.now() + timedelta(seconds=delay)
        log.warning(
            "outbox item %s (%s) attempt %s failed; retry in %ss",
            item.id,
            item.kind,
            item.attempts,
            delay,
        )
