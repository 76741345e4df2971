"""App Home filters a team's open cases per member in Python (`OpenCases.visible_to`), read
once per refresh; everything else asks the database (`visible_cases_query`). The two rules
must give every member the same cases, in the same order, whatever the data."""

from __future__ import annotations

import random

from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import CaseState
from slack_coc.domain.models import Case, Member, Recusal
from slack_coc.read_models.home import home_data_in
from slack_coc.services.access import OpenCases, visible_cases_query, visible_to
from tests.conftest import START
from tests.factories import ROSTER, TEAM, add_roster, new_case

OTHER_TEAM = "T0OTHER0002"


def _mixed_cases(ctx: ServiceContext, seed: int) -> None:
    """Cases in every state, some chairs-only, some synthetic, some in another team, with
    recusals active and lifted."""
    rng = random.Random(seed)
    add_roster(ctx)
    add_roster(ctx, team=OTHER_TEAM, count=2)
    for i in range(24):
        new_case(ctx, team=OTHER_TEAM if i % 7 == 6 else TEAM)
    with ctx.transaction() as session:
        members = list(session.scalars(select(Member)))
        for case in session.scalars(select(Case)):
            case.state = rng.choice(list(CaseState)).value
            case.chairs_only = rng.random() < 0.3
            case.synthetic = rng.random() < 0.1
            for member in rng.sample(members, 2):
                if member.team_id != case.team_id or rng.random() < 0.4:
                    continue
                session.add(
                    Recusal(
                        team_id=case.team_id,
                        case_id=case.id,
                        member_id=member.id,
                        reason="conflict",
                        declared_at=START,
                        lifted_at=START if rng.random() < 0.3 else None,
                    )
                )


def test_open_cases_in_python_match_the_query_for_every_member(ctx: ServiceContext) -> None:
    for seed in range(3):
        _mixed_cases(ctx, seed) if seed == 0 else _reshuffle(ctx, seed)
        with ctx.read() as session:
            open_cases = OpenCases.read(session, TEAM)
            members = list(session.scalars(select(Member).where(Member.team_id == TEAM)))
            shown = 0
            for member in members:
                query = visible_cases_query(chair=member.is_chair).order_by(Case.number.desc())
                expected = [c.id for c in session.scalars(query, visible_to(member))]
                assert [r.id for r in open_cases.visible_to(member)] == expected, member.name
                shown += len(expected)
            recusing = {m for m, ids in open_cases.recused.items() if ids}
            assert shown and recusing, "the data exercised neither rule"


def _reshuffle(ctx: ServiceContext, seed: int) -> None:
    rng = random.Random(seed)
    with ctx.transaction() as session:
        for case in session.scalars(select(Case)):
            case.state = rng.choice(list(CaseState)).value
            case.chairs_only = rng.random() < 0.3
        for recusal in session.scalars(select(Recusal)):
            recusal.lifted_at = START if rng.random() < 0.3 else None


def test_app_home_counts_and_lists_what_the_member_may_see(ctx: ServiceContext) -> None:
    _mixed_cases(ctx, 7)
    with ctx.read() as session:
        for user_id, name, _chair in ROSTER:
            member = session.scalar(select(Member).where(Member.user_id == user_id))
            assert member is not None
            query = visible_cases_query(chair=member.is_chair).order_by(Case.number.desc())
            expected = [c.number for c in session.scalars(query, visible_to(member))]
            home = home_data_in(session, TEAM, user_id, START, ctx.policy)
            assert home.open_total == len(expected), name
            assert [v.number for v in home.open_cases] == expected[:25], name
