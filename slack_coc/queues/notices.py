"""Writing the sweep's notifications: a keyed notice plus its outbox intents, once.

Every notification has a unique key (case, kind, deadline instant, stage) stored in
`sent_notice` in the same transaction as the outbox rows it causes. All planned notices are
written with a few batched statements; if that batch fails (a key written meanwhile by a
process that did not take the sweep lock, or a bad row), each notice is retried on its own
savepoint, so one failing notice never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slack_coc.failures import log_failure
from slack_coc.queues.outbox import intent_row
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.queues.sweep_models import SentNotice

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same in every process of one deployment.
SWEEP_LOCK_ID = 0x5C0C_5EE9


@dataclass
class PlannedIntent:
    kind: str  # an outbox Intent kind: dm, channel, card...
    payload: dict[str, Any]
    recipient: str | None = None


@dataclass
class Notice:
    key: str
    team_id: str
    stage: str
    case_id: int | None = None
    deadline_id: int | None = None
    intents: list[PlannedIntent] = field(default_factory=list)


def take_sweep_lock(session: Session) -> None:
    """Serialise sweeps across processes for the rest of this transaction. PostgreSQL: a
    transaction-level advisory lock (a second worker waits, then finds the work done).
    SQLite: every write transaction already starts with BEGIN IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SWEEP_LOCK_ID})


def _rows(notice: Notice, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The notice row and its outbox rows, as plain values for batched Core INSERTs."""
    key_row = {
        "team_id": notice.team_id,
        "key": notice.key,
        "deadline_id": notice.deadline_id,
        "stage": notice.stage,
        "case_id": notice.case_id,
        "created_at": now,
    }
    outbox_rows = [
        {
            **intent_row(
                notice.team_id,
                intent.kind,
                now,
                intent.payload,
                intent.recipient,
                notice.case_id,
            ),
            "dedupe_key": f"{notice.key}:{intent.kind}:{intent.recipient or '-'}"[:200],
            "last_error": None,
            "sent_at": None,
        }
        for intent in notice.intents
    ]
    return key_row, outbox_rows


def _insert(session: Session, notices: list[Notice], now: datetime) -> None:
    keys: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for notice in notices:
        key_row, outbox_rows = _rows(notice, now)
        keys.append(key_row)
        messages.extend(outbox_rows)
    # Core INSERTs on the connection: one executemany each, no per-row RETURNING.
    connection = session.connection()
    connection.execute(insert(SentNotice), keys)
    if messages:
        connection.execute(insert(OutboxMessage), messages)


def write_notices(session: Session, notices: list[Notice], now: datetime) -> int:
    """Write each notice not written before; returns how many were written."""
    if not notices:
        return 0
    unique = list({n.key: n for n in notices}.values())
    try:
        with session.begin_nested():
            _insert(session, unique, now)
        return len(unique)
    except Exception as exc:  # fall back to one savepoint per notice
        log.warning("batched notice write failed (%s); writing one by one", type(exc).__name__)
    written = 0
    for notice in unique:
        if session.scalar(select(SentNotice.id).where(SentNotice.key == notice.key)):
            continue
        try:
            with session.begin_nested():
                _insert(session, [notice], now)
            written += 1
        except IntegrityError:
            continue  # written by another process meanwhile
        except Exception:
            log_failure(log, "notice %s could not be written; the others go on", notice.key)
    return written


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found.update(
            session.scalars(select(SentNotice.key).where(SentNotice.key.in_(keys[i : i + 500])))
        )
    return found
