"""`slack-coc db ...`"""

from __future__ import annotations

import click
from alembic.util.exc import CommandError

from slack_coc import migrate
from slack_coc.cli.common import CliError, app, runtime


@app.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Bring the schema up to date (Alembic)."""
    rt = runtime()
    try:
        migrate.upgrade(rt.engine, revision)
    except CommandError as exc:
        raise CliError(f"db upgrade {revision}: {exc}") from None
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="do not ask before dropping every table (base)")
def downgrade(revision: str, yes: bool) -> None:
    """Step the schema back to REVISION (e.g. base: drops every table and its data)."""
    rt = runtime()
    if revision == "base" and not yes:
        # Every case, record and key reference goes with the tables: ask, as rm -i would.
        click.confirm(
            f"Drop every table in {rt.engine.url.render_as_string()}, with all cases and records?",
            abort=True,
        )
    try:
        migrate.downgrade(rt.engine, revision)
    except CommandError as exc:
        raise CliError(f"db downgrade {revision}: {exc}") from None
    click.echo(f"database at {revision}")
