"""The weekly on-call rota: queries shared by paging, the App Home and `/coc oncall`, and
the operator's commands (generate, set, show, absences).

A duty week starts at the handover instant (Monday 12:00 UTC by default, policy
`handover_weekday` / `handover_hour_utc`) and lasts seven days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.domain.models import Member
from slack_coc.domain.rota_models import Absence, OncallWeek
from slack_coc.services.access import require_member
from slack_coc.services.timeline import refresh_homes

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEK = timedelta(days=7)


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


def handover_instant(day: date, policy: Policy) -> datetime:
    """The handover instant on `day`, which must be the handover weekday."""
    if day.weekday() != policy.handover_weekday:
        raise InvalidInput(
            f"{day.isoformat()} is a {WEEKDAYS[day.weekday()]}: duty weeks start on "
            f"{WEEKDAYS[policy.handover_weekday]} at {policy.handover_hour_utc:02d}:00 UTC.",
            field="date",
        )
    return datetime.combine(day, time(policy.handover_hour_utc), tzinfo=UTC)


@dataclass(frozen=True)
class WeekView:
    starts_at: datetime
    primary_user_id: str
    secondary_user_id: str

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + WEEK


def week_view(week: OncallWeek) -> WeekView:
    return WeekView(week.starts_at, week.primary.user_id, week.secondary.user_id)


def is_away(absences: list[Absence], member_id: int, first: date, last: date) -> bool:
    """Whether the member is away on any day from `first` to `last` inclusive."""
    return any(
        a.member_id == member_id and a.starts_on <= last and a.ends_on >= first for a in absences
    )


def away_member_ids(session: Session, team_id: str, on: date) -> set[int]:
    rows = session.scalars(
        select(Absence.member_id).where(
            Absence.team_id == team_id, Absence.starts_on <= on, Absence.ends_on >= on
        )
    )
    return set(rows)


def rota_members(session: Session, team_id: str) -> list[Member]:
    """Who can be on call: active members who have declared their conflicts."""
    rows = session.scalars(
        select(Member)
        .where(
            Member.team_id == team_id,
            Member.active.is_(True),
            Member.conflicts_declared_at.is_not(None),
        )
        .order_by(Member.id)
    )
    return list(rows)


def _member(session: Session, team_id: str, user_id: str, field: str) -> Member:
    member = session.scalar(
        select(Member).where(
            Member.team_id == team_id, Member.user_id == user_id, Member.active.is_(True)
        )
    )
    if member is None:
        raise InvalidInput(f"{user_id} is not an active member of the working group.", field)
    return member


@dataclass(frozen=True)
class GenerateResult:
    written: list[WeekView]
    kept: list[WeekView]


def generate(
    ctx: ServiceContext, team_id: str, start: date, weeks: int, *, replace: bool = False
) -> GenerateResult:
    """Fill `weeks` duty weeks from the one starting on `start`, round-robin over the
    members available that week: the least loaded (then least recently on duty) member
    becomes primary, never the previous week's primary; the next becomes secondary.
    Weeks already set are kept unless `replace` (a swap agreed by hand is not undone)."""
    if not 1 <= weeks <= 104:
        raise InvalidInput("--weeks must be between 1 and 104.", field="weeks")
    policy = ctx.policy
    first = handover_instant(start, policy)
    with ctx.transaction() as session:
        members = rota_members(session, team_id)
        if len(members) < 2:
            raise InvalidInput(
                "The rota needs at least two active members who have declared their conflicts.",
                field="members",
            )
        absences = list(session.scalars(select(Absence).where(Absence.team_id == team_id)))
        existing = {
            w.starts_at: w
            for w in session.scalars(select(OncallWeek).where(OncallWeek.team_id == team_id))
        }
        order = {m.id: i for i, m in enumerate(members)}
        load = {m.id: 0 for m in members}
        primaries = {m.id: 0 for m in members}
        last_on = {m.id: -1.0 for m in members}
        for w in sorted(existing.values(), key=lambda w: w.starts_at):
            if w.starts_at < first:  # history balances the future
                for mid in (w.primary_id, w.secondary_id):
                    if mid in load:
                        load[mid] += 1
                        last_on[mid] = w.starts_at.timestamp()
                if w.primary_id in primaries:
                    primaries[w.primary_id] += 1
        previous = existing.get(first - WEEK)
        previous_primary = previous.primary_id if previous else None
        result = GenerateResult([], [])
        for index in range(weeks):
            starts = first + WEEK * index
            week = existing.get(starts)
            if week is not None and not replace:
                result.kept.append(week_view(week))
                previous_primary = week.primary_id
                continue
            days = (starts.date(), (starts + WEEK - timedelta(seconds=1)).date())
            available = [m for m in members if not is_away(absences, m.id, *days)]
            if len(available) < 2:
                raise InvalidInput(
                    f"Fewer than two members are available in the week of {starts:%Y-%m-%d}.",
                    field="members",
                )

            def rank(m: Member, by_primary: bool) -> tuple[float, ...]:
                return (
                    load[m.id],
                    primaries[m.id] if by_primary else 0,
                    last_on[m.id],
                    order[m.id],
                )

            primary = min(
                [m for m in available if m.id != previous_primary] or available,
                key=lambda m: rank(m, True),
            )
            secondary = min(
                (m for m in available if m.id != primary.id), key=lambda m: rank(m, False)
            )
            if week is None:
                week = OncallWeek(team_id=team_id, starts_at=starts)
                session.add(week)
            week.primary, week.secondary = primary, secondary
            for m in (primary, secondary):
                load[m.id] += 1
                last_on[m.id] = starts.timestamp()
            primaries[primary.id] += 1
            previous_primary = primary.id
            session.flush()
            result.written.append(week_view(week))
        refresh_homes(session, team_id, ctx.clock.now())
        return result


def set_week(
    ctx: ServiceContext, team_id: str, day: date, primary_user_id: str, secondary_user_id: str
) -> WeekView:
    """Set (or change) the pair of the week whose handover instant is on `day`."""
    starts = handover_instant(day, ctx.policy)
    if primary_user_id == secondary_user_id:
        raise InvalidInput("The primary and the secondary must be two people.", "secondary")
    with ctx.transaction() as session:
        primary = _member(session, team_id, primary_user_id, "primary")
        secondary = _member(session, team_id, secondary_user_id, "secondary")
        week = session.scalar(
            select(OncallWeek)
            .where(OncallWeek.team_id == team_id, OncallWeek.starts_at == starts)
            .with_for_update()
        )
        if week is None:
            week = OncallWeek(team_id=team_id, starts_at=starts)
            session.add(week)
        week.primary, week.secondary = primary, secondary
        session.flush()
        refresh_homes(session, team_id, ctx.clock.now())
        return week_view(week)


def show(
    ctx: ServiceContext, team_id: str, *, weeks: int = 8, start: datetime | None = None
) -> list[WeekView]:
    """Duty weeks from the current one (or the one containing `start`) onwards."""
    first = week_start(start or ctx.clock.now(), ctx.policy)
    with ctx.read() as session:
        rows = session.scalars(
            select(OncallWeek)
            .where(
                OncallWeek.team_id == team_id,
                OncallWeek.starts_at >= first,
                OncallWeek.starts_at < first + WEEK * weeks,
            )
            .order_by(OncallWeek.starts_at)
        )
        return [week_view(w) for w in rows]


def this_and_next(ctx: ServiceContext, team_id: str) -> tuple[WeekView | None, WeekView | None]:
    """This week's and next week's pair (App Home, `/coc oncall`)."""
    first = week_start(ctx.clock.now(), ctx.policy)
    by_start = {w.starts_at: w for w in show(ctx, team_id, weeks=2)}
    return by_start.get(first), by_start.get(first + WEEK)


@dataclass(frozen=True)
class AbsenceView:
    user_id: str
    starts_on: date
    ends_on: date


def add_absence(
    ctx: ServiceContext, team_id: str, user_id: str, starts_on: date, ends_on: date
) -> AbsenceView:
    """Mark a member away: rota generation skips them and paging passes them over."""
    if ends_on < starts_on:
        raise InvalidInput("The absence ends before it starts.", field="to")
    with ctx.transaction() as session:
        member = _member(session, team_id, user_id, "user_id")
        session.add(
            Absence(team_id=team_id, member_id=member.id, starts_on=starts_on, ends_on=ends_on)
        )
        return AbsenceView(user_id, starts_on, ends_on)


def mark_away(ctx: ServiceContext, actor: Actor, starts_on: date, ends_on: date) -> AbsenceView:
    """A member marks themself away (App Home): paging passes them over, the rota skips them,
    the handover reminder says so. Their own App Home shows it."""
    if starts_on < ctx.clock.now().date():
        raise InvalidInput("The absence can't start in the past.", field="from")
    if ends_on < starts_on:
        raise InvalidInput("The absence ends before it starts.", field="to")
    with ctx.transaction() as session:
        member = require_member(session, actor)
        session.add(
            Absence(
                team_id=member.team_id, member_id=member.id, starts_on=starts_on, ends_on=ends_on
            )
        )
        refresh_homes(session, member.team_id, ctx.clock.now())
        return AbsenceView(member.user_id, starts_on, ends_on)


def list_absences(ctx: ServiceContext, team_id: str) -> list[AbsenceView]:
    today = ctx.clock.now().date()
    with ctx.read() as session:
        rows = session.execute(
            select(Member.user_id, Absence.starts_on, Absence.ends_on)
            .join(Member, Member.id == Absence.member_id)
            .where(Absence.team_id == team_id, Absence.ends_on >= today)
            .order_by(Absence.starts_on)
        )
        return [AbsenceView(u, s, e) for u, s, e in rows]


def weeks_with(ctx: ServiceContext, team_id: str, user_id: str) -> list[tuple[WeekView, str]]:
    """The current and future weeks where the member is on duty, with their slot."""
    with ctx.read() as session:
        member = session.scalar(
            select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
        )
        if member is None:
            raise NotFound(f"{user_id} is not a member.")
    return [
        (w, "primary" if w.primary_user_id == user_id else "secondary")
        for w in show(ctx, team_id, weeks=52)
        if user_id in (w.primary_user_id, w.secondary_user_id)
    ]
