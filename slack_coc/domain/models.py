"""Core persistent model: workspaces, the roster, cases, the people in them, the timeline.

Confidential text uses the Encrypted* column types from `slack_coc.crypto`; everything else
here may appear in Slack (numbers, code names, states, flags, deadlines).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slack_coc.crypto import EncryptedJSON, EncryptedText
from slack_coc.db import Base, UTCDateTime

TEAM = String(32)
USER = String(32)


class Workspace(Base):
    """A Slack workspace (team) that has installed the app."""

    __tablename__ = "workspace"

    team_id: Mapped[str] = mapped_column(TEAM, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    channel_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Member(Base):
    """A member of the working group (the roster)."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM, index=True)
    user_id: Mapped[str] = mapped_column(USER)
    display_name: Mapped[str] = mapped_column(String(200))
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A new member sees no case until they have declared their conflicts (or none).
    conflicts_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # App Home preference: every report's details open behind a content warning.
    always_warn: Mapped[bool] = mapped_column(Boolean, default=False)
    # A member's email address, if given, recuses them from cases naming that address.
    email: Mapped[str | None] = mapped_column(EncryptedText)
    email_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "email"}
    )


class Person(Base):
    """A person named in reports, known by a persistent code name ("Blue Jay")."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("team_id", "code_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM, index=True)
    code_name: Mapped[str] = mapped_column(String(80))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Keyed digests (crypto.lookup_digest) so a later report can find the same person.
    # `info["digest_of"]` names the encrypted source, so `keys rotate` can re-hash.
    slack_user_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "slack_user_id", "team_scoped": True}
    )
    email_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "email"}
    )
    name_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "display_name"}
    )
    display_name: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    slack_user_id: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    """One conduct report and everything the group does with it."""

    __tablename__ = "case"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        UniqueConstraint("team_id", "code_name"),
        Index("ix_case_team_state", "team_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    number: Mapped[int] = mapped_column(Integer)
    code_name: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(32), default="received")
    source: Mapped[str] = mapped_column(String(32))
    safety_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    ongoing: Mapped[str] = mapped_column(String(8), default="No")  # Yes / No / Maybe
    handled_locally: Mapped[bool] = mapped_column(Boolean, default=False)
    severe: Mapped[bool] = mapped_column(Boolean, default=False)  # severe or legal: majority rule
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # A practice case (`/coc drill`): worked like a real one, never counted or mailed.
    drill: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reporter asked not to be known to the group: no identity is kept on the case; a
    # Slack reporter is reached only through the relay (`relay_models.RelayContact`).
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reporter asked that only the chairs see it, until a chair opens it to the group
    # (services/chairs_only.py).
    chairs_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Retaliation against the reporter of that earlier case (services/retaliation.py).
    retaliation_of_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_user_id: Mapped[str | None] = mapped_column(USER)
    shepherd_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    first_responder_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    decision_rule: Mapped[str | None] = mapped_column(String(32))
    resolution_source: Mapped[str | None] = mapped_column(String(16))
    review_date: Mapped[date | None] = mapped_column(Date)
    # The report itself: account, when/where, links, context, language, anything else.
    details: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    # On resolution: actions taken and outcome, in the group's words.
    resolution_notes: Mapped[str | None] = mapped_column(EncryptedText)
    # Set when the reporter's feedback on the decision, or why there is none, is recorded;
    # cleared by a new decision. Start actions / Resolve wait for it (domain/lifecycle.py).
    feedback_settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    personal_data_expunged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    shepherd: Mapped[Member | None] = relationship(foreign_keys=[shepherd_id])
    first_responder: Mapped[Member | None] = relationship(foreign_keys=[first_responder_id])
    parties: Mapped[list[Party]] = relationship(
        back_populates="case", order_by="Party.id", cascade="all, delete-orphan"
    )

    @property
    def ref(self) -> str:
        return f"#{self.number}"


class Party(Base):
    """A person involved in one case: reporter, reported person, witness or other affected.

    The keyed digests of the Slack id and the email address let a member be matched to every
    case naming them (recusal) by an indexed lookup, never by decrypting every party."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    slack_user_id: Mapped[str | None] = mapped_column(EncryptedText)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    contact: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    slack_user_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "slack_user_id", "team_scoped": True}
    )
    email_digest: Mapped[str | None] = mapped_column(
        String(64), index=True, info={"digest_of": "email"}
    )

    case: Mapped[Case] = relationship(back_populates="parties")
    person: Mapped[Person | None] = relationship()


class Recusal(Base):
    """A member excluded from a case: declared conflict, or the report concerns them."""

    __tablename__ = "recusal"
    __table_args__ = (Index("ix_recusal_case_member", "case_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))


class CaseEvent(Base):
    """Append-only timeline of a case."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    actor_user_id: Mapped[str | None] = mapped_column(USER)
    kind: Mapped[str] = mapped_column(String(48))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    # Free text may carry report content: encrypted, shown only in the detail modal.
    note: Mapped[str | None] = mapped_column(EncryptedText)
    # Structured, non-confidential facts (ids, dates, outcome codes) safe for the thread.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Deadline(Base):
    """A dated duty on a case. The sweep finds due ones in one indexed query."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "due_at"),
        Index("ix_deadline_open_due", "met_at", "due_at"),  # the sweep: every open deadline
        Index("ix_deadline_case_open", "case_id", "met_at"),  # given cases' open deadlines
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AccessLog(Base):
    """Who viewed a case's details, and how."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(TEAM)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    user_id: Mapped[str] = mapped_column(USER)
    what: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
