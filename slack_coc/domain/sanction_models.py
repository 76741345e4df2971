"""After a decision: organisers' sanction checks and the road back from a suspension.

A check records who asked about whom and the yes/no answer, never why; a readmission is a
request, a checklist of conditions for return and the group's votes on it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slack_coc.crypto import EncryptedText
from slack_coc.db import Base, UTCDateTime


class CheckAnswer:
    YES = "yes"  # "yes, contact the working group"
    NO_RECORD = "no_record"


class SanctionCheck(Base):
    """One organisers' check (`/coc check`), kept on the person's records."""

    __tablename__ = "sanction_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    # The person checked, when known to the group; a "no record" check of a stranger keeps
    # only the keyed digest of who was asked about (so a later person can be matched).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    subject_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    checked_by_user_id: Mapped[str] = mapped_column(String(32))
    on_behalf_of: Mapped[str | None] = mapped_column(EncryptedText)  # organiser, event
    answer: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadmissionStatus:
    OPEN = "open"
    READMITTED = "readmitted"
    WITHDRAWN = "withdrawn"


class Readmission(Base):
    """A suspended or banned person's request to return, for one reported party."""

    __tablename__ = "readmission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    received_via: Mapped[str] = mapped_column(String(16))  # member / mail
    request: Mapped[str] = mapped_column(EncryptedText)
    rule: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ReadmissionStatus.OPEN)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conditions: Mapped[list[ReturnCondition]] = relationship(
        order_by="ReturnCondition.id", cascade="all, delete-orphan"
    )
    votes: Mapped[list[ReadmissionVote]] = relationship(
        order_by="ReadmissionVote.id", cascade="all, delete-orphan"
    )


class ReturnCondition(Base):
    """One condition for return, ticked off by a member when met."""

    __tablename__ = "return_condition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    readmission_id: Mapped[int] = mapped_column(ForeignKey("readmission.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_by_user_id: Mapped[str | None] = mapped_column(String(32))


class ReadmissionVote(Base):
    """A member's vote on readmission; voting again replaces the earlier vote."""

    __tablename__ = "readmission_vote"
    __table_args__ = (UniqueConstraint("readmission_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    readmission_id: Mapped[int] = mapped_column(ForeignKey("readmission.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    value: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
