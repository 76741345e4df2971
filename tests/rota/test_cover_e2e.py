"""Cover requests and the delay note over real HTTP against the fake Slack."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import Actor
from slack_coc.services import cases, rota
from slack_coc.slack.blocks.rota_messages import COVER_ACCEPT
from tests.e2e.conftest import (  # noqa: F401
    CHANNEL,
    app_server,
    build_server,
    e2e_runtime,
    e2e_settings,
)
from tests.e2e.harness import AppServer
from tests.e2e.test_case_flow_e2e import ANA, BEN, CAT, DAN, reply_after
from tests.factories import TEAM, add_roster, new_case
from tests.fakeslack import FakeSlack


def test_cover_request_first_click_takes_the_slot_second_is_refused(
    app_server: AppServer,  # noqa: F811
) -> None:
    server = app_server
    ctx = server.rt.ctx
    add_roster(ctx)
    rota.set_week(ctx, TEAM, date(2026, 11, 23), ANA, BEN)
    before = len(server.fake.attempts())
    assert server.command(ANA, "cover 2026-11-23").status == 200
    assert "first to accept" in reply_after(server, before)
    server.deliver()
    asks = {u: server.fake.dms(u) for u in (CAT, DAN)}
    assert all(len(m) == 1 for m in asks.values())
    assert server.fake.dms(BEN) == []  # the partner isn't asked
    before = len(server.fake.attempts())
    assert (
        server.click_button(DAN, asks[DAN][0], COVER_ACCEPT, server.fake.dm_channel(DAN)).status
        == 200
    )
    assert "you now cover" in reply_after(server, before)
    before = len(server.fake.attempts())
    assert (
        server.click_button(CAT, asks[CAT][0], COVER_ACCEPT, server.fake.dm_channel(CAT)).status
        == 200
    )
    assert "already taken" in reply_after(server, before)
    server.deliver()
    assert any("covers" in m.text for m in server.fake.dms(ANA))
    assert any("covers" in m.text for m in server.fake.dms(DAN))
    week = rota.show(ctx, TEAM)[0]
    assert (week.primary_user_id, week.secondary_user_id) == (DAN, BEN)


def test_delay_command_moves_the_target_and_tells_the_channel(
    app_server: AppServer,  # noqa: F811
) -> None:
    server = app_server
    ctx = server.rt.ctx
    add_roster(ctx)
    logged = new_case(ctx, by=CAT)
    cases.acknowledge(ctx, Actor(TEAM, BEN), logged.number)
    cases.assign_shepherd(ctx, Actor(TEAM, BEN), logged.number)
    server.deliver()
    before = len(server.fake.attempts())
    server.command(CAT, f"delay {logged.number} 2026-12-10 Waiting-Marker-3321")
    assert "Only the shepherd" in reply_after(server, before)
    before = len(server.fake.attempts())
    server.command(BEN, f"delay {logged.number} 2026-12-10 Waiting-Marker-3321")
    assert "is now" in reply_after(server, before)
    server.deliver()
    notices = [
        m
        for m in server.fake.messages(CHANNEL)
        if "resolution target" in m.text and m.thread_ts is None
    ]
    assert len(notices) == 1  # (the card's thread has its timeline note too)
    assert "Waiting-Marker-3321" not in server.fake.all_text()


def test_ical_feed_over_http(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> None:
    """A member finds the workspace's feed link in `/coc oncall` and subscribes with it."""
    import re

    from slack_coc.runtime import build_runtime

    rt = build_runtime(
        e2e_settings(fake_slack, database_url, COC_PUBLIC_URL="https://coc.example.org"),
        clock=clock,
    )
    add_roster(rt.ctx)
    rota.generate(rt.ctx, TEAM, date(2026, 11, 23), 2)
    server = build_server(fake_slack, rt)
    try:
        server.command(ANA, "oncall")
        reply = reply_after(server, 0)
        link = re.search(r"<https://coc\.example\.org(/oncall\.ics\?[^|>]+)\|", reply)
        assert link is not None, reply
        assert server.get(f"/oncall.ics?team={TEAM}&token=nope").status == 403
        answer = server.get(link.group(1).replace("&amp;", "&"))
        assert answer.status == 200 and answer.body.count(b"BEGIN:VEVENT") == 4
    finally:
        server.close()
        rt.engine.dispose()
