"""`slack-coc db ...`"""

from __future__ import annotations

import click

from slack_coc import migrate
from slack_coc.cli.common import app, runtime


@app.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Bring the schema up to date (Alembic)."""
    rt = runtime()
    migrate.upgrade(rt.engine, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Step the schema back to REVISION (e.g. base)."""
    rt = runtime()
    migrate.downgrade(rt.engine, revision)
    click.echo(f"database at {revision}")
