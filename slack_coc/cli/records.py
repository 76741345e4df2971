"""`slack-coc records export`: the records log, code names only."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TextIO

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
    demo = io.StringIO()
    demo_rows = export_records(rt.ctx, team_id, demo, fmt, include_synthetic="only")
    if out is None:
        export_records(rt.ctx, team_id, sys.stdout, fmt)
        _show_demo(sys.stdout, fmt, demo_rows, demo.getvalue())
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = export_records(rt.ctx, team_id, handle, fmt)
            _show_demo(handle, fmt, demo_rows, demo.getvalue())
    except OSError as exc:
        raise CliError(f"--out: cannot write {out} ({exc.strerror})") from None
    click.echo(f"wrote {count} records to {out}", err=True)


DEMO_NOTE = "demo data seeded with `slack-coc cases seed`, not part of the records"


def _show_demo(out: TextIO, fmt: str, rows: int, text: str) -> None:
    """Demo cases are shown apart, after the records, so a demo has something to look at:
    in Markdown as their own table; CSV stays the records alone (a reader's spreadsheet must
    not mix them), with one line on stderr saying where to see them."""
    if not rows:
        return
    if fmt == "md":
        out.write(f"\n**Demo** ({rows} rows, {DEMO_NOTE}):\n\n{text}")
    else:
        click.echo(
            f"{rows} demo rows left out ({DEMO_NOTE}): `--format md` shows them apart", err=True
        )
