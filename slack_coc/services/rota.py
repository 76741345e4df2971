"""Rota queries shared by paging, the App Home and `/coc oncall`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.domain.rota_models import OncallWeek


def week_start(at: datetime, policy: Policy) -> datetime:
    """The handover instant that starts the duty week containing `at`."""
    at = at.astimezone(UTC)
    day = at.replace(hour=policy.handover_hour_utc, minute=0, second=0, microsecond=0)
    day -= timedelta(days=(day.weekday() - policy.handover_weekday) % 7)
    if day > at:
        day -= timedelta(days=7)
    return day


def week_at(session: Session, team_id: str, at: datetime, policy: Policy) -> OncallWeek | None:
    return session.scalar(
        select(OncallWeek).where(
            OncallWeek.team_id == team_id, OncallWeek.starts_at == week_start(at, policy)
        )
    )
