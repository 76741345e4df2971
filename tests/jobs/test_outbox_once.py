"""`enqueue_once`: an intent with a dedupe key is written once, whoever asks again, and
whichever of two transactions racing for the key commits first (one statement, no savepoint:
the unique key decides)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from slack_coc.context import ServiceContext
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from tests.conftest import PG_URL, TEAM


def _once(ctx: ServiceContext, key: str, recipient: str = "U0A") -> int | None:
    with ctx.transaction() as session:
        return enqueue_once(
            session,
            dedupe_key=key,
            team_id=TEAM,
            kind=Intent.DM,
            now=ctx.clock.now(),
            recipient=recipient,
            payload={"template": "page_new_case"},
        )


def _rows(ctx: ServiceContext, key: str) -> list[OutboxMessage]:
    with ctx.read() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)))
        session.expunge_all()
        return rows


def test_a_key_is_written_once_and_the_second_ask_writes_nothing(ctx: ServiceContext) -> None:
    first = _once(ctx, "page:1:new:primary")
    again = _once(ctx, "page:1:new:primary", recipient="U0B")
    other = _once(ctx, "page:1:new:secondary")

    assert first is not None and other is not None and first != other
    assert again is None
    (row,) = _rows(ctx, "page:1:new:primary")
    assert row.id == first and row.recipient == "U0A" and row.status == OutboxStatus.PENDING
    assert row.payload == {"template": "page_new_case"} and row.channel == "slack"


def test_a_taken_key_leaves_the_rest_of_the_transaction_intact(ctx: ServiceContext) -> None:
    _once(ctx, "receipt:7")
    with ctx.transaction() as session:
        now = ctx.clock.now()
        assert (
            enqueue_once(session, dedupe_key="receipt:7", team_id=TEAM, kind="dm", now=now) is None
        )
        assert enqueue_once(session, dedupe_key="receipt:8", team_id=TEAM, kind="dm", now=now)
    assert len(_rows(ctx, "receipt:7")) == 1 and len(_rows(ctx, "receipt:8")) == 1


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: two writers at once (CI sets it)")
def test_two_transactions_racing_for_a_key_write_it_once(ctx: ServiceContext) -> None:
    first_written = threading.Event()
    results: dict[str, int | None] = {}

    def first() -> None:
        with ctx.transaction() as session:
            results["first"] = enqueue_once(
                session, dedupe_key="race", team_id=TEAM, kind="dm", now=ctx.clock.now()
            )
            first_written.set()
            threading.Event().wait(0.5)  # the second waits on the key meanwhile

    thread = threading.Thread(target=first)
    thread.start()
    first_written.wait(5)
    results["second"] = _once(ctx, "race")
    thread.join()

    assert results["first"] is not None and results["second"] is None
    with ctx.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedupe_key == "race")
        )
    assert count == 1
