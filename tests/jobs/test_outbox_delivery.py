"""Outbox delivery: Retry-After, capped backoff, parking and the once-only channel notice,
and an outage during a report that delays the pages without losing or repeating them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.models import Case
from slack_coc.jobs.delivery_errors import RetryLater
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.jobs.parked import retry_parked
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from slack_coc.wiring import run_sweep
from tests.factories import TEAM, new_case
from tests.jobs.conftest import Recorder


def _dm(ctx: ServiceContext, n: int = 1) -> list[int]:
    ids = []
    with ctx.transaction() as session:
        for i in range(n):
            item = enqueue(
                session,
                team_id=TEAM,
                kind=Intent.DM,
                now=ctx.clock.now(),
                recipient=f"U0TEST{i:04d}",
                payload={"template": "test"},
            )
            assert item is not None
            session.flush()
            ids.append(item.id)
    return ids


def _item(ctx: ServiceContext, item_id: int) -> OutboxMessage:
    with ctx.read() as session:
        item = session.get(OutboxMessage, item_id)
        assert item is not None
        return item


def test_429_honours_retry_after_and_holds_the_batch(
    ctx: ServiceContext, clock: FrozenClock, recorder: Recorder
) -> None:
    first, second = _dm(ctx, 2)
    recorder.fail_next, recorder.failure = 1, RetryLater("HTTP 429", retry_after=30)
    dispatcher = OutboxDispatcher(ctx, recorder.handlers())
    assert dispatcher.deliver_due() == 0
    assert recorder.calls == 1  # the second item was not tried while rate limited
    item = _item(ctx, first)
    assert item.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert item.attempts == 0 and item.status == OutboxStatus.PENDING
    clock.advance(seconds=29)
    assert dispatcher.deliver_due() == 1  # only the second one is due
    clock.advance(seconds=1)
    assert dispatcher.deliver_due() == 1
    assert sorted(s["id"] for s in recorder.sent) == [first, second]


def test_a_429_from_slack_holds_only_the_same_call_and_the_others_go_on(
    ctx: ServiceContext, clock: FrozenClock, recorder: Recorder
) -> None:
    """Slack limits per method and channel (`RetryLater.scope`): a DM to one person that
    got a 429 holds that person's next DM until the Retry-After; another person's DM goes."""
    first, second, other = _dm(ctx, 3)
    with ctx.transaction() as session:  # the second DM is to the same person as the first
        session.get_one(OutboxMessage, second).recipient = "U0TEST0000"
    limited = RetryLater("chat_postMessage: rate limited", 30, scope="chat_postMessage:D1")
    recorder.fail_next, recorder.failure = 1, limited
    assert OutboxDispatcher(ctx, recorder.handlers()).deliver_due() == 1
    assert [s["id"] for s in recorder.sent] == [other]
    assert recorder.calls == 2  # the held DM was not tried
    for item_id in (first, second):
        item = _item(ctx, item_id)
        assert item.next_attempt_at == clock.now() + timedelta(seconds=30)
        assert item.attempts == 0 and item.status == OutboxStatus.PENDING
    clock.advance(seconds=30)
    assert OutboxDispatcher(ctx, recorder.handlers(), concurrency=4).deliver_due() == 2
    assert sorted(s["id"] for s in recorder.sent) == [first, second, other]


def test_5xx_backs_off_doubling_capped_then_parks_and_tells_channel_once(
    ctx: ServiceContext, clock: FrozenClock, recorder: Recorder
) -> None:
    (item_id,) = _dm(ctx)
    recorder.fail_next = 100
    dispatcher = OutboxDispatcher(ctx, recorder.handlers())
    waits = []
    for _ in range(ctx.policy.outbox_max_attempts):
        before = clock.now()
        dispatcher.deliver_due()
        item = _item(ctx, item_id)
        if item.status == OutboxStatus.PARKED:
            break
        waits.append((item.next_attempt_at - before).total_seconds())
        clock.set(item.next_attempt_at)
    assert waits == [5, 10, 20, 40, 80, 160, 300]
    assert _item(ctx, item_id).status == OutboxStatus.PARKED
    recorder.fail_next = 0
    _dm(ctx)  # Slack answers again for a new message: the channel is told about the parked one
    assert dispatcher.deliver_due() == 1
    assert dispatcher.deliver_due() == 1  # the notice itself
    parked = recorder.messages("outbox_parked")
    assert len(parked) == 1 and parked[0]["payload"]["count"] == 1
    _dm(ctx)
    dispatcher.deliver_due()
    assert len(recorder.messages("outbox_parked")) == 1
    assert retry_parked(ctx) == 1
    dispatcher.deliver_due()
    assert any(s["id"] == item_id for s in recorder.sent)


def test_outage_during_a_report_delays_pages_exactly_once(
    rt: Runtime, recorder: Recorder, clock: FrozenClock, with_rota: list[rota.WeekView]
) -> None:
    recorder.fail_next = 5  # 500s, then one 429 below
    logged = new_case(rt.ctx)
    with rt.ctx.read() as session:
        assert session.scalar(select(Case.number).where(Case.id == logged.case_id)) == 1
    run_sweep(rt, clock.now(), handlers=recorder.handlers())
    assert recorder.messages("page_new_case") == []
    recorder.fail_next, recorder.failure = 1, RetryLater("HTTP 429", retry_after=20)
    base = clock.now()
    for seconds in range(0, 600, 15):
        run_sweep(rt, base + timedelta(seconds=seconds), handlers=recorder.handlers())
    pages = recorder.messages("page_new_case")
    assert sorted(p["recipient"] for p in pages) == sorted(set(p["recipient"] for p in pages))
    assert len(pages) == 2
    with rt.ctx.read() as session:
        pending = session.scalars(
            select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.SENT)
        ).all()
    assert pending == []
