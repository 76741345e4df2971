"""Slack's requests as we keep them: those already taken (replays are recognised across
processes) and those acknowledged but not yet worked on (the inbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.crypto import EncryptedText
from slack_coc.db import Base, UTCDateTime


class SeenRequest(Base):
    """A signed request's signature, or a workspace's event id, already acted on."""

    __tablename__ = "seen_request"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class InboxItem(Base):
    """A slash command or button click Slack sent, stored before it was acknowledged and
    worked on afterwards by an inbox worker (`slack_coc/slack/deferral.py`). The body may quote
    what a member typed, so it is encrypted, and emptied once the work is done."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_open", "done_at", "available_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    # The request's signature: the same request stored twice is refused by the database.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(EncryptedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Not before: a click that opens a modal waits until its "Loading" modal is open.
    available_at: Mapped[datetime] = mapped_column(UTCDateTime)
    loading_view_id: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Who works on it now ("host:pid:token") and until when; a dead worker's claim is void.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
