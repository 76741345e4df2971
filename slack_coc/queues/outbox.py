"""Writing side effects into the outbox, inside the caller's transaction.

Intent kinds (rendered by the delivery layer, never carrying report content in Slack):
- `card`: post or refresh the case card in the group's channel.
- `thread`: a timeline note in the card's thread, from a CaseEvent id.
- `dm`: a direct message to `recipient` (a Slack user id) from a template and non-confidential data.
- `channel`: a notice in the group's channel from a template.
- `home`: republish `recipient`'s App Home.
- `mail`: an email (to, cc, subject, body) through SMTP.
- `delete_message`: hide a reported message (channel, ts) with the admin user token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus


class Intent:
    CARD = "card"
    THREAD = "thread"
    DM = "dm"
    CHANNEL = "channel"
    HOME = "home"
    MAIL = "mail"
    DELETE_MESSAGE = "delete_message"  # chat.delete with the admin user token (reported message)


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    recipient: str | None = None,
    case_id: int | None = None,
) -> OutboxMessage | None:
    """Add one intent, written with the caller's next flush; None when a pending card
    refresh for the case makes it redundant."""
    if kind == Intent.CARD and case_id is not None:
        pending = session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.kind == Intent.CARD,
                OutboxMessage.case_id == case_id,
                OutboxMessage.status == OutboxStatus.PENDING,
                # One being drawn (claimed, on SQLite) may have read the case before this
                # change. (On PostgreSQL its delivery holds the case row's lock meanwhile.)
                OutboxMessage.claimed_by.is_(None),
            )
        )
        if pending is not None:
            return None  # one pending refresh renders the latest state anyway
    message = OutboxMessage(**intent_row(team_id, kind, now, payload, recipient, case_id))
    session.add(message)
    return message


def enqueue_once(
    session: Session,
    *,
    dedupe_key: str,
    team_id: str,
    kind: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    recipient: str | None = None,
    case_id: int | None = None,
) -> int | None:
    """Add one intent unless one with this key was ever written; returns the new row's id,
    or None when the key was taken. Two processes racing: the unique key decides, in one
    statement (the loser waits for the winner's commit, then writes nothing)."""
    values = {
        **intent_row(team_id, kind, now, payload, recipient, case_id),
        "dedupe_key": dedupe_key,
    }
    statement: postgresql.Insert | sqlite.Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(OutboxMessage).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite.insert(OutboxMessage).values(values).on_conflict_do_nothing()
    written: int | None = session.scalar(statement.returning(OutboxMessage.id))
    return written


def intent_row(
    team_id: str,
    kind: str,
    now: datetime,
    payload: dict[str, Any] | None,
    recipient: str | None,
    case_id: int | None,
) -> dict[str, Any]:
    """A pending intent's columns as plain values (for the ORM and for batched inserts)."""
    return {
        "team_id": team_id,
        "channel": "mail" if kind == Intent.MAIL else "slack",
        "kind": kind,
        "case_id": case_id,
        "recipient": recipient,
        "payload": payload or {},
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
