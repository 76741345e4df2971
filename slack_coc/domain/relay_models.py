"""The relay to an anonymous reporter: who they are, kept apart from the case.

An anonymous report keeps no identity on the case or its parties. The one way back to a
reporter who used a shortcut is this row: their Slack id, encrypted, read only by the relay
(`services/relay.py`) to address a DM from the app, and deleted by retention with every other
identity of the case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.crypto import EncryptedText
from slack_coc.db import Base, UTCDateTime


class RelayContact(Base):
    __tablename__ = "relay_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    slack_user_id: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
