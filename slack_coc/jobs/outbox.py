"""Delivering the outbox: each due item in its own transaction, at most one worker per item.

Handlers (one per intent kind) do the I/O and may update rows in the same transaction
(e.g. remember a posted card's ts). A handler raises `RetryLater` for a temporary failure
(429, 5xx, timeout); any other exception also counts as a failed attempt. Backoff doubles
from 5 s, capped by the policy (5 minutes); after `outbox_max_attempts` the item is parked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.domain.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.services.context import ServiceContext

log = logging.getLogger(__name__)

Handler = Callable[[Session, OutboxMessage], None]


class RetryLater(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class DropMessage(Exception):
    """The intent no longer applies (e.g. the recipient was recused meanwhile)."""


@dataclass
class OutboxDispatcher:
    ctx: ServiceContext
    handlers: dict[str, Handler] = field(default_factory=dict)

    def deliver_due(self, limit: int = 200) -> int:
        """Deliver due items; returns how many were sent."""
        now = self.ctx.clock.now()
        with self.ctx.read() as session:
            ids = list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= now,
                    )
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                )
            )
        return sum(1 for item_id in ids if self._deliver_one(item_id))

    def _deliver_one(self, item_id: int) -> bool:
        with self.ctx.sessions() as session, session.begin():
            query = select(OutboxMessage).where(
                OutboxMessage.id == item_id, OutboxMessage.status == OutboxStatus.PENDING
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            item = session.scalar(query)
            if item is None:
                return False  # another worker has it, or it was sent meanwhile
            handler = self.handlers.get(item.kind)
            now = self.ctx.clock.now()
            if handler is None:
                return False  # this process can't deliver it (e.g. mail off); left pending
            try:
                with session.begin_nested():
                    handler(session, item)
            except DropMessage as exc:
                item.status, item.last_error, item.sent_at = OutboxStatus.CANCELLED, str(exc), now
                return False
            except Exception as exc:
                retry_after = exc.retry_after if isinstance(exc, RetryLater) else None
                self._failed(item, exc, retry_after)
                return False
            item.status, item.sent_at = OutboxStatus.SENT, now
            item.attempts += 1
            return True

    def _failed(self, item: OutboxMessage, exc: Exception, retry_after: float | None) -> None:
        policy = self.ctx.policy
        item.attempts += 1
        item.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if item.attempts >= policy.outbox_max_attempts:
            item.status = OutboxStatus.PARKED
            log.error(
                "outbox item %s (%s) parked after %s attempts", item.id, item.kind, item.attempts
            )
            return
        delay = (
            retry_after
            if retry_after is not None
            else min(5 * 2 ** (item.attempts - 1), policy.outbox_max_backoff_seconds)
        )
        item.next_attempt_at = self.ctx.clock.now() + timedelta(seconds=delay)
        log.warning(
            "outbox item %s (%s) attempt %s failed; retry in %ss",
            item.id,
            item.kind,
            item.attempts,
            delay,
        )
