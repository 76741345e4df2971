"""`slack-coc cases ...`: read-only listing for operators (code names and states only)."""

from __future__ import annotations

import click
from sqlalchemy import select

from slack_coc.cli.common import app, resolve_team, runtime, team_option
from slack_coc.domain.enums import CaseState
from slack_coc.domain.models import Case
from slack_coc.services.views import case_views


@app.group("cases")
def cases_group() -> None:
    """Cases (operators)."""


@cases_group.command("list")
@team_option
@click.option("--all", "all_", is_flag=True, help="include resolved cases")
@click.option("--synthetic", is_flag=True, help="include synthetic cases")
def list_(team: str | None, all_: bool, synthetic: bool) -> None:
    """Number, code name, state, flags and next deadline of each case."""
    rt = runtime()
    team_id = resolve_team(rt, team)
    with rt.ctx.read() as session:
        query = select(Case).where(Case.team_id == team_id).order_by(Case.number)
        if not all_:
            query = query.where(Case.state != CaseState.RESOLVED.value)
        if not synthetic:
            query = query.where(Case.synthetic.is_(False))
        views = case_views(session, list(session.scalars(query)))
    if not views:
        click.echo("no cases")
    for v in views:
        due = (
            f"{v.next_deadline.label} {v.next_deadline.due_at:%Y-%m-%d %H:%M}Z"
            if v.next_deadline
            else "-"
        )
        click.echo(f"{v.ref}\t{v.code_name}\t{v.state.label}\t{', '.join(v.flags) or '-'}\t{due}")
