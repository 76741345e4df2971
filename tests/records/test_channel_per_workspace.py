"""COC_CHANNEL_ID belongs to one workspace (issue 22): another workspace never falls back to
it, in intake (its cards), outbound (its channel notices) or `/coc stats`; it gets "run
/coc setup" instead, and what it has waiting goes out once a chair has chosen a channel."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import select

from slack_coc.context import Actor
from slack_coc.domain.models import Workspace
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import members, workspaces
from slack_coc.services.intake import ReportInput, log_report
from slack_coc.slack.outbound import handlers
from tests.conftest import OTHER_TEAM, TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer
from tests.e2e.payloads import Payloads
from tests.e2e.test_case_flow_e2e import calls_count, reply_after
from tests.factories import add_roster
from tests.records.conftest import ANA

OLGA = "U0OLGA0001"
OTHER_CHANNEL = "C0OTHERGRP"


def _two_workspaces(server: AppServer) -> None:
    ctx = server.rt.ctx
    add_roster(ctx)
    log_report(ctx, Actor(TEAM, ANA), ReportInput(account="first workspace"))
    members.add_member(ctx, OTHER_TEAM, OLGA, "Olga", chair=True)
    log_report(ctx, Actor(OTHER_TEAM, OLGA), ReportInput(account="second workspace"))


def _deliver(server: AppServer) -> None:
    client = server.fake.client()
    OutboxDispatcher(server.rt.ctx, handlers(server.rt, client)).deliver_due()


def test_another_workspace_never_gets_the_first_ones_channel(app_server: AppServer) -> None:
    server = app_server
    ctx = server.rt.ctx
    assert ctx.channel_id == CHANNEL
    _two_workspaces(server)
    with ctx.read() as s:
        assert s.get(Workspace, TEAM).channel_id == CHANNEL  # type: ignore[union-attr]
        assert s.get(Workspace, OTHER_TEAM).channel_id is None  # type: ignore[union-attr]
    server.fake.reset()
    _deliver(server)
    posted = [c for c in server.fake.calls("chat.postMessage") if c.params["channel"] == CHANNEL]
    # Only the first workspace's card reached the first workspace's channel.
    assert all(c.team != OTHER_TEAM for c in posted)
    assert "second workspace" not in server.fake.all_text()
    with ctx.read() as s:
        waiting = list(
            s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.team_id == OTHER_TEAM, OutboxMessage.kind == "card"
                )
            )
        )
    states = [(w.status, w.attempts, w.last_error) for w in waiting]
    assert waiting and all(w.status == "pending" and w.attempts == 0 for w in waiting), states
    assert "run /coc setup" in (waiting[0].last_error or "")
    # A chair chooses the channel: the card goes there, not anywhere else.
    workspaces.update_settings(ctx, Actor(OTHER_TEAM, OLGA), channel_id=OTHER_CHANNEL)
    ctx.clock.advance(minutes=6)  # type: ignore[attr-defined]
    server.fake.reset()
    _deliver(server)
    cards = server.fake.calls("chat.postMessage")
    assert cards and {c.params["channel"] for c in cards} == {OTHER_CHANNEL}


def test_stats_in_a_workspace_without_a_channel_says_run_setup(app_server: AppServer) -> None:
    server = app_server
    _two_workspaces(server)
    before = calls_count(server)
    body = Payloads(OTHER_TEAM, server.fake).slash_command(OLGA, "stats 2026")
    assert server.post(urlencode(body)).status == 200
    assert "/coc setup" in reply_after(server, before)
    assert not server.fake.attempts("files.completeUploadExternal")
    assert server.fake.uploads == {}


def test_coc_team_id_names_the_workspace_the_channel_belongs_to(app_server: AppServer) -> None:
    ctx = app_server.rt.ctx
    ctx.home_team_id = OTHER_TEAM
    with ctx.read() as s:
        assert workspaces.default_channel(s, ctx, TEAM) is None
        assert workspaces.default_channel(s, ctx, OTHER_TEAM) == CHANNEL
