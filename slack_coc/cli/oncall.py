"""`slack-coc oncall ...`: the weekly rota."""

from __future__ import annotations

from datetime import date

import click

from slack_coc.cli.common import CliError, app, resolve_team, runtime, team_option
from slack_coc.services import rota as svc
from slack_coc.services.rota_ical import render_ics


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def _line(week: svc.WeekView) -> str:
    return (
        f"{week.starts_at:%Y-%m-%d %H:%M}Z\tprimary {week.primary_user_id}"
        f"\tsecondary {week.secondary_user_id}"
    )


@app.group("oncall")
def oncall_group() -> None:
    """The weekly on-call rota (weeks start at the handover instant, Monday 12:00 UTC)."""


@oncall_group.command("generate")
@click.option("--start", "start", required=True, help="first week: its Monday, YYYY-MM-DD")
@click.option("--weeks", type=int, required=True, help="how many weeks")
@click.option("--replace", is_flag=True, help="also overwrite weeks already set")
@team_option
def generate(start: str, weeks: int, replace: bool, team: str | None) -> None:
    """Fill weeks round-robin over active members not away, balancing load."""
    rt = runtime()
    result = svc.generate(
        rt.ctx, resolve_team(rt, team), _day(start, "--start"), weeks, replace=replace
    )
    for week in result.written:
        click.echo(_line(week))
    for week in result.kept:
        click.echo(_line(week) + "\t(kept; --replace to overwrite)")


@oncall_group.command("show")
@click.option("--weeks", type=int, default=8, show_default=True)
@team_option
def show(weeks: int, team: str | None) -> None:
    """This week and the coming ones."""
    rt = runtime()
    team_id = resolve_team(rt, team)
    rows = svc.show(rt.ctx, team_id, weeks=weeks)
    if not rows:
        click.echo("no rota yet: slack-coc oncall generate --start YYYY-MM-DD --weeks 8")
    for week in rows:
        click.echo(_line(week))
    for away in svc.list_absences(rt.ctx, team_id):
        click.echo(f"away\t{away.user_id}\t{away.starts_on} to {away.ends_on}")


@oncall_group.command("set")
@click.argument("day")
@click.option("--primary", required=True, help="Slack user id")
@click.option("--secondary", required=True, help="Slack user id")
@team_option
def set_(day: str, primary: str, secondary: str, team: str | None) -> None:
    """Set the pair of the week whose handover instant is on DAY (a Monday)."""
    rt = runtime()
    week = svc.set_week(rt.ctx, resolve_team(rt, team), _day(day, "DATE"), primary, secondary)
    click.echo(_line(week))


@oncall_group.command("away")
@click.argument("user_id")
@click.option("--from", "from_", required=True, help="first day away, YYYY-MM-DD")
@click.option("--to", "to", required=True, help="last day away, YYYY-MM-DD")
@team_option
def away(user_id: str, from_: str, to: str, team: str | None) -> None:
    """Mark a member away: generation skips them, paging passes them over."""
    rt = runtime()
    view = svc.add_absence(
        rt.ctx, resolve_team(rt, team), user_id, _day(from_, "--from"), _day(to, "--to")
    )
    click.echo(f"{view.user_id} away {view.starts_on} to {view.ends_on}")


@oncall_group.command("ical")
@click.option("--weeks", type=int, default=52, show_default=True)
@team_option
def ical(weeks: int, team: str | None) -> None:
    """Print the rota as an iCalendar feed: slack-coc oncall ical > rota.ics"""
    rt = runtime()
    click.echo(render_ics(rt.ctx, resolve_team(rt, team), weeks=weeks), nl=False)
