"""What a person's App Home shows: read inside a session so the outbox `home` handler and
the `app_home_opened` listener share it. Only case numbers, code names, states, deadlines,
flags and on-call user ids: nothing from a report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import BindParameter, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.models import Case, Member
from slack_coc.domain.rota_models import Absence
from slack_coc.read_models.case_views import CaseView, case_views
from slack_coc.services import rota_feed
from slack_coc.services.access import find_member, visible_cases_query, visible_to
from slack_coc.services.rota import week_at

HOME_CASE_LIMIT = 25  # App Home holds 100 blocks; the rest is one `/coc list` away


@dataclass(frozen=True)
class _HomeQueries:
    """A member's Home is four reads of the cases they may see. A change to a case republishes
    every member's Home: the statements are built once (building one costs more CPU than
    SQLite takes to run it), for a chair and for a member, and run with `visible_to`."""

    to_declare: Select[int, str]
    open_total: Select[int]
    open_cases: Select[Case]
    mine: Select[Case]

    @classmethod
    def build(cls, chair: bool) -> _HomeQueries:
        visible = visible_cases_query(chair=chair)
        member_id: BindParameter[int] = bindparam("member_id")
        return cls(
            to_declare=visible.with_only_columns(Case.number, Case.code_name)
            .order_by(Case.number)
            .limit(HOME_CASE_LIMIT),
            open_total=select(func.count()).select_from(visible.subquery()),
            open_cases=visible.order_by(Case.number.desc()).limit(HOME_CASE_LIMIT),
            mine=visible.where(
                or_(Case.shepherd_id == member_id, Case.first_responder_id == member_id)
            )
            .order_by(Case.number.desc())
            .limit(HOME_CASE_LIMIT),
        )


_QUERIES = {chair: _HomeQueries.build(chair) for chair in (True, False)}
_AWAY = (
    select(Absence)
    .where(Absence.member_id == bindparam("member_id"), Absence.ends_on >= bindparam("today"))
    .order_by(Absence.starts_on)
    .limit(5)
)


@dataclass(frozen=True)
class OncallPair:
    starts_at: datetime
    primary_user_id: str
    secondary_user_id: str


@dataclass(frozen=True)
class HomeData:
    user_id: str
    is_member: bool
    onboarded: bool = True
    to_declare: list[tuple[int, str]] = field(default_factory=list)  # (number, code name)
    my_cases: list[CaseView] = field(default_factory=list)
    open_cases: list[CaseView] = field(default_factory=list)
    open_total: int = 0
    this_week: OncallPair | None = None
    next_week: OncallPair | None = None
    always_warn: bool = False  # content warnings: see every report's warning step first
    # The member's own absences, today or later: (first day, last day).
    away: list[tuple[date, date]] = field(default_factory=list)
    # The rota's calendar feed, as the member is shown it (`rota_feed.feed_link`).
    feed: str | None = None


@dataclass
class _Shared:
    """What every member's App Home shows alike, read once per refresh: the on-call pairs,
    the feed link and the views of cases already read for another member."""

    this_week: OncallPair | None
    next_week: OncallPair | None
    feed: str | None
    views: dict[int, CaseView] = field(default_factory=dict)


def home_data_in(
    session: Session,
    team_id: str,
    user_id: str,
    now: datetime,
    policy: Policy,
    *,
    public_url: str | None = None,
) -> HomeData:
    return next(homes_data_in(session, team_id, [user_id], now, policy, public_url=public_url))


def homes_data_in(
    session: Session,
    team_id: str,
    user_ids: Iterable[str],
    now: datetime,
    policy: Policy,
    *,
    public_url: str | None = None,
) -> Iterator[HomeData]:
    """The App Home of each of `user_ids`, in turn. A change to a case republishes every
    member's Home: what they share is read once, and a case's view is made once."""
    shared = _Shared(
        this_week=_pair(session, team_id, now, policy),
        next_week=_pair(session, team_id, now + timedelta(days=7), policy),
        feed=rota_feed.feed_link(public_url, rota_feed.feed_path_in(session, team_id)),
    )
    for user_id in user_ids:
        yield _home_data(session, team_id, user_id, now, shared)


def _home_data(
    session: Session, team_id: str, user_id: str, now: datetime, shared: _Shared
) -> HomeData:
    member = find_member(session, team_id, user_id)
    if member is None:
        return HomeData(user_id=user_id, is_member=False)
    queries, params = _QUERIES[member.is_chair], visible_to(member)
    if member.conflicts_declared_at is None:
        # Never a case they are recused from (one that names them): not even its code name.
        rows = session.execute(queries.to_declare, params)
        return HomeData(
            user_id=user_id,
            is_member=True,
            onboarded=False,
            to_declare=[(n, c) for n, c in rows],
            this_week=shared.this_week,
            next_week=shared.next_week,
        )
    open_total = session.scalar(queries.open_total, params) or 0
    open_cases = list(session.scalars(queries.open_cases, params))
    mine = list(session.scalars(queries.mine, params))
    unseen = {c.id: c for c in open_cases + mine if c.id not in shared.views}
    shared.views.update((v.id, v) for v in case_views(session, list(unseen.values())))
    return HomeData(
        user_id=user_id,
        is_member=True,
        my_cases=[shared.views[c.id] for c in mine],
        open_cases=[shared.views[c.id] for c in open_cases],
        open_total=open_total,
        always_warn=member.always_warn,
        away=[
            (a.starts_on, a.ends_on)
            for a in session.scalars(_AWAY, {"member_id": member.id, "today": now.date()})
        ],
        this_week=shared.this_week,
        next_week=shared.next_week,
        feed=shared.feed,
    )


def home_data(ctx: ServiceContext, actor: Actor) -> HomeData:
    with ctx.read() as session:
        return home_data_in(
            session,
            actor.team_id,
            actor.user_id or "",
            ctx.clock.now(),
            ctx.policy,
            public_url=ctx.public_url,
        )


def home_recipients(session: Session, team_id: str) -> list[str]:
    """Whose App Home a team-wide `home` intent republishes: every active member."""
    return list(
        session.scalars(
            select(Member.user_id)
            .where(Member.team_id == team_id, Member.active.is_(True))
            .order_by(Member.id)
        )
    )


def _pair(session: Session, team_id: str, at: datetime, policy: Policy) -> OncallPair | None:
    week = week_at(session, team_id, at, policy)
    if week is None:
        return None
    return OncallPair(week.starts_at, week.primary.user_id, week.secondary.user_id)
