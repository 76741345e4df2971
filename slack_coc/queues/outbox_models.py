"""The outbox: every side effect, written in the same transaction as its cause.

A row holds an *intent* ("refresh case card", "page member U about case 7", "send mail"),
not Slack payloads: the delivery layer renders it at send time, so rendering rules
(confidentiality, recusal) are applied once, in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.crypto import EncryptedJSON
from slack_coc.db import Base, UTCDateTime


class OutboxStatus:
    PENDING = "pending"
    SENT = "sent"
    PARKED = "parked"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))  # "slack" or "mail"
    kind: Mapped[str] = mapped_column(String(48))
    # Unique key of a notification (case, kind, deadline): makes every job idempotent.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    recipient: Mapped[str | None] = mapped_column(String(320))
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SQLite: who is delivering it now ("host:pid:token") and until when; see jobs/outbox.py.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
