"""`slack-coc records export`: the records log, code names only."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from slack_coc.cli.common import CliError, app, resolve_team, runtime, team_option
from slack_coc.reports.records import FORMATS, export_records


@app.group("records")
def records_group() -> None:
    """The records log (one row per reported person, no real names)."""


@records_group.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write to this file instead of standard output",
)
@team_option
def export(fmt: str, out: Path | None, team: str | None) -> None:
    """Export the records log as CSV or a Markdown table."""
    rt = runtime()
    team_id = resolve_team(rt, team)
    if out is None:
        export_records(rt.ctx, team_id, sys.stdout, fmt)
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = export_records(rt.ctx, team_id, handle, fmt)
    except OSError as exc:
        raise CliError(f"--out: cannot write {out} ({exc.strerror})") from None
    click.echo(f"wrote {count} records to {out}", err=True)
