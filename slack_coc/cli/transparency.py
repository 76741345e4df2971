"""`slack-coc transparency`: anonymised statistics per period, with PNG charts."""

from __future__ import annotations

from pathlib import Path

import click

from slack_coc.cli.common import CliError, app, resolve_team, runtime, team_option
from slack_coc.reports.charts import write_charts
from slack_coc.reports.periods import Period
from slack_coc.reports.render import (
    transparency_csv_files,
    transparency_markdown,
    transparency_summary_csv,
)
from slack_coc.reports.transparency import transparency_report


@app.command("transparency")
@click.option("--period", required=True, help="a year (2026) or a half-year (2026-H1, 2026-H2)")
@click.option("--format", "fmt", type=click.Choice(("md", "csv")), default="md", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="directory for the report files and PNG charts (default: print to standard output)",
)
@team_option
def transparency(period: str, fmt: str, out: Path | None, team: str | None) -> None:
    """Anonymised statistics by date received: counts, outcomes, response times, trend."""
    chosen = Period.parse(period)
    rt = runtime()
    team_id = resolve_team(rt, team)
    with rt.ctx.read() as session:
        report = transparency_report(
            session, team_id, chosen, threshold=rt.ctx.policy.small_count_threshold
        )
    if out is None:
        click.echo(
            transparency_markdown(report) if fmt == "md" else transparency_summary_csv(report),
            nl=False,
        )
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "md":
            files = {f"transparency-{chosen.label}.md": transparency_markdown(report)}
        else:
            files = transparency_csv_files(report)
        written = []
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
            written.append(out / name)
        written += write_charts(report, out)
    except OSError as exc:
        raise CliError(f"--out: cannot write to {out} ({exc.strerror})") from None
    for path in written:
        click.echo(str(path))
