"""Reports for the chairs only: hidden from every other member (lists, details, pages,
App Home, a member added later) until a chair opens the case to the group, with the members
it concerns recused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Member, Recusal
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.read_models import cases as queries
from slack_coc.services import cases, members
from slack_coc.services.chairs_only import chairs_of, open_to_group
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"
CHAIRS = {ANA, EVE}
OTHERS = (BEN, CAT, DAN)


def chairs_only_case(ctx: ServiceContext) -> int:
    add_roster(ctx)
    return new_case(ctx, by=BEN, reporter_user_id="U0OUT0777", chairs_only=True).number


def visible_numbers(ctx: ServiceContext, user: str) -> set[int]:
    return {v.number for v in queries.list_cases(ctx, actor(user))}


def test_only_the_chairs_see_it_and_are_paged(ctx: ServiceContext) -> None:
    number = chairs_only_case(ctx)
    for user in OTHERS:
        assert number not in visible_numbers(ctx, user)
        with pytest.raises(NotFound):
            queries.case_detail(ctx, actor(user), number, via="test")
        with pytest.raises(NotFound):
            cases.acknowledge(ctx, actor(user), number)
    for chair in CHAIRS:
        assert number in visible_numbers(ctx, chair)
    with ctx.read() as s:
        paged = {
            m.recipient
            for m in s.scalars(select(OutboxMessage))
            if m.payload.get("template") == "page_new_case"
        }
        case = s.scalars(select(Case)).one()
        assert chairs_of(s, TEAM, case.id) == [ANA, EVE]
    assert paged and paged <= CHAIRS
    cases.acknowledge(ctx, actor(ANA), number)


def test_a_member_added_later_does_not_see_it(ctx: ServiceContext) -> None:
    number = chairs_only_case(ctx)
    members.add_member(ctx, TEAM, "U0NEW0099", "Noor", chair=False)
    with ctx.transaction() as s:  # Noor has declared her conflicts: she sees the others
        noor = s.scalars(select(Member).where(Member.user_id == "U0NEW0099")).one()
        noor.conflicts_declared_at = ctx.clock.now()
    other = new_case(ctx, by=BEN).number
    assert visible_numbers(ctx, "U0NEW0099") == {other}
    with pytest.raises(NotFound):
        queries.case_detail(ctx, actor("U0NEW0099"), number, via="test")


def test_a_chair_opens_it_with_the_concerned_member_recused(ctx: ServiceContext) -> None:
    number = chairs_only_case(ctx)
    with pytest.raises(NotFound):
        open_to_group(ctx, actor(BEN), number, [])  # not a chair: it does not exist for Ben
    with pytest.raises(InvalidInput, match="not an active member"):
        open_to_group(ctx, actor(ANA), number, ["U0NOBODY1"])
    opened = open_to_group(ctx, actor(ANA), number, [CAT])
    assert opened == 2  # Ben and Dan
    assert number in visible_numbers(ctx, BEN) and number in visible_numbers(ctx, DAN)
    assert number not in visible_numbers(ctx, CAT)
    with pytest.raises(NotFound):
        queries.case_detail(ctx, actor(CAT), number, via="test")
    with ctx.read() as s:
        reasons = {r.reason for r in s.scalars(select(Recusal).where(Recusal.lifted_at.is_(None)))}
        event = s.scalars(select(CaseEvent).where(CaseEvent.kind == "opened_to_group")).one()
        assert s.scalars(select(Case)).one().chairs_only is False
    assert reasons == {"concerned"} and event.actor_user_id == ANA
    with pytest.raises(NotPermitted, match="already open"):
        open_to_group(ctx, actor(EVE), number, [])
