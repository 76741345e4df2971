"""`slack-coc check`: what is configured, what is missing, and what to do next."""

from __future__ import annotations

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
  3. Add the members:  slack-coc members add U0123ABCD --name "Ana" --chair
  4. Run:  make run   (or slack-coc serve [--socket])"""


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
