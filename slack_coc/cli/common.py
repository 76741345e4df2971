"""Shared CLI plumbing: one-line errors, runtime construction, workspace resolution."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from slack_coc.config import ConfigError, load_settings
from slack_coc.domain.errors import DomainError
from slack_coc.domain.models import Workspace
from slack_coc.logging_setup import configure_logging
from slack_coc.runtime import Runtime, build_runtime, check_database


@click.group(name="slack-coc", context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    """Code of Conduct working group case handling, in Slack."""


class CliError(Exception):
    """A problem to print as one line, exiting 1."""


LONG_RUNNING = ("serve", "worker", "tick")


def run_cli(group: click.Group, args: list[str] | None = None) -> int:
    argv = sys.argv[1:] if args is None else args
    default_level = "INFO" if argv[:1] and argv[0] in LONG_RUNNING else "WARNING"
    configure_logging(
        os.environ.get("COC_LOG_LEVEL", default_level),
        as_json=os.environ.get("COC_LOG_FORMAT", "").lower() == "json",
    )
    try:
        result = group.main(args=args, prog_name="slack-coc", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        print("Aborted.", file=sys.stderr)
        return 1
    except (ConfigError, DomainError, CliError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(
            f"error: database problem: {reason} (is it up, and upgraded with "
            "`slack-coc db upgrade`?)",
            file=sys.stderr,
        )
        return 1
    return result if isinstance(result, int) else 0


def runtime(check_db: bool = True, **overrides: Any) -> Runtime:
    rt = build_runtime(load_settings(**overrides))
    if check_db:
        check_database(rt.engine)
    return rt


def resolve_team(rt: Runtime, team: str | None) -> str:
    """--team, else COC_TEAM_ID, else the one workspace the database knows, else the bot
    token's workspace (auth.test). A workspace named with --team or COC_TEAM_ID must be one
    the database knows, once it knows any: a typo must not start a second, empty workspace."""
    with rt.ctx.read() as session:
        teams = list(session.scalars(select(Workspace.team_id)))
    named = team or rt.settings.COC_TEAM_ID
    if named:
        if teams and named not in teams:
            source = "--team" if team else "COC_TEAM_ID"
            raise CliError(
                f"{source}: unknown workspace {named}; this database knows "
                f"{', '.join(sorted(teams))}"
            )
        return named
    if len(teams) == 1:
        return teams[0]
    if len(teams) > 1:
        raise CliError("several workspaces are installed: pass --team T0123456789")
    if rt.settings.SLACK_BOT_TOKEN:
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        try:
            answer = WebClient(
                token=rt.settings.SLACK_BOT_TOKEN, base_url=rt.settings.SLACK_API_URL
            ).auth_test()
            return str(answer["team_id"])
        except (SlackApiError, OSError) as exc:
            raise CliError(f"SLACK_BOT_TOKEN: auth.test failed ({exc})") from None
    raise CliError(
        "which workspace? pass --team T0123456789, or set COC_TEAM_ID or SLACK_BOT_TOKEN"
    )


team_option = click.option(
    "--team", default=None, help="Slack workspace (team) id, e.g. T0123456789"
)
