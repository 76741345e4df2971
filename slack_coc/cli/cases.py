"""`slack-coc cases ...`: read-only listing for operators (code names and states only)."""

from __future__ import annotations

import click
from sqlalchemy import select

from slack_coc.cli.common import app, resolve_team, runtime, team_option
from slack_coc.domain.enums import CaseState
from slack_coc.domain.models import Case
from slack_coc.read_models.case_views import case_views


@app.group("cases")
def cases_group() -> None:
    """Cases (operators)."""


@cases_group.command("list")
@team_option
@click.option("--all", "all_", is_flag=True, help="include resolved cases")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="show the demo cases (`cases seed`), marked [demo]",
)
@click.option("--synthetic", is_flag=True, hidden=True, help="(kept for scripts: as --demo)")
def list_(team: str | None, all_: bool, demo: bool, synthetic: bool) -> None:
    """Number, code name, state, flags and next deadline of each case; demo cases marked."""
    rt = runtime()
    team_id = resolve_team(rt, team)
    with rt.ctx.read() as session:
        query = select(Case).where(Case.team_id == team_id).order_by(Case.number)
        if not all_:
            query = query.where(Case.state != CaseState.RESOLVED.value)
        if not (demo or synthetic):
            query = query.where(Case.synthetic.is_(False))
        cases = list(session.scalars(query))
        demo_ids = {c.id for c in cases if c.synthetic}
        views = case_views(session, cases)
    if not views:
        click.echo("no cases")
    for v in views:
        # Seeded cases are shown so a demo has something to look at, never mistaken for real.
        flags = [*(["demo"] if v.id in demo_ids else []), *v.flags]
        due = (
            f"{v.next_deadline.label} {v.next_deadline.due_at:%Y-%m-%d %H:%M}Z"
            if v.next_deadline
            else "-"
        )
        click.echo(f"{v.ref}\t{v.code_name}\t{v.state.label}\t{', '.join(flags) or '-'}\t{due}")
