"""Small builders for test data, through the services (so the data is what the app makes)."""

from __future__ import annotations

from slack_coc.context import Actor, ServiceContext
from slack_coc.services import members
from slack_coc.services.intake import LoggedCase, ReportInput, log_report

TEAM = "T0TEAM0001"
ROSTER = [
    ("U0ANA0001", "Ana", True),
    ("U0BEN0002", "Ben", False),
    ("U0CAT0003", "Cat", False),
    ("U0DAN0004", "Dan", False),
    ("U0EVE0005", "Eve", True),
]


def add_roster(ctx: ServiceContext, team: str = TEAM, count: int = 5) -> list[str]:
    for user_id, name, chair in ROSTER[:count]:
        members.add_member(ctx, team, user_id, name, chair=chair)
    return [u for u, _n, _c in ROSTER[:count]]


def report(account: str = "Something happened at the sprint.", **kw: object) -> ReportInput:
    return ReportInput(account=account, **kw)  # type: ignore[arg-type]


def new_case(
    ctx: ServiceContext, by: str = "U0ANA0001", team: str = TEAM, **kw: object
) -> LoggedCase:
    return log_report(ctx, Actor(team, by), report(**kw))
