"""A stale shepherd step (services/shepherds.py): refused with who has the case and since
when, nothing written; a recused member is never named; a typed command names whom it wants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import Conflict
from slack_coc.domain.models import CaseEvent
from slack_coc.services import cases, conflicts
from slack_coc.services.shepherds import ago
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0EVE0005"


def _events(ctx: ServiceContext) -> int:
    with ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


def test_take_on_a_taken_case_says_who_and_when_and_changes_nothing(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    n = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), n)
    cases.assign_shepherd(ctx, actor(BEN), n)
    clock.advance(minutes=2)
    written = _events(ctx)
    with pytest.raises(Conflict, match=rf"<@{BEN}> took this case 2 minutes ago"):
        cases.assign_shepherd(ctx, actor(CAT), n)
    # Nominating someone from a form that saw no shepherd is just as stale.
    with pytest.raises(Conflict, match="took this case"):
        cases.assign_shepherd(ctx, actor(CAT), n, EVE)
    assert _events(ctx) == written
    # A change from a form that saw Ben goes ahead; one that saw nobody or Eve is refused.
    cases.assign_shepherd(ctx, actor(ANA), n, CAT, seen_shepherd=BEN, reason="Ben is away")
    clock.advance(hours=3)
    with pytest.raises(Conflict, match=rf"<@{ANA}> made <@{CAT}> its shepherd 3 hours ago"):
        cases.assign_shepherd(ctx, actor(EVE), n, EVE, seen_shepherd=BEN)
    # A typed command naming a member says whom it wants, whoever shepherds now.
    cases.assign_shepherd(ctx, actor(EVE), n, EVE, seen_shepherd=cases.ANY_SHEPHERD)


def test_a_member_recused_since_is_not_named(ctx: ServiceContext) -> None:
    """(Recusing the shepherd ends their shepherding; the member who named them stays.)"""
    add_roster(ctx)
    n = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), n)
    cases.assign_shepherd(ctx, actor(ANA), n, BEN)
    conflicts.recuse(ctx, actor(ANA), n, "personal_relationship", "")
    with pytest.raises(Conflict) as refused:
        cases.assign_shepherd(ctx, actor(CAT), n)
    assert f"another member made <@{BEN}> its shepherd" in str(refused.value)
    assert ANA not in str(refused.value)


def test_ago_counts_whole_units() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert ago(now, now) == "a moment ago"
    assert ago(now - timedelta(seconds=61), now) == "1 minute ago"
    assert ago(now - timedelta(minutes=59), now) == "59 minutes ago"
    assert ago(now - timedelta(hours=25), now) == "1 day ago"
