"""Retaliation is a linked case: marked when logged or later; seen only by a member who may
see both cases; noted in the records export."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.domain.models import Member
from slack_coc.read_models import cases as queries
from slack_coc.reports.records import record_rows
from slack_coc.services import conflicts
from slack_coc.services.retaliation import mark_retaliation
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT = "U0ANA0001", "U0BEN0002", "U0CAT0003"


def test_marked_later_shown_to_who_sees_both_and_noted_in_the_export(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    first = new_case(ctx, involved_names=["Someone"]).number
    second = new_case(ctx, involved_names=["Someone else"]).number
    with pytest.raises(InvalidInput, match="after"):
        mark_retaliation(ctx, actor(BEN), first, second)
    assert mark_retaliation(ctx, actor(BEN), second, f"#{first}") == first
    detail = queries.case_detail(ctx, actor(ANA), second, via="test")
    assert detail.links.retaliation_of == first
    earlier = queries.case_detail(ctx, actor(ANA), first, via="test")
    assert earlier.links.retaliated_by == (second,)
    # Cat recuses from the first case: she sees the second, without the link.
    conflicts.recuse(ctx, actor(CAT), first, "other", "I know them.")
    assert queries.case_detail(ctx, actor(CAT), second, via="test").links.retaliation_of is None
    with ctx.read() as s:
        rows = list(record_rows(s, TEAM))
        cat = s.scalars(select(Member).where(Member.user_id == CAT)).one()
        cat_rows = list(record_rows(s, TEAM, visible_to=cat))
    assert rows[-1][-1] == f"#{second} (retaliation against the reporter of #{first})"
    assert rows[0][-1] == f"#{first}"
    assert cat_rows[-1][-1] == f"#{second}"


def test_logged_as_retaliation_by_a_member_who_may_see_the_earlier_case(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    first = new_case(ctx, involved_names=["Someone"]).number
    linked = new_case(ctx, by=BEN, involved_names=["Other"], retaliation_of=first)
    assert (
        queries.case_detail(ctx, actor(ANA), linked.number, via="t").links.retaliation_of == first
    )
    with pytest.raises(InvalidInput):
        new_case(ctx, by=BEN, involved_names=["Other"], retaliation_of=99)
    with pytest.raises((InvalidInput, NotFound)):
        mark_retaliation(ctx, actor(BEN), linked.number, 99)
