"""Anonymised transparency statistics per period (docs/process.md "Transparency"), by date received.

Every figure is one SQL aggregate over the period's cases; no case is loaded into Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from slack_coc.config import DEFAULT_VIOLATION_TYPES
from slack_coc.domain.decision_models import Proposal, ProposedOutcome
from slack_coc.domain.enums import Outcome, PartyRole, ResolutionSource
from slack_coc.domain.models import Case, Party
from slack_coc.reports.periods import Period
from slack_coc.reports.suppression import Group, Shown, suppress
from slack_coc.services.outcomes import DECISIVE, OUTCOME_COLUMNS, Synthetic, counted

TRANSPARENCY_COLUMNS = (
    "Reports",
    "People Named",
    "Actions (DSF)",
    "Actions (Local)",
    *OUTCOME_COLUMNS,
)
_UNRESOLVED = "_reports_unresolved"
_UNDECIDED = "_people_undecided"


def type_key(outcome: Outcome) -> str:
    """The cell of the "types of violations" table; an outcome that is a published column on
    its own shares that column's cell, so both tables always show the same thing."""
    for column, outcomes in OUTCOME_COLUMNS.items():
        if outcomes == (outcome,):
            return column
    return f"type:{outcome.value}"


def month_key(label: str) -> str:
    return f"month:{label}"


def violation_key(kind: str) -> str:
    return f"violation:{kind}"


@dataclass(frozen=True)
class Durations:
    """Time from receipt to an event, in hours, over the cases that reached it."""

    count: int
    average_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class PeriodStats:
    period: Period
    values: dict[str, int]
    first_response: Durations
    resolution: Durations
    shown: dict[str, Shown]
    # The kinds of behaviour counted (policy `violation_types`, then any kind recorded
    # under an older policy), in the order the report lists them.
    violation_types: tuple[str, ...] = ()

    @property
    def months(self) -> list[str]:
        return [label for label, _s, _e in self.period.months()]


@dataclass(frozen=True)
class TransparencyReport:
    current: PeriodStats
    previous: PeriodStats
    threshold: int


def transparency_report(
    session: Session,
    team_id: str,
    period: Period,
    *,
    threshold: int,
    include_synthetic: Synthetic = False,
    violation_types: Sequence[str] = DEFAULT_VIOLATION_TYPES,
) -> TransparencyReport:
    current = period_stats(session, team_id, period, threshold, include_synthetic, violation_types)
    previous = period_stats(
        session, team_id, period.previous(), threshold, include_synthetic, violation_types
    )
    # Both periods list the same kinds, so the table's rows line up.
    kinds = tuple(dict.fromkeys(current.violation_types + previous.violation_types))
    return TransparencyReport(
        current=_with_kinds(current, kinds, threshold),
        previous=_with_kinds(previous, kinds, threshold),
        threshold=threshold,
    )


def _with_kinds(stats: PeriodStats, kinds: tuple[str, ...], threshold: int) -> PeriodStats:
    missing = {violation_key(k): 0 for k in kinds if violation_key(k) not in stats.values}
    if not missing:
        return replace(stats, violation_types=kinds)
    shown = {**stats.shown, **suppress(missing, [], threshold)}
    return replace(stats, values={**stats.values, **missing}, shown=shown, violation_types=kinds)


