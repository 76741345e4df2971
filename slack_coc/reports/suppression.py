"""Small-count suppression that survives subtraction.

A count from 1 to `threshold` could single someone out, so it is shown as "<3" (threshold 2).
Hiding the cell is not enough when the table also shows a total and the other parts: total
minus the visible parts would give the hidden cell back. So, until nothing changes:

1. A total any of whose parts is hidden is not shown exactly: it becomes "N+", where N is
   what a reader could add up from the visible parts anyway (it reveals nothing new).
2. A total that is not shown exactly must not be recoverable from another of its breakdowns
   either: a breakdown whose parts are all visible gets one more part hidden ("*"), the
   smallest non-zero one, preferring cells that are not themselves totals.
3. "<3" tells a reader "at least one": two "<3" parts of a "<3" total would each be exactly
   one, so such parts are shown as "*" (no lower bound) instead.

Hidden helper values (e.g. people without an outcome yet) take part in the arithmetic but are
never displayed; a breakdown with a non-zero helper value cannot be added up by a reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    EXACT = "exact"
    SMALL = "small"  # 1..threshold: shown as "<3"
    SECONDARY = "secondary"  # hidden to protect a small cell elsewhere: "*"
    BOUNDED = "bounded"  # a total with hidden parts: "N+"


@dataclass(frozen=True)
class Group:
    """`total` = sum of `parts` (displayed) + `hidden` (never displayed)."""

    total: str
    parts: Sequence[str]
    hidden: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Shown:
    value: int
    status: Status
    text: str

    @property
    def exact(self) -> bool:
        return self.status is Status.EXACT


def suppress(
    values: Mapping[str, int], groups: Sequence[Group], threshold: int
) -> dict[str, Shown]:
    """What to display for every key of `values` (helper keys included; callers skip them)."""
    status = {
        key: Status.SMALL if 1 <= value <= threshold else Status.EXACT
        for key, value in values.items()
    }
    totals = {g.total for g in groups}
    changed = True
    while changed:
        changed = False
        for group in groups:
            total = group.total
            parts_hidden = any(status[p] is not Status.EXACT for p in group.parts)
            if parts_hidden and status[total] is Status.EXACT and values[total] > 0:
                status[total] = Status.BOUNDED
                changed = True
            all_visible = not parts_hidden and sum(values[h] for h in group.hidden) == 0
            if status[total] is not Status.EXACT and all_visible and values[total] > 0:
                candidates = [p for p in group.parts if values[p] > 0]
                candidates.sort(key=lambda p: (p in totals, values[p]))
                status[candidates[0]] = Status.SECONDARY
                changed = True
            small_parts = [p for p in group.parts if status[p] is Status.SMALL]
            if status[total] is Status.SMALL and len(small_parts) > 1:
                # "<3" means at least one: two of them under a "<3" total would each be 1.
                for part in small_parts:
                    status[part] = Status.SECONDARY
                changed = True
    lower_bounds = _lower_bounds(values, groups, status)
    return {
        key: Shown(
            values[key],
            status[key],
            _text(values[key], status[key], threshold, lower_bounds.get(key, 0)),
        )
        for key in values
    }


def _lower_bounds(
    values: Mapping[str, int], groups: Sequence[Group], status: Mapping[str, Status]
) -> dict[str, int]:
    """For a bounded total: the largest sum over its breakdowns of the exactly shown parts
    plus one for each "<3" part, which a reader can work out from the table anyway."""
    bounds: dict[str, int] = {}
    for group in groups:
        visible = sum(values[p] for p in group.parts if status[p] is Status.EXACT)
        visible += sum(1 for p in group.parts if status[p] is Status.SMALL)
        bounds[group.total] = max(bounds.get(group.total, 0), visible)
    return bounds


def _text(value: int, status: Status, threshold: int, lower_bound: int) -> str:
    if status is Status.SMALL:
        return f"<{threshold + 1}"
    if status is Status.SECONDARY:
        return "*"
    if status is Status.BOUNDED:
        return f"{lower_bound}+"
    return str(value)
