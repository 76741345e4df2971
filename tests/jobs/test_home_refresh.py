"""Refreshing every member's App Home: one refresh for a burst of changes, drawn after the
cards and never before HOME_SETTLE_SECONDS have passed while other deliveries are in hand;
and a refresh being drawn never absorbs a change made meanwhile."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.jobs.outbox import HOME_SETTLE_SECONDS, OutboxDispatcher, before_external_call
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.services.timeline import case_changed, refresh_homes
from tests.factories import TEAM, new_case
from tests.jobs.conftest import Recorder


class HeldCards(Recorder):
    """Records like `Recorder`; a card's delivery waits until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()

    def __call__(self, session: Any, item: OutboxMessage) -> None:
        if item.kind == Intent.CARD:
            before_external_call()  # as every deliverer does before it waits on Slack
            self.started.set()
            assert self.release.wait(10), "the test never released the card"
        super().__call__(session, item)


def _pending_homes(ctx: ServiceContext) -> list[OutboxMessage]:
    with ctx.read() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == Intent.HOME, OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        )


def _changed(ctx: ServiceContext, number: int) -> None:
    from slack_coc.domain.models import Case

    with ctx.transaction() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case_changed(session, case, ctx.clock.now())


def _drain(ctx: ServiceContext) -> None:
    """What earlier cases left in the outbox, sent: each test starts from an empty one."""
    OutboxDispatcher(ctx, Recorder().handlers()).deliver_due()


def test_a_burst_of_changes_costs_one_refresh_of_every_home_drawn_after_the_cards(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    new_case(ctx)
    new_case(ctx)
    _drain(ctx)
    recorder = HeldCards()
    dispatcher = OutboxDispatcher(ctx, recorder.handlers(), concurrency=4)
    pool = dispatcher.pool
    assert pool is not None
    _changed(ctx, 1)
    assert dispatcher.feed() == 1  # the card; the Homes wait while it is in hand
    assert recorder.started.wait(5)
    _changed(ctx, 2)  # a second change before the refresh: no second refresh
    assert len(_pending_homes(ctx)) == 1
    assert dispatcher.feed() == 1  # the second case's card; the Homes still wait
    recorder.release.set()
    assert pool.wait_idle(10)
    assert dispatcher.feed() == 1  # nothing else in hand: the one refresh goes
    assert pool.wait_idle(10)
    kinds = [s["kind"] for s in recorder.sent]
    assert kinds == [Intent.CARD, Intent.CARD, Intent.HOME]
    assert [s["recipient"] for s in recorder.sent if s["kind"] == Intent.HOME] == [None]
    assert _pending_homes(ctx) == []


def test_a_refresh_waits_at_most_the_settle_time(ctx: ServiceContext, clock: FrozenClock) -> None:
    """Under steady work the Homes are not starved: after HOME_SETTLE_SECONDS they go."""
    new_case(ctx)
    _drain(ctx)
    recorder = HeldCards()
    dispatcher = OutboxDispatcher(ctx, recorder.handlers(), concurrency=4)
    _changed(ctx, 1)
    assert dispatcher.feed() == 1
    assert recorder.started.wait(5)
    clock.advance(seconds=HOME_SETTLE_SECONDS - 0.5)
    assert dispatcher.feed() == 0
    clock.advance(seconds=0.5)
    assert dispatcher.feed() == 1  # the card is still in hand; the Homes have waited enough
    pool = dispatcher.pool
    assert pool is not None
    assert pool.wait_below(2, 10)  # the Homes went while the card waits
    assert [s["kind"] for s in recorder.sent] == [Intent.HOME]
    recorder.release.set()
    assert pool.wait_idle(10)


def test_a_personal_home_is_not_held(ctx: ServiceContext) -> None:
    """A person's own Home (after their click) goes at once, whatever else is in hand."""
    new_case(ctx)
    _drain(ctx)
    recorder = HeldCards()
    dispatcher = OutboxDispatcher(ctx, recorder.handlers(), concurrency=4)
    with ctx.transaction() as session:
        enqueue(session, team_id=TEAM, kind=Intent.CARD, now=ctx.clock.now(), case_id=1)
        enqueue(session, team_id=TEAM, kind=Intent.HOME, now=ctx.clock.now(), recipient="U0ANA")
    assert dispatcher.feed() == 2
    pool = dispatcher.pool
    assert pool is not None
    assert pool.wait_below(2, 10)
    assert [s["recipient"] for s in recorder.sent] == ["U0ANA"]
    recorder.release.set()
    assert pool.wait_idle(10)


def test_a_refresh_being_drawn_does_not_absorb_a_later_change(ctx: ServiceContext) -> None:
    """A refresh already waiting draws a later change too; one being drawn (claimed on
    SQLite, its row locked on PostgreSQL) may have read the case before it: a new one is
    written. The same for a case's card on SQLite."""
    new_case(ctx)
    _drain(ctx)
    now = ctx.clock.now()
    with ctx.transaction() as session:
        refresh_homes(session, TEAM, now)
        refresh_homes(session, TEAM, now)
    [waiting] = _pending_homes(ctx)
    sqlite = ctx.sessions.kw["bind"].dialect.name == "sqlite"
    drawing = ctx.sessions()
    try:
        if sqlite:  # how the SQLite deliverer claims an item
            with drawing.begin():
                item = drawing.get_one(OutboxMessage, waiting.id)
                item.claimed_by, item.claimed_until = "host:1:token", now + timedelta(minutes=5)
        else:  # how the PostgreSQL deliverer holds it while drawing
            drawing.begin()
            drawing.scalars(
                select(OutboxMessage).where(OutboxMessage.id == waiting.id).with_for_update()
            ).one()
        with ctx.transaction() as session:
            refresh_homes(session, TEAM, now)
        assert len(_pending_homes(ctx)) == 2
        if sqlite:
            with ctx.transaction() as session:
                card = enqueue(session, team_id=TEAM, kind=Intent.CARD, now=now, case_id=1)
                assert card is not None
                session.flush()
                card.claimed_by = "host:1:token"
            with ctx.transaction() as session:
                again = enqueue(session, team_id=TEAM, kind=Intent.CARD, now=now, case_id=1)
                assert again is not None  # the claimed card may show the case before this
    finally:
        drawing.rollback()
        drawing.close()
