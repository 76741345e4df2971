"""The `slack-coc` command. Each command group lives in its own module, listed here; importing
a module registers its commands on the `app` group."""

from __future__ import annotations

import sys
from importlib import import_module

from slack_coc.cli.common import app, run_cli

COMMAND_MODULES = (
    "cases",
    "check",
    "database",
    "jobs",
    "keys",
    "mail",
    "members",
    "oncall",
    "preview",
    "records",
    "retention",
    "seed",
    "serve",
    "transparency",
)

for _name in COMMAND_MODULES:
    import_module(f"slack_coc.cli.{_name}")


def main() -> None:
    sys.exit(run_cli(app))
