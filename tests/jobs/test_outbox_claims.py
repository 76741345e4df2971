"""SQLite delivery: an item being delivered is claimed; a claim by a live process is
respected, a claim by a dead process is void at once, any claim ends with its lease."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.jobs import outbox
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.queues import claims
from slack_coc.queues.outbox import enqueue
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from tests.conftest import PG_URL, TEAM

# PostgreSQL locks the item's row instead (tests/jobs/test_processes.py covers it).
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="claims are how SQLite delivers")


@pytest.fixture
def item_id(ctx: ServiceContext) -> int:
    with ctx.transaction() as session:
        item = enqueue(session, team_id=TEAM, kind="dm", now=ctx.clock.now(), recipient="U0X")
        assert item is not None
        session.flush()
        return item.id


def claim(ctx: ServiceContext, item_id: int, by: str, seconds: float = 300) -> None:
    with ctx.transaction() as session:
        item = session.get_one(OutboxMessage, item_id)
        item.claimed_by = by
        item.claimed_until = ctx.clock.now() + timedelta(seconds=seconds)


def status(ctx: ServiceContext, item_id: int) -> str:
    with ctx.read() as session:
        return session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == item_id)) or ""


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_claims_on_sqlite(ctx: ServiceContext, item_id: int, clock) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    dispatcher = OutboxDispatcher(ctx, {"dm": lambda s, item: sent.append(item.id)})

    claim(ctx, item_id, f"{claims._HOST}:{os.getpid()}:other")  # a live worker has it
    assert dispatcher.deliver_due() == 0 and sent == []
    claim(ctx, item_id, f"{claims._HOST}:{dead_pid()}:gone")  # its worker was killed
    assert dispatcher.deliver_due() == 1 and sent == [item_id]
    assert status(ctx, item_id) == OutboxStatus.SENT


def test_a_lease_ends_even_for_a_live_claim(ctx: ServiceContext, item_id: int, clock) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    claim(ctx, item_id, f"{claims._HOST}:{os.getpid()}:stuck", seconds=60)
    clock.advance(seconds=61)
    assert OutboxDispatcher(ctx, {"dm": lambda s, item: sent.append(item.id)}).deliver_due() == 1


def test_before_external_call_commits_so_no_lock_is_held(ctx: ServiceContext, item_id: int) -> None:
    seen: list[bool] = []

    def handler(session, item) -> None:  # type: ignore[no-untyped-def]
        outbox.before_external_call()
        seen.append(session.in_transaction())

    OutboxDispatcher(ctx, {"dm": handler}).deliver_due()
    assert seen == [False]
    assert status(ctx, item_id) == OutboxStatus.SENT


def test_one_delivery_per_case_at_a_time(ctx: ServiceContext) -> None:
    """While one item of a case is being delivered (its card's ts perhaps not recorded yet),
    another dispatcher leaves the case's other items for the next round: two dispatchers (the
    sweep and the pump, or two workers) once posted a case's card twice."""
    from slack_coc.domain.models import Case
    from tests.factories import add_roster, new_case

    add_roster(ctx)
    number = new_case(ctx).number
    with ctx.read() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
    with ctx.transaction() as session:
        mine = enqueue(session, team_id=TEAM, kind="dm", now=ctx.clock.now(), recipient="U0A",
                       case_id=case.id)  # fmt: skip
        other = enqueue(session, team_id=TEAM, kind="dm", now=ctx.clock.now(), recipient="U0B")
        assert mine is not None and other is not None
        session.flush()
        ids = (mine.id, other.id)
    with ctx.read() as session:
        pending = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.id != ids[0],
            OutboxMessage.status == OutboxStatus.PENDING)))  # fmt: skip
    in_flight = pending[0].id  # the case's own card item, say, mid-delivery elsewhere
    claim(ctx, in_flight, f"{claims._HOST}:{os.getpid()}:busy")
    sent: list[int] = []
    dispatcher = OutboxDispatcher(ctx, {"dm": lambda s, item: sent.append(item.id)})
    dispatcher.deliver_due()
    assert ids[1] in sent and ids[0] not in sent  # other cases go on; this case waits
    claim(ctx, in_flight, f"{claims._HOST}:{dead_pid()}:gone")  # that delivery's worker died
    dispatcher.deliver_due()
    assert ids[0] in sent
