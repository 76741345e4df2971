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
from slack_coc.reports.transparency import TransparencyReport, transparency_report


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
    threshold = rt.ctx.policy.small_count_threshold
    with rt.ctx.read() as session:
        kinds = rt.ctx.policy_for(session, team_id).violation_types
        report = transparency_report(
            session, team_id, chosen, threshold=threshold, violation_types=kinds
        )
        demo = transparency_report(
            session,
            team_id,
            chosen,
            threshold=threshold,
            include_synthetic="only",
            violation_types=kinds,
        )
    # Demo cases (`cases seed`) never count; shown apart so a demo has something to look at.
    has_demo = demo.current.values.get("Reports", 0) > 0
    if out is None:
        click.echo(
            transparency_markdown(report) if fmt == "md" else transparency_summary_csv(report),
            nl=False,
        )
        if has_demo and fmt == "md":
            click.echo("\n" + _demo_markdown(demo), nl=False)
        elif has_demo:
            click.echo(f"demo cases left out ({DEMO_NOTE}): `--format md` shows them", err=True)
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "md":
            files = {f"transparency-{chosen.label}.md": transparency_markdown(report)}
            if has_demo:
                files[f"demo-transparency-{chosen.label}.md"] = _demo_markdown(demo)
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
    if has_demo and fmt != "md":
        click.echo(f"demo cases left out ({DEMO_NOTE}): `--format md` shows them", err=True)


DEMO_NOTE = "demo data seeded with `slack-coc cases seed`, not part of the statistics"


def _demo_markdown(demo: TransparencyReport) -> str:
    """The demo cases' statistics, headed so nobody takes them for the report."""
    text = transparency_markdown(demo)
    title = f"# Transparency report {demo.current.period.label}"
    return text.replace(title, f"# Demo: {title[2:]} ({DEMO_NOTE})", 1)
