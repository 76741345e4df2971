"""`slack-coc cases seed`: synthetic cases for benchmarks and demos (attached to `cases`)."""

from __future__ import annotations

import click

from slack_coc.cli.cases import cases_group
from slack_coc.cli.common import CliError, resolve_team, runtime, team_option
from slack_coc.reports.synthetic import seed_cases


@cases_group.command("seed")
@click.option("--count", type=int, required=True, help="how many synthetic cases")
@click.option("--seed", "seed", type=int, default=None, help="random seed (repeatable data)")
@team_option
def seed(count: int, seed: int | None, team: str | None) -> None:
    """Add synthetic cases spread over states and dates; never counted in records or statistics."""
    if count < 1 or count > 1_000_000:
        raise CliError("--count: give a number from 1 to 1000000")
    rt = runtime()
    team_id = resolve_team(rt, team)
    result = seed_cases(rt.ctx, team_id, count, seed=seed)
    click.echo(
        f"seeded {result.cases} synthetic cases #{result.first_number}-#{result.last_number}"
    )