def period_stats(
    session: Session,
    team_id: str,
    period: Period,
    threshold: int,
    include_synthetic: Synthetic,
    violation_types: Sequence[str] = DEFAULT_VIOLATION_TYPES,
) -> PeriodStats:
    in_period = and_(
        Case.team_id == team_id,
        counted(include_synthetic),
        Case.received_at >= period.start,
        Case.received_at < period.end,
    )
    values, first_response, resolution = _case_counts(session, in_period, period)
    values.update(_people_counts(session, in_period))
    kinds = _violation_counts(session, in_period, violation_types)
    values.update({violation_key(k): n for k, n in kinds.items()})
    values[_UNRESOLVED] = values["Reports"] - values["Actions (DSF)"] - values["Actions (Local)"]
    groups = [
        Group("Reports", [month_key(m) for m, _s, _e in period.months()]),
        Group("Reports", ["Actions (DSF)", "Actions (Local)"], [_UNRESOLVED]),
        Group("People Named", list(OUTCOME_COLUMNS), [_UNDECIDED]),
        *(
            Group(column, [type_key(o) for o in outcomes])
            for column, outcomes in OUTCOME_COLUMNS.items()
            if len(outcomes) > 1
        ),
    ]
    return PeriodStats(
        period=period,
        values=values,
        first_response=first_response,
        resolution=resolution,
        # A person may have several kinds of behaviour: the kinds are no breakdown of a
        # total, so each cell stands alone (small counts suppressed like every other).
        shown=suppress(values, groups, threshold),
        violation_types=tuple(kinds),
    )


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _case_counts(
    session: Session, in_period: ColumnElement[bool], period: Period
) -> tuple[dict[str, int], Durations, Durations]:
    """Every per-case figure in one scan: counts, months, and the averages and counts of the
    two response times (their medians need a sort each, below)."""
    resolved = Case.resolved_at.is_not(None)
    months = period.months()
    to_ack = _seconds_between(session, Case.acknowledged_at, Case.received_at)
    to_resolve = _seconds_between(session, Case.resolved_at, Case.received_at)
    columns = [
        func.count(Case.id),
        _count_if(
            and_(
                resolved,
                Case.resolution_source.in_(
                    (ResolutionSource.WG.value, ResolutionSource.BOARD.value)
                ),
            )
        ),
        _count_if(and_(resolved, Case.resolution_source == ResolutionSource.LOCAL.value)),
        func.count(Case.acknowledged_at),
        func.avg(to_ack),
        func.count(Case.resolved_at),
        func.avg(to_resolve),
        *(_count_if(and_(Case.received_at >= s, Case.received_at < e)) for _m, s, e in months),
    ]
    row = session.execute(select(*columns).where(in_period)).one()
    values = {"Reports": int(row[0]), "Actions (DSF)": int(row[1]), "Actions (Local)": int(row[2])}
    for (label, _s, _e), count in zip(months, row[7:], strict=True):
        values[month_key(label)] = int(count)
    first_response = _durations(session, in_period, Case.acknowledged_at, to_ack, row[3], row[4])
    resolution = _durations(session, in_period, Case.resolved_at, to_resolve, row[5], row[6])
    return values, first_response, resolution


def _decisive(in_period: ColumnElement[bool]) -> Any:
    """The latest decisive proposal of each of the period's decided cases."""
    return (
        select(func.max(Proposal.id).label("proposal_id"))
        .join(Case, Case.id == Proposal.case_id)
        .where(in_period, Case.decided_at.is_not(None), Proposal.status.in_(DECISIVE))
        .group_by(Proposal.case_id)
        .subquery()
    )


def _violation_counts(
    session: Session, in_period: ColumnElement[bool], kinds: Sequence[str]
) -> dict[str, int]:
    """Reported people per kind of behaviour in the decided outcomes. The kinds are a JSON
    list per outcome (no portable SQL aggregate): only those lists are read, never a case."""
    decisive = _decisive(in_period)
    counts: dict[str, int] = dict.fromkeys(kinds, 0)
    for recorded in session.scalars(
        select(ProposedOutcome.violation_types).join(
            decisive, decisive.c.proposal_id == ProposedOutcome.proposal_id
        )
    ):
        for kind in set(recorded or []):
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _people_counts(session: Session, in_period: ColumnElement[bool]) -> dict[str, int]:
    """Reported people in the period, and the decided outcome of each: the outcomes of each
    case's latest decisive proposal (the group-by is limited to the period's cases)."""
    named = session.scalar(
        select(func.count(Party.id))
        .join(Case, Case.id == Party.case_id)
        .where(in_period, Party.role == PartyRole.REPORTED.value)
    )
    decisive = _decisive(in_period)
    per_outcome: dict[str, int] = {
        outcome: int(count)
        for outcome, count in session.execute(
            select(ProposedOutcome.outcome, func.count())
            .join(decisive, decisive.c.proposal_id == ProposedOutcome.proposal_id)
            .group_by(ProposedOutcome.outcome)
        )
    }
    values: dict[str, int] = {"People Named": int(named or 0)}
    for outcome in Outcome:
        values[type_key(outcome)] = per_outcome.get(outcome.value, 0)
    for column, outcomes in OUTCOME_COLUMNS.items():
        values[column] = sum(per_outcome.get(o.value, 0) for o in outcomes)
    decided = sum(values[column] for column in OUTCOME_COLUMNS)
    values[_UNDECIDED] = values["People Named"] - decided
    return values


def _seconds_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def _durations(
    session: Session,
    in_period: ColumnElement[bool],
    reached: Any,
    seconds: Any,
    count: Any,
    average: Any,
) -> Durations:
    count = int(count or 0)
    if count == 0:
        return Durations(0, None, None)
    # Median without loading the column: the middle one or two values by OFFSET.
    middle = session.execute(
        select(seconds.label("s"))
        .where(and_(in_period, reached.is_not(None)))
        .order_by(seconds)
        .offset((count - 1) // 2)
        .limit(1 if count % 2 else 2)
    ).scalars()
    middle_values = [float(v) for v in middle]
    median = sum(middle_values) / len(middle_values)
    return Durations(count, float(average) / 3600.0, median / 3600.0)
