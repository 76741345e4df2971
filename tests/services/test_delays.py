"""Delays are told (docs/process.md "Deadlines"): past the resolution target the shepherd is
asked for a delay note; the note moves the target, the group is told, and the reporter can
be sent the "update" message with the new date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.read_models import cases as queries
from slack_coc.read_models.case_views import DELAY_NOTE_DUE
from slack_coc.services import cases, deadlines
from slack_coc.services import mail as mail_service
from slack_coc.slack import outbound  # noqa: F401  (registers the message templates)
from slack_coc.slack.blocks.messages import MessageInput, render
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN = "U0ANA0001", "U0BEN0002"


def shepherded(ctx: ServiceContext, **kw: object) -> int:
    add_roster(ctx)
    number = new_case(ctx, **kw).number
    cases.acknowledge(ctx, actor(ANA), number)
    cases.assign_shepherd(ctx, actor(BEN), number)
    return number


def test_past_the_target_the_shepherd_is_asked_for_a_delay_note(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    number = shepherded(ctx)
    clock.advance(days=7, hours=1)
    deadlines.sweep_due(ctx)
    with ctx.read() as s:
        asked = [
            m
            for m in s.scalars(select(OutboxMessage))
            if m.payload.get("template") == "resolution_overdue"
        ]
    assert sorted((m.kind, m.recipient) for m in asked) == [("channel", None), ("dm", BEN)]
    dm = next(m for m in asked if m.kind == "dm")
    text = render(MessageInput("resolution_overdue", dm.payload)).text
    assert f"/coc delay {number} YYYY-MM-DD reason" in text
    # The card says so until the shepherd moves the target.
    assert DELAY_NOTE_DUE in queries.list_cases(ctx, actor(BEN))[0].flags
    deadlines.delay_resolution(ctx, actor(BEN), number, date(2026, 12, 18), "Waiting.")
    assert DELAY_NOTE_DUE not in queries.list_cases(ctx, actor(BEN))[0].flags


def test_the_update_message_gives_the_new_date(ctx: ServiceContext) -> None:
    number = shepherded(ctx, reporter_contact="rae@example.org")
    assert mail_service.reporter_reachable(ctx, actor(BEN), number) == number
    deadlines.delay_resolution(ctx, actor(BEN), number, date(2026, 12, 18), "Waiting on a witness.")
    draft = mail_service.compose(ctx, actor(BEN), number, "update")
    assert draft.to == ["rae@example.org"] and draft.subject.endswith("An update on your report")
    assert "We now expect to come back to you by Friday 18 December 2026" in draft.body
    assert "Waiting on a witness" not in draft.body  # the member writes what the reporter reads


def test_no_offer_without_an_address(ctx: ServiceContext) -> None:
    number = shepherded(ctx, reporter_contact="")
    assert mail_service.reporter_reachable(ctx, actor(BEN), number) is None
