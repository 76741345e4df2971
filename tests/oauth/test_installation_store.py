"""Installations are stored in our database with tokens encrypted; uninstall keeps records."""

from __future__ import annotations

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text
from sqlalchemy.engine import Engine

from slack_coc.config import load_settings
from slack_coc.context import ServiceContext
from slack_coc.runtime import Runtime
from slack_coc.slack.oauth import WorkspaceClients, installation_store, uses_oauth

TOKEN = "xoxb-123-456-SECRETBOTTOKENMARKER"


def runtime(engine: Engine, ctx: ServiceContext, **env: str) -> Runtime:
    settings = load_settings(SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="shh", **env)
    return Runtime(settings, engine, ctx)


def test_tokens_are_encrypted_at_rest_and_found_in_clear(
    engine: Engine, ctx: ServiceContext
) -> None:
    rt = runtime(engine, ctx)
    assert uses_oauth(rt)
    store = installation_store(rt)
    store.save(
        Installation(
            app_id="A1",
            team_id="T0TEAM0001",
            team_name="Django",
            bot_token=TOKEN,
            bot_id="B1",
            bot_user_id="U0BOT",
            user_id="U0ANA0001",
            bot_scopes=["chat:write"],
        )
    )
    with engine.connect() as conn:
        raw = [str(v) for row in conn.execute(text("SELECT * FROM slack_bots")) for v in row]
        raw += [
            str(v) for row in conn.execute(text("SELECT * FROM slack_installations")) for v in row
        ]
    assert raw and not any("SECRETBOTTOKENMARKER" in v for v in raw)
    bot = store.find_bot(enterprise_id=None, team_id="T0TEAM0001")
    assert bot is not None and bot.bot_token == TOKEN
    client = WorkspaceClients(rt).for_team("T0TEAM0001")
    assert client.token == TOKEN


def test_single_workspace_mode_uses_the_bot_token(engine: Engine, ctx: ServiceContext) -> None:
    rt = runtime(engine, ctx, SLACK_BOT_TOKEN="xoxb-single")
    assert not uses_oauth(rt)
    assert WorkspaceClients(rt).for_team("T0ANY").token == "xoxb-single"
