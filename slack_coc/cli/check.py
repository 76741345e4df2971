"""`slack-coc check`: what is configured, what is missing, and what to do next."""

from __future__ import annotations

import logging

import click
from sqlalchemy import func, select

from slack_coc import migrate
from slack_coc.cli.common import app
from slack_coc.config import ConfigError, Settings, load_settings
from slack_coc.domain.models import Member
from slack_coc.runtime import build_runtime, check_database

NEXT_STEPS = """\
To get going:
  1. Create the Slack app from manifest.yml (docs/slack.md), install it, and invite it to
     the working group's private channel.
  2. Put the settings in a .env file here:
       SLACK_BOT_TOKEN=xoxb-...          (OAuth & Permissions)
       SLACK_SIGNING_SECRET=...          (Basic Information; HTTP mode)
       SLACK_APP_TOKEN=xapp-...          (Socket Mode instead of a public URL)
       COC_CHANNEL_ID=C0123456789        (the private channel)
  3. Add the members:  .venv/bin/slack-coc members add U0123ABCD --name "Ana" --chair
     (with --team T0123ABCD, your workspace id, while SLACK_BOT_TOKEN is not set)
  4. Run:  make run   (or .venv/bin/slack-coc serve [--socket])"""


def _slack_ready(settings: Settings) -> list[str]:
    missing = []
    oauth = settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET
    if not settings.SLACK_BOT_TOKEN and not oauth:
        missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET)")
    if not settings.SLACK_SIGNING_SECRET and not settings.SLACK_APP_TOKEN:
        missing.append("SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)")
    if not settings.COC_CHANNEL_ID and not oauth:
        missing.append("COC_CHANNEL_ID")
    return missing


def _verify_token(settings: Settings) -> str | None:
    """Ask Slack whether the bot token works (auth.test). Returns a problem, or None when it
    works or Slack could not be reached (offline is not a wrong setting)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL, timeout=5)
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)  # the line below says it once
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "refused") if exc.response is not None else "refused"
        return f"SLACK_BOT_TOKEN: Slack refused it ({error}); copy the Bot User OAuth Token again"
    except OSError as exc:
        click.echo(f"· SLACK_BOT_TOKEN not verified: Slack did not answer ({exc})")
        return None
    finally:
        sdk_log.setLevel(level)
    click.echo(
        f"✓ SLACK_BOT_TOKEN works: workspace {answer.get('team', '')} ({answer.get('team_id')}),"
        f" bot {answer.get('user', '')}"
    )
    return None


@app.command("check")
def check() -> None:
    """Say what is configured and what is missing; exit 1 until the app can start."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"✗ {exc}")
        raise click.exceptions.Exit(1) from None
    rt = build_runtime(settings)
    problems = _slack_ready(settings)
    for name in problems:
        click.echo(f"✗ {name} is not set")
    if settings.SLACK_BOT_TOKEN:
        refused = _verify_token(settings)
        if refused:
            problems.append(refused)
            click.echo(f"✗ {refused}")
    try:
        check_database(rt.engine)
        migrate.upgrade(rt.engine)
        with rt.ctx.read() as session:
            members = session.scalar(select(func.count()).select_from(Member)) or 0
        click.echo(f"✓ database {rt.engine.url.render_as_string()} is up to date")
        click.echo(f"{'✓' if members else '·'} {members} working-group member(s)")
    except ConfigError as exc:
        problems.append(str(exc))
        click.echo(f"✗ {exc}")
    click.echo(
        f"{'✓' if settings.SMTP_URL else '·'} outbound mail (SMTP_URL)"
        f"{'' if settings.SMTP_URL else ': off, drafts are shown to copy'}"
    )
    click.echo(
        f"{'✓' if settings.IMAP_URL else '·'} mailbox intake (IMAP_URL)"
        f"{'' if settings.IMAP_URL else ': off'}"
    )
    if problems:
        click.echo("")
        click.echo(NEXT_STEPS)
        raise click.exceptions.Exit(1)
    click.echo("ready: slack-coc serve")
