"""The `slack-coc` command. Each command group lives in its own module."""

from __future__ import annotations

import sys

from slack_coc.cli import (
    cases,
    check,
    database,
    jobs,
    keys,
    mail,
    members,
    oncall,
    records,
    retention,
    seed,
    serve,
    transparency,
)
from slack_coc.cli.common import app, run_cli

COMMAND_MODULES = (
    cases,
    check,
    database,
    jobs,
    keys,
    mail,
    members,
    oncall,
    records,
    retention,
    seed,
    serve,
    transparency,
)


def main() -> None:
    sys.exit(run_cli(app))
