"""`slack-coc members ...`"""

from __future__ import annotations

import click

from slack_coc.cli.common import app, resolve_team, runtime, team_option
from slack_coc.services import members as svc


@app.group("members")
def members_group() -> None:
    """The working-group roster."""


@members_group.command("add")
@click.argument("user_id")
@click.option("--name", required=True, help="display name")
@click.option("--chair", is_flag=True, help="the member is a chair")
@click.option("--email", default=None, help="their email (recuses them from cases naming it)")
@team_option
def add(user_id: str, name: str, chair: bool, email: str | None, team: str | None) -> None:
    """Add a member by Slack user id (e.g. U012AB3CD)."""
    rt = runtime()
    view = svc.add_member(rt.ctx, resolve_team(rt, team), user_id, name, chair=chair, email=email)
    note = "" if view.onboarded else " (must declare conflicts on open cases before seeing them)"
    click.echo(f"added {view.user_id} {view.display_name}{' (chair)' if chair else ''}{note}")


@members_group.command("list")
@team_option
def list_(team: str | None) -> None:
    """List active members."""
    rt = runtime()
    rows = svc.list_members(rt.ctx, resolve_team(rt, team))
    if not rows:
        click.echo("no members yet: slack-coc members add U012AB3CD --name 'Ana' --chair")
    for m in rows:
        flags = ", ".join(
            f
            for f, on in (("chair", m.is_chair), ("conflicts not declared", not m.onboarded))
            if on
        )
        click.echo(f"{m.user_id}\t{m.display_name}" + (f"\t({flags})" if flags else ""))


@members_group.command("remove")
@click.argument("user_id")
@team_option
def remove(user_id: str, team: str | None) -> None:
    """Deactivate a member (their history stays)."""
    rt = runtime()
    svc.remove_member(rt.ctx, resolve_team(rt, team), user_id)
    click.echo(f"removed {user_id}")
