"""The `slack-coc` command. Each command group lives in its own module."""

from __future__ import annotations

import sys

from slack_coc.cli import cases, database, jobs, members, oncall, placeholders
from slack_coc.cli.common import app, run_cli

COMMAND_MODULES = (cases, database, jobs, members, oncall, placeholders)


def main() -> None:
    sys.exit(run_cli(app))
