"""Two members clicking the same step at the same moment: exactly one wins, the other is told
who did it; no lost update, no duplicate event. Runs on PostgreSQL when
COC_TEST_DATABASE_URL is set (CI), and on SQLite otherwise."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import IllegalStep
from slack_coc.domain.models import Case, CaseEvent
from slack_coc.services import cases
from tests.conftest import actor
from tests.factories import add_roster, new_case

ROUNDS = 25


def race(ctx: ServiceContext, number: int, users: list[str]) -> tuple[list[str], list[str]]:
    barrier = threading.Barrier(len(users))
    winners: list[str] = []
    losers: list[str] = []
    lock = threading.Lock()

    def click(user: str) -> None:
        barrier.wait()
        try:
            cases.acknowledge(ctx, actor(user), number)
            with lock:
                winners.append(user)
        except IllegalStep as exc:
            with lock:
                losers.append(str(exc))

    threads = [threading.Thread(target=click, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return winners, losers


def test_simultaneous_acknowledge_has_one_winner_many_times(ctx: ServiceContext) -> None:
    add_roster(ctx)
    users = ["U0ANA0001", "U0BEN0002", "U0CAT0003"]
    for _ in range(ROUNDS):
        logged = new_case(ctx)
        winners, losers = race(ctx, logged.number, users)
        assert len(winners) == 1, (winners, losers)
        assert len(losers) == len(users) - 1
        assert all(f"already acknowledged (by <@{winners[0]}>)" in msg for msg in losers)
        with ctx.read() as s:
            acks = s.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == logged.case_id, CaseEvent.kind == "acknowledge")
            )
            case = s.get_one(Case, logged.case_id)
            responder = case.first_responder.user_id if case.first_responder else None
        assert acks == 1
        assert responder == winners[0]
