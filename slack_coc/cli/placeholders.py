"""Commands whose implementation arrives with later issues; their names are reserved."""

from __future__ import annotations

import click

from slack_coc.cli.common import app


@app.command("serve")
def serve() -> None:
    """Run the Slack app (arrives with the Slack surface)."""
    click.echo("slack-coc serve: the Slack surface is not built yet.")
