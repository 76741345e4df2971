"""One deployment, several workspaces: OAuth install over HTTP, per-workspace setup, each
workspace's messages sent with its own token to its own channel, uninstall keeps records."""

from __future__ import annotations

import re
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import Actor
from slack_coc.domain.models import Case, Workspace
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.services import members
from slack_coc.services.intake import ReportInput, log_report
from slack_coc.slack.oauth import WorkspaceClients, installation_store
from slack_coc.slack.outbound import handlers
from tests.e2e.conftest import build_server, e2e_settings
from tests.e2e.harness import AppServer, encode_interactive, wait_for
from tests.e2e.payloads import Payloads
from tests.fakeslack import FakeSlack

TEAM_B = "T0BETA0002"
CHAIR_B = "U0CHAIRB01"
CHANNEL_B = "C0BETACHAN"


@pytest.fixture
def oauth_server(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> Any:
    from slack_coc.runtime import build_runtime

    settings = e2e_settings(
        fake_slack,
        database_url,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
    )
    rt = build_runtime(settings, clock=clock)
    server = build_server(fake_slack, rt)
    yield server
    server.close()
    rt.engine.dispose()


def http_get(url: str, cookie: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), dict(err.headers)


def install(server: AppServer, team_id: str, code: str) -> None:
    status, page, headers = http_get(server.url + "/slack/install")
    assert status == 200, page
    state = re.search(r"state=([\w-]+)", page)
    assert state is not None and "client_id=111.222" in page
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    server.fake.expect_install(code, team_id, CHAIR_B)
    status, page, _ = http_get(
        f"{server.url}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie
    )
    assert status == 200, page


def command_from(server: AppServer, team_id: str, user_id: str, text: str) -> Any:
    payloads = Payloads(team_id, server.fake)
    return server.post(urlencode(payloads.slash_command(user_id, text, channel_id=CHANNEL_B)))


def test_install_setup_and_isolated_delivery(oauth_server: AppServer) -> None:
    server, fake, ctx = oauth_server, oauth_server.fake, oauth_server.rt.ctx
    install(server, TEAM_B, "code-beta")
    with ctx.read() as s:
        workspace = s.get(Workspace, TEAM_B)
        assert workspace is not None and workspace.active
    bot = installation_store(server.rt).find_bot(enterprise_id=None, team_id=TEAM_B)
    assert bot is not None and bot.bot_token == f"xoxb-{TEAM_B.lower()}-installed"

    members.add_member(ctx, TEAM_B, CHAIR_B, "Chair B", chair=True)
    members.add_member(ctx, TEAM_B, "U0MEMBERB2", "Member B")
    answer = command_from(server, TEAM_B, CHAIR_B, "setup")
    assert answer.status == 200, answer.text
    opened = wait_for(lambda: fake.calls("views.open"), what="the setup modal")[-1]
    assert opened.team == TEAM_B and opened.params["view"]["callback_id"] == "modal:setup"
    view = fake.views[opened.response["view"]["id"]]
    values = {
        "channel": {
            "channel": {"type": "conversations_select", "selected_conversation": CHANNEL_B}
        },
        "chairs": {"chairs": {"type": "multi_users_select", "selected_users": [CHAIR_B]}},
        "initial_response_hours": {
            "initial_response_hours": {"type": "number_input", "value": "6"}
        },
    }
    payloads = Payloads(TEAM_B, fake)
    response = server.post(encode_interactive(payloads.view_submission(CHAIR_B, view, values)))
    assert response.status == 200 and "Settings saved" in response.text

    log_report(ctx, Actor(TEAM_B, CHAIR_B), ReportInput(account="MARKER-BETA-ACCOUNT"))
    fake.reset()
    OutboxDispatcher(ctx, handlers(server.rt, WorkspaceClients(server.rt))).deliver_due()
    posts = fake.calls("chat.postMessage")
    assert posts and all(c.team == TEAM_B for c in fake.calls())
    assert {c.params["channel"] for c in posts if c.params["channel"].startswith("C")} == {
        CHANNEL_B
    }
    assert "MARKER-BETA-ACCOUNT" not in fake.all_text()


def test_uninstall_disables_the_workspace_and_keeps_its_cases(oauth_server: AppServer) -> None:
    server, fake, ctx = oauth_server, oauth_server.fake, oauth_server.rt.ctx
    install(server, TEAM_B, "code-beta-2")
    members.add_member(ctx, TEAM_B, CHAIR_B, "Chair B", chair=True)
    logged = log_report(ctx, Actor(TEAM_B, CHAIR_B), ReportInput(account="kept"))
    payloads = Payloads(TEAM_B, fake)
    event = payloads.event({"type": "app_uninstalled"})
    assert server.event(event).status == 200

    def disabled() -> bool:
        with ctx.read() as s:
            workspace = s.get(Workspace, TEAM_B)
            return workspace is not None and not workspace.active

    wait_for(disabled, what="the workspace disabled")
    with ctx.read() as s:
        assert s.scalar(select(Case.id).where(Case.id == logged.case_id)) is not None
    command_from(server, TEAM_B, CHAIR_B, "list")
    refusal = wait_for(lambda: fake.calls("response_url"), what="the refusal")
    assert "uninstalled" in refusal[-1].text


def test_setup_refuses_a_bad_value_on_its_field(oauth_server: AppServer) -> None:
    server, fake, ctx = oauth_server, oauth_server.fake, oauth_server.rt.ctx
    install(server, TEAM_B, "code-beta-3")
    members.add_member(ctx, TEAM_B, CHAIR_B, "Chair B", chair=True)
    command_from(server, TEAM_B, CHAIR_B, "setup")
    opened = wait_for(lambda: fake.calls("views.open"), what="the setup modal")[-1]
    view = fake.views[opened.response["view"]["id"]]
    values = {
        "channel": {"channel": {"type": "conversations_select", "selected_conversation": "C0X1"}},
        "chairs": {"chairs": {"type": "multi_users_select", "selected_users": [CHAIR_B]}},
        "deadlock_days": {"deadlock_days": {"type": "number_input", "value": "-3"}},
    }
    payload = Payloads(TEAM_B, fake).view_submission(CHAIR_B, view, values)
    answer = server.post(encode_interactive(payload)).json()
    assert answer["response_action"] == "errors"
    assert "negative" in answer["errors"]["deadlock_days"]
