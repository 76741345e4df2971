"""Writing side effects into the outbox, inside the caller's transaction.

Intent kinds (rendered by the delivery layer, never carrying report content in Slack):
- `card`: post or refresh the case card in the group's channel.
- `thread`: a timeline note in the card's thread, from a CaseEvent id.
- `dm`: a direct message to `recipient` (a Slack user id) from a template and non-confidential data.
- `channel`: a notice in the group's channel from a template.
- `home`: republish `recipient`'s App Home.
- `mail`: an email (to, cc, subject, body) through SMTP.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slack_coc.domain.outbox_models import OutboxMessage, OutboxStatus


class Intent:
    CARD = "card"
    THREAD = "thread"
    DM = "dm"
    CHANNEL = "channel"
    HOME = "home"
    MAIL = "mail"


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    recipient: str | None = None,
    case_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add one intent. With a dedupe key, an intent already written is not written again
    (returns None), even when two processes race: the unique key decides."""
    channel = "mail" if kind == Intent.MAIL else "slack"
    if kind == Intent.CARD and case_id is not None:
        pending = session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.kind == Intent.CARD,
                OutboxMessage.case_id == case_id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        )
        if pending is not None:
            return None  # one pending refresh renders the latest state anyway
    message = OutboxMessage(
        team_id=team_id,
        channel=channel,
        kind=kind,
        dedupe_key=dedupe_key,
        case_id=case_id,
        recipient=recipient,
        payload=payload or {},
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    if dedupe_key is None:
        session.add(message)
        return message
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message
