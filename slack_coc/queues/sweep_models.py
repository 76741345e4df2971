"""Keys of the notifications the due-work sweep has written.

A notice is keyed by what it is about (case, kind, deadline instant, stage), so that
overlapping ticks, restarts and two workers never write the same notification twice: the
unique key decides, in the same transaction as the outbox rows it caused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.db import Base, UTCDateTime


class SentNotice(Base):
    __tablename__ = "sent_notice"
    __table_args__ = (Index("ix_sent_notice_deadline_stage", "deadline_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    # Deadline notices point at their deadline (the sweep skips deadlines fully notified);
    # rota notices (handover, reminders) have none.
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadline.id"))
    stage: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
