"""Delivering outbox intents to the fake Slack: what services write is what members see,
exactly once, and never anything confidential."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.config import Settings
from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole, Trigger
from slack_coc.domain.models import Case, Party
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.runtime import Runtime
from slack_coc.services import cases, conflicts, decisions, emergency, members
from slack_coc.services.decisions import OutcomeInput
from slack_coc.slack.ids import Action, step_action
from slack_coc.slack.outbound import handlers
from tests.conftest import actor
from tests.e2e.harness import action_ids
from tests.factories import add_roster, new_case
from tests.fakeslack import FakeSlack

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"
CHANNEL = "C0COCGROUP"
MARKERS = {
    "account": "NARRATIVE-MARKER-5521",
    "involved": "INVOLVED-NAME-MARKER-8812",
    "witness": "WITNESS-NAME-MARKER-3390",
    "reporter": "REPORTER-NAME-MARKER-1177",
    "contact": "contact-marker-4410@example.org",
    "rationale": "RATIONALE-MARKER-9034",
    "where": "WHEN-WHERE-MARKER-2201",
}


@pytest.fixture
def deliver(ctx: ServiceContext, engine: Engine, fake_slack: FakeSlack) -> Any:
    rt = Runtime(Settings(COC_CHANNEL_ID=CHANNEL), engine, ctx)
    dispatcher = OutboxDispatcher(ctx, handlers(rt, fake_slack.client(timeout=1)))
    return dispatcher.deliver_due


def roots(fake: FakeSlack) -> list[Any]:
    return [m for m in fake.messages(CHANNEL) if m.thread_ts is None]


def statuses(ctx: ServiceContext) -> dict[str, int]:
    with ctx.read() as s:
        rows = s.scalars(select(OutboxMessage.status))
        out: dict[str, int] = {}
        for status in rows:
            out[status] = out.get(status, 0) + 1
        return out


def test_card_is_posted_once_then_edited_in_place_with_a_thread(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    deliver()
    [card] = roots(fake_slack)
    assert card.text.startswith(f"Case #1 {logged.code_name}")
    assert action_ids(card.blocks) == [
        step_action(Trigger.ACKNOWLEDGE),
        Action.PEOPLE,
        Action.OPEN_CASE,
    ]
    with ctx.read() as s:
        row = s.get(Case, logged.case_id)
        assert row is not None and (row.card_channel_id, row.card_ts) == (CHANNEL, card.ts)

    edits = card.edits
    cases.acknowledge(ctx, actor(ANA), 1)
    deliver()
    [card] = roots(fake_slack)  # still one root message
    assert card.edits == edits + 1 and "Acknowledged" in card.text
    assert action_ids(card.blocks) == [
        step_action(Trigger.ASSIGN_SHEPHERD),
        Action.PEOPLE,
        Action.OPEN_CASE,
    ]
    updates = fake_slack.calls("chat.update")
    assert {c.params["ts"] for c in updates} == {card.ts}
    thread = [m.text for m in fake_slack.messages(CHANNEL) if m.thread_ts == card.ts]
    assert thread == [
        "A report was logged · Received (source: slack)",
        f"<@{ANA}> acknowledged · Received → Acknowledged",
    ]


def test_pages_go_by_dm_with_acknowledge_and_open_buttons(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx, ongoing="Maybe")  # flagged, not urgent (urgent pages every level)
    deliver()
    assert len(fake_slack.calls("conversations.open")) == 2
    for user_id in logged.paged_user_ids:
        [page] = fake_slack.dms(user_id)
        assert f"#1* {logged.code_name}" in page.blocks[0]["text"]["text"]
        assert "ongoing: maybe" in page.text
        assert action_ids(page.blocks) == [step_action(Trigger.ACKNOWLEDGE), Action.OPEN_CASE]


def test_recused_member_gets_no_dm_even_if_recused_after_the_page_was_written(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    paged = logged.paged_user_ids[1]
    conflicts.recuse(ctx, actor(paged), 1, "personal_relationship")
    deliver()
    assert fake_slack.dms(paged) == []
    assert len(fake_slack.dms(logged.paged_user_ids[0])) == 1
    assert statuses(ctx).get(OutboxStatus.CANCELLED) == 1


def test_member_the_report_concerns_gets_no_dm(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx, involved_user_ids=[CAT])
    with ctx.transaction() as s:  # a page written for Cat anyway (e.g. by an older rota)
        enqueue(
            s,
            team_id="T0TEAM0001",
            kind=Intent.DM,
            now=ctx.clock.now(),
            recipient=CAT,
            case_id=logged.case_id,
            payload={"template": "page_reminder", "level": "primary"},
        )
    deliver()
    assert fake_slack.dms(CAT) == []


def test_rate_limit_then_success_delivers_each_message_exactly_once(
    ctx: ServiceContext, clock: FrozenClock, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    fake_slack.fail("chat.postMessage", status=429, retry_after=3)
    deliver()
    assert roots(fake_slack) == []
    for user_id in logged.paged_user_ids:  # Slack limited the card's call, not the DMs'
        assert len(fake_slack.dms(user_id)) == 1
    with ctx.read() as s:  # Retry-After is honoured and is not counted as a failed attempt
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.last_error.is_not(None)))
        assert [(i.next_attempt_at, i.attempts) for i in waiting] == [
            (clock.now() + timedelta(seconds=3), 0)
        ]
    fake_slack.fail("chat.postMessage", status=500, times=2)
    fake_slack.hang("chat.postMessage", seconds=3)  # then a timeout
    clock.advance(seconds=4)
    for _ in range(6):
        deliver()
        clock.advance(seconds=301)
    assert len(roots(fake_slack)) == 1
    for user_id in logged.paged_user_ids:
        assert len(fake_slack.dms(user_id)) == 1
    assert len([m for m in fake_slack.messages(CHANNEL) if m.thread_ts]) == 1
    assert set(statuses(ctx)) == {OutboxStatus.SENT}
    assert len(fake_slack.attempts("chat.postMessage")) > len(fake_slack.calls("chat.postMessage"))


def test_unknown_template_fails_clearly_and_sends_nothing(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    with ctx.transaction() as s:
        enqueue(
            s,
            team_id="T0TEAM0001",
            kind=Intent.CHANNEL,
            now=ctx.clock.now(),
            payload={"template": "no_such_template"},
        )
    deliver()
    with ctx.read() as s:
        item = s.scalar(select(OutboxMessage))
        assert item is not None and item.status == OutboxStatus.PENDING
        assert "no message template 'no_such_template'" in (item.last_error or "")
    assert fake_slack.calls("chat.postMessage") == []


def test_reporter_gets_their_own_receipt_and_nothing_else(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    other = new_case(ctx)
    reporter = "U0OUTSIDER9"
    mine = new_case(ctx, by=ANA, reporter_user_id=reporter, source="slack")
    deliver()
    [receipt] = fake_slack.dms(reporter)
    assert "What happens next" in receipt.text and f"#{mine.number}" in receipt.text
    assert other.code_name not in receipt.text and mine.code_name not in receipt.text
    assert fake_slack.home(reporter) is None  # not a member: no App Home published


def test_home_is_republished_for_every_active_member(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    roster = add_roster(ctx)
    logged = new_case(ctx, involved_user_ids=[DAN])
    deliver()
    assert {c.params["user_id"] for c in fake_slack.calls("views.publish")} == set(roster)
    dan_home = fake_slack.home(DAN)
    assert dan_home is not None and logged.code_name not in str(dan_home)


def test_vote_request_has_agree_object_abstain_buttons(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    number, parties = _shepherded(ctx)
    pid = decisions.propose(
        ctx, actor(BEN), number, [OutcomeInput(p, "warning") for p in parties], "r"
    )
    deliver()
    [notice] = [m for m in roots(fake_slack) if "proposed" in m.text]
    assert action_ids(notice.blocks)[:3] == [
        Action.VOTE_AGREE,
        Action.VOTE_OBJECT,
        Action.VOTE_ABSTAIN,
    ]
    assert notice.blocks[-1]["elements"][0]["value"] == f"{number}:{pid}"


def test_no_marker_from_reports_or_notes_reaches_slack_or_the_logs(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # slack_sdk logs request bodies at DEBUG
    # The running app holds these at WARNING (configure_logging, run by any CLI test before
    # this one): open them here so the test sees what a verbose library would write.
    for name in ("slack_sdk", "slack_bolt"):
        caplog.set_level(logging.DEBUG, logger=name)
    number, parties = _shepherded(
        ctx,
        account=f"It happened: {MARKERS['account']}",
        involved_names=[MARKERS["involved"]],
        witness_names=[MARKERS["witness"]],
        reporter_name=MARKERS["reporter"],
        reporter_contact=MARKERS["contact"],
        reporter_user_id="U0OUTSIDER9",
        when_where=MARKERS["where"],
        safety_risk=True,
        ongoing="Yes",
    )
    outcomes = [OutcomeInput(p, "warning") for p in parties]
    decisions.propose(ctx, actor(BEN), number, outcomes, MARKERS["rationale"])
    decisions.vote(ctx, actor(CAT), number, "agree")
    decisions.vote(ctx, actor(DAN), number, "agree")
    cases.record_feedback(ctx, actor(BEN), number, MARKERS["account"])
    cases.resolve(
        ctx, actor(BEN), number, actions_taken=MARKERS["rationale"], review_date=date(2027, 1, 4)
    )
    emergency.record_emergency_action(
        ctx, actor(EVE), number, MARKERS["account"]
    ) if False else None
    deliver()
    sent = fake_slack.all_text()
    assert "Resolved" in sent and fake_slack.calls("chat.update")
    assert "chat.update" in caplog.text  # the debug log did record the requests
    for name, marker in MARKERS.items():
        assert marker not in sent, f"{name} marker reached Slack"
        assert marker not in caplog.text, f"{name} marker reached a log line"


def _shepherded(ctx: ServiceContext, **kw: object) -> tuple[int, list[int]]:
    add_roster(ctx)
    logged = new_case(ctx, **{"involved_names": ["Reported Person"], **kw})
    cases.acknowledge(ctx, actor(ANA), logged.number)
    cases.assign_shepherd(ctx, actor(BEN), logged.number)
    with ctx.read() as s:
        parties = list(
            s.scalars(
                select(Party.id).where(
                    Party.case_id == logged.case_id, Party.role == PartyRole.REPORTED.value
                )
            )
        )
    return logged.number, parties


def test_per_workspace_client_source_is_asked_for_the_items_team(
    ctx: ServiceContext, engine: Engine, fake_slack: FakeSlack
) -> None:
    asked: list[str] = []

    def client_for(team_id: str) -> Any:
        asked.append(team_id)
        if team_id != "T0TEAM0001":
            raise LookupError(f"no installation for workspace {team_id}")
        return fake_slack.client()

    add_roster(ctx)
    new_case(ctx)
    rt = Runtime(Settings(COC_CHANNEL_ID=CHANNEL), engine, ctx)
    OutboxDispatcher(ctx, handlers(rt, client_for)).deliver_due()
    assert set(asked) == {"T0TEAM0001"} and len(roots(fake_slack)) == 1
    with ctx.transaction() as s:
        enqueue(
            s,
            team_id="T0GONE0009",
            kind=Intent.CHANNEL,
            now=ctx.clock.now(),
            payload={"template": "outbox_parked", "count": 1},
        )
    OutboxDispatcher(ctx, handlers(rt, client_for)).deliver_due()
    with ctx.read() as s:
        item = s.scalar(select(OutboxMessage).where(OutboxMessage.team_id == "T0GONE0009"))
        assert item is not None and "no installation" in (item.last_error or "")


def test_member_removed_before_delivery_gets_no_case_dm(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    logged = new_case(ctx)
    removed = logged.paged_user_ids[0]
    members.remove_member(ctx, "T0TEAM0001", removed)
    deliver()
    assert fake_slack.dms(removed) == []
    assert len(fake_slack.dms(logged.paged_user_ids[1])) == 1


def test_one_member_refused_by_slack_does_not_block_the_others_homes(
    ctx: ServiceContext, deliver: Any, fake_slack: FakeSlack
) -> None:
    roster = add_roster(ctx)
    with ctx.transaction() as s:
        enqueue(s, team_id="T0TEAM0001", kind=Intent.HOME, now=ctx.clock.now())
    fake_slack.fail("views.publish", status=200, error="user_not_found")  # the first member
    deliver()
    assert set(statuses(ctx)) == {OutboxStatus.SENT}  # no item failed for one member
    [refused] = [c for c in fake_slack.attempts("views.publish") if not c.ok]
    assert refused.params["user_id"] == roster[0]
    first_item = fake_slack.attempts("views.publish")[: len(roster)]
    assert [c.params["user_id"] for c in first_item] == roster


def test_card_posted_by_a_thread_note_that_then_fails_is_not_posted_twice(
    ctx: ServiceContext, clock: FrozenClock, deliver: Any, fake_slack: FakeSlack
) -> None:
    add_roster(ctx)
    new_case(ctx)
    # The "logged" note is delivered first: it posts the card (ok), then its note fails.
    fake_slack.fail("chat.postMessage", status=500, after=1)
    deliver()
    clock.advance(seconds=10)
    deliver()
    [card] = roots(fake_slack)
    notes = [m.text for m in fake_slack.messages(CHANNEL) if m.thread_ts == card.ts]
    assert notes == ["A report was logged · Received (source: slack)"]
    assert set(statuses(ctx)) == {OutboxStatus.SENT}


def test_a_persons_dm_channel_is_opened_once_and_again_when_it_is_gone(
    ctx: ServiceContext, engine: Engine, fake_slack: FakeSlack
) -> None:
    """Pages to the on-call pair come one after another: after the first, each costs one
    Slack call (the DM channel is remembered). If Slack says the remembered channel is gone,
    it is opened again and the message still arrives, once."""
    rt = Runtime(Settings(COC_CHANNEL_ID=CHANNEL), engine, ctx)
    deliverers = handlers(rt, fake_slack.client(timeout=1))
    deliver = OutboxDispatcher(ctx, deliverers).deliver_due
    add_roster(ctx)
    first = new_case(ctx, ongoing="Maybe")
    deliver()
    paged = first.paged_user_ids
    assert len(fake_slack.calls("conversations.open")) == len(paged)
    second = new_case(ctx, ongoing="Maybe")
    deliver()
    assert len(fake_slack.calls("conversations.open")) == len(paged)  # remembered
    for user_id in paged:
        assert any(f"#{second.number}*" in json.dumps(m.blocks) for m in fake_slack.dms(user_id))

    remembered = deliverers[Intent.DM].__self__._dm_channels  # type: ignore[attr-defined]
    stale = paged[0]
    remembered[("T0TEAM0001", stale)] = "D0GONE0001"  # as before a reinstallation
    fake_slack.gone_channels.add("D0GONE0001")
    third = new_case(ctx, ongoing="Maybe")
    deliver()
    assert len(fake_slack.calls("conversations.open")) == len(paged) + 1  # opened again
    refused = [
        c for c in fake_slack.attempts("chat.postMessage") if c.params["channel"] == "D0GONE0001"
    ]
    assert len(refused) == 1
    for user_id in paged:
        pages = [m for m in fake_slack.dms(user_id) if f"#{third.number}*" in json.dumps(m.blocks)]
        assert len(pages) == 1
