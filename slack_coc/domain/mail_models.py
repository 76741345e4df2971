"""Mail in and out of the committee's mailbox, and where the mailbox poll has got to.

Addresses, subjects, bodies and raw messages are confidential (they name reporters and the
people involved): Encrypted* columns. Message-IDs are matched through keyed digests so a
reply finds its case without the header being stored in the clear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from slack_coc.crypto import EncryptedJSON, EncryptedText
from slack_coc.db import Base, UTCDateTime

TEAM = String(32)
USER = String(32)


class MailDirection:
    IN = "in"
    OUT = "out"


class MailStatus:
    RECEIVED = "received"  # inbound, filed on a case (or kept with a problem note)
    DRAFT = "draft"  # outbound, being edited
    AWAITING_REVIEW = "awaiting_review"  # a second member was asked to look first
    QUEUED = "queued"  # in the outbox
    SENT = "sent"  # handed to the SMTP server
    SENT_BY_HAND = "sent_by_hand"  # no SMTP configured: a member copied the text
    DISCARDED = "discarded"


class MailMessage(Base):
    __tablename__ = "mail_message"
    __table_args__ = (Index("ix_mail_message_team_msgid", "team_id", "message_id_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(48))
    # lookup_digest() of the Message-ID header (ours or the sender's), for threading and dedupe.
    message_id_digest: Mapped[str | None] = mapped_column(
        String(64), info={"digest_of": "message_id"}
    )
    message_id: Mapped[str | None] = mapped_column(EncryptedText)
    in_reply_to: Mapped[str | None] = mapped_column(EncryptedText)
    references_header: Mapped[str | None] = mapped_column(EncryptedText)
    subject: Mapped[str | None] = mapped_column(EncryptedText)
    from_addr: Mapped[str | None] = mapped_column(EncryptedText)
    to_addrs: Mapped[list[str] | None] = mapped_column(EncryptedJSON)
    cc_addrs: Mapped[list[str] | None] = mapped_column(EncryptedJSON)
    body: Mapped[str | None] = mapped_column(EncryptedText)
    raw: Mapped[str | None] = mapped_column(EncryptedText)  # RFC 822 text (inbound)
    # Parse problems, "forwarded report?" and the like, in words for the detail modal.
    notes: Mapped[list[str] | None] = mapped_column(EncryptedJSON)
    # Non-confidential facts: {"forwarded": true, "malformed": true, "attachments": 2}.
    flags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    author_user_id: Mapped[str | None] = mapped_column(USER)
    reviewer_user_id: Mapped[str | None] = mapped_column(USER)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailbox_uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    mailbox_uid: Mapped[int | None] = mapped_column(BigInteger)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailAttachment(Base):
    """One attachment of an inbound message. Content over the size cap stays in the mailbox."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mail_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id"), index=True)
    filename: Mapped[str | None] = mapped_column(EncryptedText)
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    content_b64: Mapped[str | None] = mapped_column(EncryptedText)  # None: too large, see note
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MailboxCursor(Base):
    """The last mailbox UID processed, per mailbox and UIDVALIDITY epoch."""

    __tablename__ = "mailbox_cursor"
    __table_args__ = (UniqueConstraint("team_id", "mailbox"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    mailbox: Mapped[str] = mapped_column(String(200))  # "user@host/INBOX"
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
