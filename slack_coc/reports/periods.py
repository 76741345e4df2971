"""Reporting periods: a year (`2026`) or a half-year (`2026-H1`, `2026-H2`), by date received."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_coc.domain.errors import InvalidInput

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-H(?P<half>[12]))?$")


@dataclass(frozen=True)
class Period:
    year: int
    half: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip().upper())
        if match is None or not 1970 <= int(match["year"]) <= 9999:
            raise InvalidInput(
                f"unknown period {text!r}: use a year (2026) or a half-year (2026-H1, 2026-H2)",
                field="period",
            )
        half = int(match["half"]) if match["half"] else None
        return cls(int(match["year"]), half)

    @property
    def label(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year}-H{self.half}"

    @property
    def first_month(self) -> int:
        return 7 if self.half == 2 else 1

    @property
    def month_count(self) -> int:
        return 12 if self.half is None else 6

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.first_month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive end."""
        return month_start(self.year, self.first_month + self.month_count)

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """(label "2026-03", start, exclusive end) for each month of the period."""
        out = []
        for offset in range(self.month_count):
            start = month_start(self.year, self.first_month + offset)
            end = month_start(self.year, self.first_month + offset + 1)
            out.append((f"{start:%Y-%m}", start, end))
        return out

    def previous(self) -> Period:
        """The period of the same length just before: 2026 -> 2025, 2026-H1 -> 2025-H2."""
        if self.half is None:
            return Period(self.year - 1)
        if self.half == 2:
            return Period(self.year, 1)
        return Period(self.year - 1, 2)


def month_start(year: int, month: int) -> datetime:
    """First instant of a month; month may run past 12 (13 = January of the next year)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=UTC)
