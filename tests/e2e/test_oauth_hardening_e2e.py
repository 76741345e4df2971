"""OAuth distribution, hardened (issue 22): uninstalling or revoking deletes the stored
tokens, an org-wide Enterprise Grid install is refused at install time with a clear page,
and a workspace of a Grid organization is found by its workspace id."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from slack_coc.domain.models import Workspace
from slack_coc.slack.oauth import ORG_INSTALL_REFUSED, WorkspaceClients, installation_store
from tests.e2e.harness import AppServer, wait_for
from tests.e2e.payloads import Payloads
from tests.e2e.test_oauth_workspaces_e2e import (  # noqa: F401  (fixture)
    CHAIR_B,
    TEAM_B,
    http_get,
    install,
    oauth_server,
)

ENTERPRISE = "E0GRIDORG1"


def _token_rows(server: AppServer) -> int:
    with server.rt.engine.connect() as conn:
        bots = conn.execute(text("SELECT count(*) FROM slack_bots")).scalar_one()
        installs = conn.execute(text("SELECT count(*) FROM slack_installations")).scalar_one()
    return int(bots) + int(installs)


def _install_as(server: AppServer, code: str, **kw: Any) -> tuple[int, str]:
    status, page, headers = http_get(server.url + "/slack/install")
    state = re.search(r"state=([\w-]+)", page)
    assert status == 200 and state is not None
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    server.fake.expect_install(code, kw.pop("team_id", TEAM_B), CHAIR_B, **kw)
    status, page, _ = http_get(
        f"{server.url}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie
    )
    return status, page


def test_app_uninstalled_deletes_the_stored_tokens(oauth_server: AppServer) -> None:  # noqa: F811
    server = oauth_server
    install(server, TEAM_B, "code-un")
    assert _token_rows(server) == 2
    event = Payloads(TEAM_B, server.fake).event({"type": "app_uninstalled"})
    assert server.event(event).status == 200
    wait_for(lambda: _token_rows(server) == 0, what="the tokens deleted")
    assert installation_store(server.rt).find_bot(enterprise_id=None, team_id=TEAM_B) is None
    with server.rt.ctx.read() as s:
        workspace = s.get(Workspace, TEAM_B)
        assert workspace is not None and not workspace.active


def test_tokens_revoked_deletes_the_revoked_tokens(oauth_server: AppServer) -> None:  # noqa: F811
    server = oauth_server
    install(server, TEAM_B, "code-rev")
    payloads = Payloads(TEAM_B, server.fake)
    # A user's token revoked: the bot keeps working.
    users = payloads.event({"type": "tokens_revoked", "tokens": {"oauth": [CHAIR_B]}})
    assert server.event(users).status == 200
    wait_for(lambda: _token_rows(server) == 1, what="the user's installation deleted")
    assert WorkspaceClients(server.rt).for_team(TEAM_B).token
    # The bot's token revoked: as an uninstall.
    bot = payloads.event({"type": "tokens_revoked", "tokens": {"bot": ["U0BOTUSER1"]}})
    assert server.event(bot).status == 200
    wait_for(lambda: _token_rows(server) == 0, what="the bot's token deleted")


def test_an_org_wide_install_is_refused_clearly(oauth_server: AppServer) -> None:  # noqa: F811
    server = oauth_server
    status, page = _install_as(server, "code-org", enterprise_id=ENTERPRISE, org_wide=True)
    assert status == 400
    assert "whole Enterprise Grid organization" in page and "each workspace" in page
    assert ORG_INSTALL_REFUSED.split(":")[0] in page
    assert _token_rows(server) == 0
    with server.rt.ctx.read() as s:
        assert s.get(Workspace, "") is None


def test_a_workspace_of_a_grid_organization_is_found(oauth_server: AppServer) -> None:  # noqa: F811
    """Installed in one workspace of an organization: the bot is stored with the
    enterprise id, and outbound messages (looked up by workspace) find it."""
    server = oauth_server
    status, page = _install_as(server, "code-grid", enterprise_id=ENTERPRISE)
    assert status == 200, page
    client = WorkspaceClients(server.rt).for_team(TEAM_B)
    assert client.token == f"xoxb-{TEAM_B.lower()}-installed"
