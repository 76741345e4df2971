"""Proposals, votes and emergency actions (docs/process.md "Decisions")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slack_coc.crypto import EncryptedText
from slack_coc.db import Base, UTCDateTime


class ProposalStatus:
    OPEN = "open"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"


class Proposal(Base):
    """The shepherd's proposed outcome for each reported person, put to the group."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    rule: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outcomes: Mapped[list[ProposedOutcome]] = relationship(
        order_by="ProposedOutcome.id", cascade="all, delete-orphan"
    )
    votes: Mapped[list[Vote]] = relationship(order_by="Vote.id", cascade="all, delete-orphan")


class ProposedOutcome(Base):
    """One reported person's outcome within a proposal (and, once adopted, the decision)."""

    __tablename__ = "proposed_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    # None: the outcome of the whole case, when it names nobody as reported.
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    outcome: Mapped[str] = mapped_column(String(32))
    ends_on: Mapped[date | None] = mapped_column(Date)  # suspensions
    conditions: Mapped[str | None] = mapped_column(EncryptedText)
    # The kinds of behaviour (policy `violation_types`) this outcome is for; counted, never
    # tied to anyone, by the transparency report.
    violation_types: Mapped[list[str] | None] = mapped_column(JSON, default=list)


class Vote(Base):
    """A member's vote on a proposal; voting again replaces the earlier vote."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    value: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class EmergencyAction(Base):
    """An action a member took at once, before consensus, for the group to review in 24 h."""

    __tablename__ = "emergency_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    action: Mapped[str] = mapped_column(EncryptedText)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_outcome: Mapped[str | None] = mapped_column(String(16))  # upheld / changed / reversed
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
