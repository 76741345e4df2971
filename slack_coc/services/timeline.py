"""Timeline events and the refreshes every change of a case causes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.domain.models import Case, CaseEvent, Deadline
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus


def record_event(
    session: Session,
    case: Case,
    kind: str,
    now: datetime,
    *,
    actor_user_id: str | None,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    to_thread: bool = True,
) -> CaseEvent:
    """Append a timeline event; unless told otherwise, also note it in the card's thread
    (the thread shows kind, states and actor: never the note, which may hold report text)."""
    event = CaseEvent(
        team_id=case.team_id,
        case_id=case.id,
        actor_user_id=actor_user_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        at=now,
    )
    session.add(event)
    session.flush()
    if to_thread:
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.THREAD,
            now=now,
            case_id=case.id,
            payload={"event_id": event.id},
        )
    return event


def case_changed(session: Session, case: Case, now: datetime) -> None:
    """The card and every member's App Home show this case: refresh them."""
    case.updated_at = now
    enqueue(session, team_id=case.team_id, kind=Intent.CARD, now=now, case_id=case.id)
    refresh_homes(session, case.team_id, now)


def refresh_homes(session: Session, team_id: str, now: datetime) -> None:
    """Every member's App Home, once: a refresh already waiting draws this change too. One
    being drawn right now may have read the case before this change: that one does not
    count (on PostgreSQL its row is locked, on SQLite it is claimed)."""
    waiting = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == Intent.HOME,
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient.is_(None),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.claimed_by.is_(None),
        )
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        waiting = waiting.with_for_update(skip_locked=True)
    if session.scalar(waiting) is None:
        enqueue(session, team_id=team_id, kind=Intent.HOME, now=now)


def set_deadline(session: Session, case: Case, kind: str, due_at: datetime, now: datetime) -> None:
    """Open a deadline; the same (kind, instant) met earlier is opened again, not duplicated."""
    existing = session.scalar(
        select(Deadline).where(
            Deadline.case_id == case.id, Deadline.kind == kind, Deadline.due_at == due_at
        )
    )
    if existing is not None:
        existing.met_at = None
        return
    session.add(
        Deadline(team_id=case.team_id, case_id=case.id, kind=kind, due_at=due_at, created_at=now)
    )


def meet_deadlines(session: Session, case: Case, kinds: tuple[str, ...], now: datetime) -> None:
    for deadline in session.scalars(
        select(Deadline).where(
            Deadline.case_id == case.id, Deadline.kind.in_(kinds), Deadline.met_at.is_(None)
        )
    ):
        deadline.met_at = now
