"""Shepherd bias disclosure on every nomination: the new shepherd is asked each time; a
disclosure reaches the group (without its text) with "Keep" / "Pick another shepherd"; the
first answer from another member is recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import CaseEvent
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import bias, cases
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004"
BIAS = "SECRET-BIAS-4411"


def intents(ctx: ServiceContext, template: str) -> list[OutboxMessage]:
    with ctx.read() as s:
        return [
            m
            for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if m.payload.get("template") == template
        ]


def events(ctx: ServiceContext, kind: str) -> list[CaseEvent]:
    with ctx.read() as s:
        return list(s.scalars(select(CaseEvent).where(CaseEvent.kind == kind)))


def test_every_nomination_asks_the_new_shepherd(ctx: ServiceContext) -> None:
    add_roster(ctx)
    number = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), number)
    cases.assign_shepherd(ctx, actor(BEN), number)  # Ben takes it
    cases.assign_shepherd(ctx, actor(ANA), number, CAT, seen_shepherd=BEN)  # Cat is given it
    assert [m.recipient for m in intents(ctx, "bias_question")] == [BEN, CAT]
    with pytest.raises(NotPermitted, match="Only the shepherd"):
        bias.no_bias(ctx, actor(BEN), number)  # no longer the shepherd
    bias.no_bias(ctx, actor(CAT), number)
    assert [e.actor_user_id for e in events(ctx, "bias_none")] == [CAT]


def test_a_disclosure_goes_to_the_group_and_the_first_answer_stands(ctx: ServiceContext) -> None:
    add_roster(ctx)
    number = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), number)
    cases.assign_shepherd(ctx, actor(BEN), number)
    with pytest.raises(InvalidInput):
        bias.disclose(ctx, actor(BEN), number, "  ")
    bias.disclose(ctx, actor(BEN), number, f"I moderated them once {BIAS}")
    [posted] = intents(ctx, "bias_review")
    assert posted.kind == "channel" and BIAS not in str(posted.payload)
    [disclosure] = events(ctx, "bias_disclosed")
    assert BIAS in (disclosure.note or "")
    with pytest.raises(NotPermitted, match="not you"):
        bias.answer(ctx, actor(BEN), number, disclosure.id, bias.KEEP)
    assert bias.answer(ctx, actor(CAT), number, disclosure.id, bias.REPLACE) == "replace"
    with pytest.raises(NotPermitted, match="Already answered"):
        bias.answer(ctx, actor(DAN), number, disclosure.id, bias.KEEP)
    [answer] = events(ctx, "bias_answer")
    assert answer.data == {"answer": "replace", "disclosure": disclosure.id}
    assert len(intents(ctx, "bias_pick_another")) == 1


def test_a_disclosure_in_the_nomination_form_is_posted_for_an_answer(ctx: ServiceContext) -> None:
    add_roster(ctx)
    number = new_case(ctx).number
    cases.acknowledge(ctx, actor(ANA), number)
    cases.assign_shepherd(ctx, actor(ANA), number, DAN, bias_disclosure=f"Same employer {BIAS}")
    assert intents(ctx, "bias_question") == []  # asked and answered in the form
    [posted] = intents(ctx, "bias_review")
    assert posted.payload["shepherd"] == DAN
    [disclosure] = events(ctx, "bias_disclosed")
    assert bias.answer(ctx, actor(CAT), number, disclosure.id, bias.KEEP) == "keep"
    with pytest.raises(NotPermitted):
        bias.answer(ctx, actor(DAN), number, disclosure.id, bias.KEEP)  # Dan is the shepherd
