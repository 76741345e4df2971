"""SQL statements per `/coc list` and per App Home do not grow with the number of cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from slack_coc.context import ServiceContext
from slack_coc.read_models.home import home_data
from slack_coc.slack.listeners.commands import _list
from slack_coc.slack.subcommands import CommandRequest
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA = "U0ANA0001"


def count_statements(engine: Engine, work: Callable[[], Any]) -> int:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def _list_request(ctx: ServiceContext, replies: list[str]) -> CommandRequest:
    class Rt:
        pass

    rt: Any = Rt()
    rt.ctx = ctx
    return CommandRequest(
        rt=rt,
        actor=actor(ANA),
        args="",
        trigger_id="t",
        channel_id="C",
        client=None,  # type: ignore[arg-type]
        respond=lambda **kw: replies.append(kw["text"]),
    )


def test_list_and_home_use_a_fixed_number_of_statements(
    ctx: ServiceContext, engine: Engine
) -> None:
    add_roster(ctx)
    counts = []
    for total in (3, 60):
        existing = count_existing(ctx)
        for _ in range(total - existing):
            new_case(ctx, by="U0BEN0002")
        replies: list[str] = []
        request = _list_request(ctx, replies)
        listing = count_statements(engine, lambda r=request: _list(r))
        home = count_statements(engine, lambda: home_data(ctx, actor(ANA)))
        counts.append((listing, home))
        assert replies and replies[0].count("*#") == min(total, 50)
    assert counts[0] == counts[1], counts


def count_existing(ctx: ServiceContext) -> int:
    from sqlalchemy import func, select

    from slack_coc.domain.models import Case

    with ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)
