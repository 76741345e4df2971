"""The `slack-coc` command. Each command group lives in its own module."""

from __future__ import annotations

import sys

from slack_coc.cli import cases, database, members, placeholders
from slack_coc.cli.common import app, run_cli

COMMAND_MODULES = (cases, database, members, placeholders)


def main() -> None:
    sys.exit(run_cli(app))
