"""What a person's App Home shows: read inside a session so the outbox `home` handler and
the `app_home_opened` listener share it. Only case numbers, code names, states, deadlines,
flags and on-call user ids: nothing from a report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.models import Case, Member
from slack_coc.domain.rota_models import Absence
from slack_coc.read_models.case_views import CaseView, case_views
from slack_coc.services import rota_feed
from slack_coc.services.access import OpenCases, visible_cases_query, visible_to
from slack_coc.services.rota import week_at

HOME_CASE_LIMIT = 25  # App Home holds 100 blocks; the rest is one `/coc list` away


# A member who has not declared their conflicts sees only the code names to declare against.
_TO_DECLARE = {
    chair: visible_cases_query(chair=chair)
    .with_only_columns(Case.number, Case.code_name)
    .order_by(Case.number)
    .limit(HOME_CASE_LIMIT)
    for chair in (True, False)
}
_ACTIVE_MEMBERS = (
    select(Member)
    .where(Member.team_id == bindparam("team_id"), Member.active.is_(True))
    .order_by(Member.id)
)
_AWAY = (
    select(Absence.member_id, Absence.starts_on, Absence.ends_on)
    .where(Absence.team_id == bindparam("team_id"), Absence.ends_on >= bindparam("today"))
    .order_by(Absence.starts_on)
)
AWAY_SHOWN = 5


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
    the feed link, the team's open cases and the views of cases already made for another
    member."""

    this_week: OncallPair | None
    next_week: OncallPair | None
    feed: str | None
    open_cases: OpenCases
    members: dict[str, Member]  # active members by Slack user id
    away: dict[int, list[tuple[date, date]]]  # by member id: today or later, soonest first
    views: dict[int, CaseView] = field(default_factory=dict)

    def case_views_for(self, session: Session, case_ids: list[int]) -> dict[int, CaseView]:
        """The views made so far, `case_ids` among them: those no other member's Home made
        are made in one batch."""
        unseen = list({i for i in case_ids if i not in self.views})
        if unseen:
            cases = session.scalars(_CASES, {"ids": unseen})
            self.views.update((v.id, v) for v in case_views(session, list(cases)))
        return self.views


_CASES = select(Case).where(Case.id.in_(bindparam("ids", expanding=True)))


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
    user_ids: Iterable[str] | None,
    now: datetime,
    policy: Policy,
    *,
    public_url: str | None = None,
) -> Iterator[HomeData]:
    """The App Home of each of `user_ids` (None: every active member), in turn. A change to a
    case republishes every member's Home: what they share is read once, and a case's view
    is made once."""
    shared = _Shared(
        this_week=_pair(session, team_id, now, policy),
        next_week=_pair(session, team_id, now + timedelta(days=7), policy),
        feed=rota_feed.feed_link(public_url, rota_feed.feed_path_in(session, team_id)),
        open_cases=OpenCases.read(session, team_id),
        members={m.user_id: m for m in session.scalars(_ACTIVE_MEMBERS, {"team_id": team_id})},
        away=_away(session, team_id, now.date()),
    )
    for user_id in list(shared.members) if user_ids is None else user_ids:
        yield _home_data(session, user_id, shared)


def _home_data(session: Session, user_id: str, shared: _Shared) -> HomeData:
    member = shared.members.get(user_id)
    if member is None:
        return HomeData(user_id=user_id, is_member=False)
    if member.conflicts_declared_at is None:
        # Never a case they are recused from (one that names them): not even its code name.
        rows = session.execute(_TO_DECLARE[member.is_chair], visible_to(member))
        return HomeData(
            user_id=user_id,
            is_member=True,
            onboarded=False,
            to_declare=[(n, c) for n, c in rows],
            this_week=shared.this_week,
            next_week=shared.next_week,
        )
    visible, me = shared.open_cases.visible_to(member), member.id
    mine = [c.id for c in visible if me in (c.shepherd_id, c.first_responder_id)]
    views = shared.case_views_for(
        session, [c.id for c in visible[:HOME_CASE_LIMIT]] + mine[:HOME_CASE_LIMIT]
    )
    return HomeData(
        user_id=user_id,
        is_member=True,
        my_cases=[views[i] for i in mine[:HOME_CASE_LIMIT]],
        open_cases=[views[c.id] for c in visible[:HOME_CASE_LIMIT]],
        open_total=len(visible),
        always_warn=member.always_warn,
        away=shared.away.get(me, [])[:AWAY_SHOWN],
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


def _away(session: Session, team_id: str, today: date) -> dict[int, list[tuple[date, date]]]:
    away: dict[int, list[tuple[date, date]]] = {}
    for member_id, starts_on, ends_on in session.execute(
        _AWAY, {"team_id": team_id, "today": today}
    ):
        away.setdefault(member_id, []).append((starts_on, ends_on))
    return away


def _pair(session: Session, team_id: str, at: datetime, policy: Policy) -> OncallPair | None:
    week = week_at(session, team_id, at, policy)
    if week is None:
        return None
    return OncallPair(week.starts_at, week.primary.user_id, week.secondary.user_id)
