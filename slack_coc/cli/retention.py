"""`slack-coc retention`: expunge personal data that the retention policy no longer allows."""

from __future__ import annotations

import click

from slack_coc.cli.common import app, runtime
from slack_coc.services import retention as svc


@app.command("retention")
@click.option(
    "--dry-run", is_flag=True, help="list what is held and when it falls due; change nothing"
)
def retention(dry_run: bool) -> None:
    """Apply the retention policy (docs/process.md "Records") to resolved cases."""
    rt = runtime()
    now = rt.ctx.clock.now()
    if not dry_run:
        count = svc.sweep(rt.ctx)
        click.echo(f"expunged personal data of {count} case(s)")
        return
    items = svc.plan(rt.ctx)
    if not items:
        click.echo("no resolved case holds personal data")
    for item in items:
        if item.held_by is not None:
            when = f"held while case #{item.held_by} is open"
        elif item.due_at is None:
            when = "kept (no expiry)"
        else:
            when = ("due now" if item.is_due(now) else "due") + f" {item.due_at:%Y-%m-%d}"
        extended = f" (extended by #{item.extended_by})" if item.extended_by else ""
        click.echo(f"#{item.number}\t{item.code_name}\t{item.category}\t{when}{extended}")
