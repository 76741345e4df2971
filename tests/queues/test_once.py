"""A request taken by one process is recognised as a repeat by every other."""

from __future__ import annotations

from sqlalchemy import func, select

from slack_coc.context import ServiceContext
from slack_coc.db import make_session_factory
from slack_coc.queues import once
from slack_coc.queues.request_models import SeenRequest


def test_first_time_is_shared_through_the_database(ctx: ServiceContext, engine, clock) -> None:  # type: ignore[no-untyped-def]
    other_process = ServiceContext(make_session_factory(engine), clock, ctx.policy)
    assert once.first_time(ctx, "sig:v0=abc", 360)
    assert not once.first_time(other_process, "sig:v0=abc", 360)
    assert once.first_time(other_process, "sig:v0=def", 360)


def test_old_keys_are_forgotten(ctx: ServiceContext, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(once, "PURGE_EVERY", 1)
    assert once.first_time(ctx, "event:T1:Ev1", 60)
    clock.advance(seconds=61)
    assert once.first_time(ctx, "event:T1:Ev2", 60)  # purges Ev1
    with ctx.read() as s:
        assert s.scalar(select(func.count()).select_from(SeenRequest)) == 1
    assert once.first_time(ctx, "event:T1:Ev1", 60)
