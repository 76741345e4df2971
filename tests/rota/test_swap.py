"""Swapping on-call weeks: service rules, and the whole exchange over HTTP (request from
Slack, accept from the DM, the rota updated, both told)."""

from __future__ import annotations

from datetime import date

import pytest

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import Conflict, InvalidInput, NotFound, NotPermitted
from slack_coc.services import rota
from slack_coc.services.rota_swap import answer_swap, request_swap
from slack_coc.slack.blocks.rota_messages import SWAP_ACCEPT
from tests.conftest import actor
from tests.e2e.conftest import (  # noqa: F401
    CHANNEL,
    app_server,
    build_server,
    e2e_runtime,
    e2e_settings,
)
from tests.e2e.harness import AppServer
from tests.e2e.test_case_flow_e2e import ANA, BEN, CAT, DAN, reply_after
from tests.factories import TEAM, add_roster

W1, W2 = date(2026, 11, 23), date(2026, 11, 30)


def pairs(ctx: ServiceContext) -> list[tuple[str, str]]:
    return [(w.primary_user_id, w.secondary_user_id) for w in rota.show(ctx, TEAM)[:2]]


def test_a_swap_exchanges_the_slots_once_accepted(ctx: ServiceContext) -> None:
    add_roster(ctx)
    rota.set_week(ctx, TEAM, W1, ANA, BEN)
    rota.set_week(ctx, TEAM, W2, CAT, DAN)
    view = request_swap(ctx, actor(BEN), CAT, W1, W2)
    assert (view.requester_slot, view.other_slot) == ("secondary", "primary")
    assert pairs(ctx) == [(ANA, BEN), (CAT, DAN)]  # nothing changes before an answer
    with pytest.raises(NotPermitted):
        answer_swap(ctx, actor(DAN), view.request_id, accept=True)
    answer_swap(ctx, actor(CAT), view.request_id, accept=True)
    assert pairs(ctx) == [(ANA, CAT), (BEN, DAN)]
    with pytest.raises(Conflict, match="already answered"):
        answer_swap(ctx, actor(CAT), view.request_id, accept=False)


def test_refusals_say_why(ctx: ServiceContext) -> None:
    add_roster(ctx)
    rota.set_week(ctx, TEAM, W1, ANA, BEN)
    rota.set_week(ctx, TEAM, W2, CAT, ANA)
    with pytest.raises(InvalidInput, match="not yourself"):
        request_swap(ctx, actor(ANA), ANA, W1, W2)
    with pytest.raises(NotFound, match="not on call"):
        request_swap(ctx, actor(BEN), DAN, W1, W2)
    with pytest.raises(Conflict, match="other slot"):
        request_swap(ctx, actor(BEN), ANA, W1, W2)  # Ana would hold both slots of week 1
    with pytest.raises(InvalidInput, match="both on call"):
        request_swap(ctx, actor(BEN), ANA, W1, W1)


def test_a_declined_or_outdated_swap_changes_nothing(ctx: ServiceContext) -> None:
    add_roster(ctx)
    rota.set_week(ctx, TEAM, W1, ANA, BEN)
    rota.set_week(ctx, TEAM, W2, CAT, DAN)
    declined = request_swap(ctx, actor(BEN), CAT, W1, W2)
    answer_swap(ctx, actor(CAT), declined.request_id, accept=False)
    assert pairs(ctx) == [(ANA, BEN), (CAT, DAN)]
    stale = request_swap(ctx, actor(BEN), CAT, W1, W2)
    rota.set_week(ctx, TEAM, W2, DAN, CAT)  # a chair rearranged week 2 meanwhile
    with pytest.raises(Conflict, match="changed meanwhile"):
        answer_swap(ctx, actor(CAT), stale.request_id, accept=True)
    assert pairs(ctx) == [(ANA, BEN), (DAN, CAT)]


def test_swap_over_http_request_accept_both_told(app_server: AppServer) -> None:  # noqa: F811
    server = app_server
    ctx = server.rt.ctx
    add_roster(ctx)
    rota.set_week(ctx, TEAM, W1, ANA, BEN)
    rota.set_week(ctx, TEAM, W2, CAT, DAN)
    before = len(server.fake.attempts())
    assert server.command(BEN, f"swap <@{CAT}> {W1} {W2}").status == 200
    assert "Asked <@" in reply_after(server, before)
    before = len(server.fake.attempts())
    server.command(BEN, "swap nobody")
    assert "Usage" in reply_after(server, before)
    server.deliver()
    [ask] = server.fake.dms(CAT)
    before = len(server.fake.attempts())
    server.click_button(CAT, ask, SWAP_ACCEPT, server.fake.dm_channel(CAT))
    assert "Swapped" in reply_after(server, before)
    server.deliver()
    assert any("Swapped" in m.text for m in server.fake.dms(BEN))
    assert any("Swapped" in m.text for m in server.fake.dms(CAT))
    assert pairs(ctx) == [(ANA, CAT), (BEN, DAN)]
