"""The one source of "now". Tests and `slack-coc tick --now` replace it."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """Wall clock in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved; for tests and `tick --now`."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self._at = self._at + timedelta(**delta)
        return self._at


def ensure_utc(value: datetime) -> datetime:
    """Naive datetimes are refused: every stored and compared time is UTC-aware."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: give an offset, e.g. 2026-11-23T12:00:00+00:00")
    return value.astimezone(UTC)
