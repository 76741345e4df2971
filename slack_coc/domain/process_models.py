"""After the decision: the actions the group carries out, in rounds (docs/process.md
"Ongoing actions").

An action says what is done (encrypted: it may name people), who owns it and by when; it is
marked done once. A round is a number: "add another round" starts the next one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.crypto import EncryptedText
from slack_coc.db import Base, UTCDateTime


class CaseAction(Base):
    __tablename__ = "case_action"
    __table_args__ = (Index("ix_case_action_case_done", "case_id", "done_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    what: Mapped[str] = mapped_column(EncryptedText)
    owner_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    due_on: Mapped[date] = mapped_column(Date)
    created_by_user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_user_id: Mapped[str | None] = mapped_column(String(32))
