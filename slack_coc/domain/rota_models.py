"""The weekly on-call rota."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slack_coc.db import Base, UTCDateTime
from slack_coc.domain.models import Member


class OncallWeek(Base):
    """One duty week, starting at the handover instant (Monday 12:00 UTC by default)."""

    __tablename__ = "oncall_week"
    __table_args__ = (UniqueConstraint("team_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    primary_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    secondary_id: Mapped[int] = mapped_column(ForeignKey("member.id"))

    primary: Mapped[Member] = relationship(foreign_keys=[primary_id])
    secondary: Mapped[Member] = relationship(foreign_keys=[secondary_id])


class Absence(Base):
    """A member marked away: skipped by rota generation and paging."""

    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class CoverRequest(Base):
    """A member asks the others to take their slot for one week."""

    __tablename__ = "cover_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week_id: Mapped[int] = mapped_column(ForeignKey("oncall_week.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    slot: Mapped[str] = mapped_column(String(12))  # primary / secondary
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SwapRequest(Base):
    """A member asks another to swap duty weeks: each takes the other's slot in the other's
    week (services/rota_swap.py)."""

    __tablename__ = "swap_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    requester_week_id: Mapped[int] = mapped_column(ForeignKey("oncall_week.id"))
    requester_slot: Mapped[str] = mapped_column(String(12))
    other_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    other_week_id: Mapped[int] = mapped_column(ForeignKey("oncall_week.id"))
    other_slot: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # accepted / declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
