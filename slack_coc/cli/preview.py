"""`slack-coc preview --out DIR`: every Slack surface, rendered from the app's own Block Kit
builders with demo data, into one HTML page. Needs no settings, database or Slack."""

from __future__ import annotations

from pathlib import Path

import click

from slack_coc.cli.common import CliError, app


@app.command("preview")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="directory for index.html",
)
def preview(out: Path) -> None:
    """Write DIR/index.html: the cards, thread notes, messages, modals and App Home tabs."""
    from slack_coc.slack.preview.html import page
    from slack_coc.slack.preview.surfaces import all_surfaces

    surfaces = all_surfaces()
    target = out / "index.html"
    try:
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(page(surfaces), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--out: cannot write {target} ({exc.strerror})") from None
    click.echo(f"wrote {len(surfaces)} surfaces to {target}")
