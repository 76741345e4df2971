"""Small-count suppression that survives subtraction.

A count from 1 to `threshold` could single someone out, so it is shown as "<3" (threshold 2).
Hiding the cell is not enough when the table also shows a total and the other parts: total
minus the visible parts would give the hidden cell back. So, until nothing changes:

1. A total any of whose parts is hidden is not shown exactly: it becomes "N+", where N is
   the least it can be given what the table shows (it reveals nothing new).
2. A total that is not shown exactly must not be recoverable from another of its breakdowns
   either: a breakdown whose parts are all visible gets one more part hidden ("*"), the
   smallest non-zero one, preferring cells that are not themselves totals.
3. "<3" tells a reader "at least one": two "<3" parts of a "<3" total would each be exactly
   one, so such parts are shown as "*" (no lower bound) instead.
4. Finally a reader's reasoning is replayed: every cell gets the interval the shown cells
   and the sums allow (bounds propagated to a fixpoint). A hidden cell whose interval is a
   single value could be worked out, so one more cell of its breakdowns is hidden, and the
   check runs again.

Hidden helper values (e.g. people without an outcome yet) take part in the arithmetic but are
never displayed; a reader knows nothing about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_INF = float("inf")


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
    helpers = {h for g in groups for h in g.hidden}
    status = {
        key: Status.SMALL if 1 <= value <= threshold else Status.EXACT
        for key, value in values.items()
    }
    for _ in range(len(values) + 1):  # each round hides one more cell, so this ends
        _apply_rules(values, groups, status)
        low, high = _reader_bounds(values, groups, status, helpers, threshold)
        forced = [
            k
            for k in values
            if k not in helpers and status[k] is not Status.EXACT and low[k] == high[k]
        ]
        if not forced:
            break
        _hide_one_more(forced[0], values, groups, status)
    low, _high = _reader_bounds(values, groups, status, helpers, threshold)
    return {
        key: Shown(values[key], status[key], _text(values[key], status[key], threshold, low[key]))
        for key in values
    }


def _apply_rules(
    values: Mapping[str, int], groups: Sequence[Group], status: dict[str, Status]
) -> None:
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
                for part in small_parts:
                    status[part] = Status.SECONDARY
                changed = True


def _reader_bounds(
    values: Mapping[str, int],
    groups: Sequence[Group],
    status: Mapping[str, Status],
    helpers: set[str],
    threshold: int,
) -> tuple[dict[str, float], dict[str, float]]:
    """The interval a reader can work out for every cell from what is shown."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for key, value in values.items():
        if key in helpers or status[key] in (Status.SECONDARY, Status.BOUNDED):
            low[key], high[key] = 0, _INF
        elif status[key] is Status.SMALL:
            low[key], high[key] = 1, threshold
        else:
            low[key] = high[key] = value
    for _ in range(50):
        changed = False
        for group in groups:
            members = [*group.parts, *group.hidden]
            sum_low = sum(low[m] for m in members)
            sum_high = sum(high[m] for m in members)
            total = group.total
            changed |= _narrow(low, high, total, sum_low, sum_high)
            for m in members:
                others_low, others_high = sum_low - low[m], sum_high - high[m]
                changed |= _narrow(low, high, m, low[total] - others_high, high[total] - others_low)
        if not changed:
            break
    return low, high


def _narrow(
    low: dict[str, float], high: dict[str, float], key: str, new_low: float, new_high: float
) -> bool:
    changed = False
    if new_low == new_low and new_low > low[key]:  # NaN-safe (inf - inf)
        low[key], changed = new_low, True
    if new_high == new_high and new_high < high[key]:
        high[key], changed = new_high, True
    return changed


def _hide_one_more(
    forced: str, values: Mapping[str, int], groups: Sequence[Group], status: dict[str, Status]
) -> None:
    """Hide one more exact, non-zero cell in a breakdown that involves the forced cell;
    failing that, take the "at least one" away from its "<3" neighbours."""
    totals = {g.total for g in groups}
    related = [g for g in groups if forced == g.total or forced in g.parts]
    candidates = {
        key
        for g in related
        for key in (g.total, *g.parts)
        if status[key] is Status.EXACT and values[key] > 0
    }
    if candidates:
        chosen = min(candidates, key=lambda k: (k in totals, values[k], k))
        status[chosen] = Status.BOUNDED if chosen in totals else Status.SECONDARY
        return
    for g in related:
        for key in (g.total, *g.parts):
            if status[key] is Status.SMALL:
                status[key] = Status.SECONDARY


def _text(value: int, status: Status, threshold: int, lower_bound: float) -> str:
    if status is Status.SMALL:
        return f"<{threshold + 1}"
    if status is Status.SECONDARY:
        return "*"
    if status is Status.BOUNDED:
        return f"{int(lower_bound)}+"
    return str(value)
