"""Requests already taken, remembered across processes (several web workers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.db import Base, UTCDateTime


class SeenRequest(Base):
    """A signed request's signature, or a workspace's event id, already acted on."""

    __tablename__ = "seen_request"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
