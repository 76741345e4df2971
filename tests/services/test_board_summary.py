"""The group's report to the board: on resolution each chair is offered a summary (code
names, outcome, rule, dates; no narrative, no names); a chair sends it once, by mail to the
board through the outbox, and it is on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import NotPermitted
from slack_coc.domain.models import CaseEvent
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import board_summary
from tests.conftest import actor
from tests.factories import add_roster
from tests.records.conftest import decided_case

ANA, BEN, EVE = "U0ANA0001", "U0BEN0002", "U0EVE0005"
MARKER = "OTTER-BOARD-NARRATIVE-1188"


def intents(ctx: ServiceContext, template: str) -> list[OutboxMessage]:
    with ctx.read() as s:
        return [
            m
            for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.payload.get("template") == template
        ]


def test_chairs_are_offered_and_one_sends_it_once(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    number = decided_case(
        ctx,
        clock,
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        "warning",
        account=MARKER,
        involved_names=[f"Name {MARKER}"],
        violation_types=("Harassment",),
    )
    assert sorted(m.recipient for m in intents(ctx, "board_summary_offer")) == [ANA, EVE]
    with pytest.raises(NotPermitted, match="chair"):
        board_summary.send(ctx, actor(BEN), number)
    sent = board_summary.send(ctx, actor(ANA), number)
    [mail] = intents(ctx, "board_summary")
    assert mail.kind == "mail" and mail.payload["to"] == [ctx.board_address]
    body = mail.payload["body"]
    assert MARKER not in body and MARKER not in mail.payload["subject"]
    assert ": Warning" in body and "Rule applied: two members agree" in body
    assert "Received: 2026-03-02" in body and sent.body == body
    with pytest.raises(NotPermitted, match="already sent"):
        board_summary.send(ctx, actor(EVE), number)
    with ctx.read() as s:
        assert s.scalar(select(CaseEvent).where(CaseEvent.kind == "board_summary_sent"))


def test_an_unresolved_case_has_no_summary(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    number = decided_case(ctx, clock, datetime(2026, 3, 2, 9, tzinfo=UTC), resolve=False)
    with pytest.raises(NotPermitted, match="not resolved"):
        board_summary.send(ctx, actor(ANA), number)
    assert intents(ctx, "board_summary_offer") == []
