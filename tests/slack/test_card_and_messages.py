"""Pure builders: the case card offers exactly the steps the lifecycle allows (plus the
modal-backed ones), every template renders valid Block Kit, Slack errors map to retries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.jobs.delivery_errors import RetryLater
from slack_coc.read_models.case_views import CaseView, DeadlineView
from slack_coc.slack.blocks.card import build_card, offered_steps
from slack_coc.slack.blocks.messages import (
    TEMPLATES,
    MessageInput,
    UnknownTemplate,
    render,
)
from slack_coc.slack.blocks.thread_notes import ThreadNote, thread_note
from slack_coc.slack.ids import Action, step_action, trigger_of
from slack_coc.slack.outbound import SlackCallFailed, slack_call
from tests.e2e.harness import action_ids
from tests.fakeslack import FakeSlack, spec

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VIEW = CaseView(
    id=1,
    team_id="T0TEAM0001",
    number=7,
    code_name="amber heron",
    state=CaseState.RECEIVED,
    source="slack",
    safety_risk=True,
    ongoing="Yes",
    handled_locally=True,
    severe=False,
    received_at=AT,
    shepherd_user_id=None,
    first_responder_user_id=None,
    next_deadline=DeadlineView("ack", AT),
    allowed=(Trigger.ACKNOWLEDGE, Trigger.KEEP_ON_FILE),
    flags=("safety risk", "ongoing: yes"),
)


@pytest.mark.parametrize(
    "state, allowed, expected",
    [
        (CaseState.RECEIVED, (Trigger.ACKNOWLEDGE,), [Trigger.ACKNOWLEDGE]),
        (CaseState.ACKNOWLEDGED, (Trigger.ASSIGN_SHEPHERD,), [Trigger.ASSIGN_SHEPHERD]),
        (CaseState.DISCUSSED, (Trigger.DECIDE, Trigger.CHANGE_SHEPHERD), [Trigger.CHANGE_SHEPHERD]),
        (
            CaseState.DECIDED,
            (Trigger.RESOLVE, Trigger.START_ACTIONS),
            [Trigger.START_ACTIONS, Trigger.RESOLVE],
        ),
        (CaseState.RESOLVED, (Trigger.REOPEN,), [Trigger.REOPEN]),
    ],
)
def test_card_offers_the_allowed_steps_except_automatic_ones(
    state: CaseState, allowed: tuple[Trigger, ...], expected: list[Trigger]
) -> None:
    assert offered_steps(replace(VIEW, state=state, allowed=allowed)) == expected


def test_card_shows_number_code_name_state_deadline_flags_and_buttons() -> None:
    card = build_card(VIEW)
    assert spec.check_blocks(card["blocks"]) == []
    text = str(card["blocks"])
    assert "#7 amber heron" in text and "Received" in text and "first response" in text
    assert "safety risk" in text and "ongoing: yes" in text
    assert action_ids(card["blocks"]) == [
        step_action(Trigger.ACKNOWLEDGE),
        step_action(Trigger.KEEP_ON_FILE),
        Action.PEOPLE,
        Action.OPEN_CASE,
    ]
    shepherded = build_card(
        replace(
            VIEW,
            state=CaseState.SHEPHERDED,
            allowed=(),
            shepherd_user_id="U0BEN0002",
            reported_people=1,
        )
    )
    assert "<@U0BEN0002>" in str(shepherded["blocks"])
    assert Action.PROPOSE in action_ids(shepherded["blocks"])


def test_a_case_naming_nobody_as_reported_asks_to_identify_them_instead_of_proposing() -> None:
    card = build_card(replace(VIEW, state=CaseState.SHEPHERDED, allowed=(), reported_people=0))
    ids = action_ids(card["blocks"])
    assert Action.IDENTIFY_PEOPLE in ids and Action.PROPOSE not in ids
    assert "Identify reported people" in str(card["blocks"])


SAMPLE_PAYLOAD: dict[str, Any] = {
    "case_number": 7,
    "code_name": "amber heron",
    "flags": ["safety risk"],
    "level": "primary",
    "label": "resolution target",
    "due_at": "2026-11-30T12:00:00+00:00",
    "review_due": "2026-11-24T10:00:00+00:00",
    "respond_by": "2026-11-30",
    "audience": "shepherd",
    "shepherd": "U0BEN0002",
    "actor": "U0CAT0003",
    "by": "U0CAT0003",
    "proposal_id": 3,
    "role": "primary",
    "partner": "U0DAN0004",
    "week_starts_at": "2026-11-23T12:00:00+00:00",
    "week_ends_at": "2026-11-30T12:00:00+00:00",
    "open_count": 3,
    "open_cases": [1, 2],
    "this_week": {"primary": "U0ANA0001", "secondary": "U0BEN0002"},
    "next_week": None,
    "count": 2,
    "case_numbers": [1, 7],
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_valid_blocks_with_and_without_a_case(name: str) -> None:
    for case in (VIEW, None):
        rendered = render(MessageInput(name, SAMPLE_PAYLOAD, case, "U0ANA0001"))
        assert rendered.text.strip()
        assert spec.check_blocks(rendered.blocks) == [], name


def test_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(UnknownTemplate, match="no message template 'nope'"):
        render(MessageInput("nope", {}))


def test_thread_note_never_carries_the_event_note_or_who_logged_a_report() -> None:
    logged = thread_note(ThreadNote("logged", "U0ANA0001", None, "received", {"source": "slack"}))
    assert "U0ANA0001" not in logged.text and "logged" in logged.text
    step = thread_note(ThreadNote("acknowledge", "U0ANA0001", "received", "acknowledged", {}))
    assert step.text == "<@U0ANA0001> acknowledged · Received → Acknowledged"
    resolved = thread_note(
        ThreadNote("resolve", "U0BEN0002", "decided", "resolved", {"review_date": "2027-01-04"})
    )
    assert "review date: 2027-01-04" in resolved.text


def test_reporter_receipt_names_no_code_name_and_no_other_case() -> None:
    rendered = render(MessageInput("reporter_receipt", {"respond_by": "2026-11-30"}, VIEW))
    assert "#7" in rendered.text and "amber heron" not in rendered.text
    assert "Monday 30 November 2026" in rendered.text


def test_slack_errors_map_to_retry_or_failure() -> None:
    with FakeSlack() as fake:
        client = fake.client(timeout=1)
        fake.fail("chat.postMessage", status=429, retry_after=9)
        with pytest.raises(RetryLater) as limited:
            slack_call(client.chat_postMessage, channel="C1", text="x")
        assert limited.value.retry_after == 9
        fake.fail("chat.postMessage", status=503)
        with pytest.raises(RetryLater) as unavailable:
            slack_call(client.chat_postMessage, channel="C1", text="x")
        assert unavailable.value.retry_after is None
        fake.hang("chat.postMessage", seconds=3)
        with pytest.raises(RetryLater):
            slack_call(client.chat_postMessage, channel="C1", text="x")
        with pytest.raises(SlackCallFailed, match="message_not_found"):
            slack_call(client.chat_update, channel="C1", ts="1.2", text="x")
        assert slack_call(client.chat_postMessage, channel="C1", text="x")["ok"]


def test_review_date_shows_on_the_card() -> None:
    card = build_card(replace(VIEW, state=CaseState.RESOLVED, review_date=date(2027, 1, 4)))
    assert "2027-01-04" in str(card["blocks"])


@settings(max_examples=60, deadline=None)
@given(
    state=st.sampled_from(list(CaseState)),
    allowed=st.sets(st.sampled_from(list(Trigger))),
    flags=st.sets(st.sampled_from(["safety risk", "ongoing: yes", "handled locally"])),
    shepherd=st.one_of(st.none(), st.just("U0BEN0002")),
    deadline=st.booleans(),
    code_name=st.text(min_size=1, max_size=60).filter(str.strip),
)
def test_any_card_is_valid_block_kit_with_only_offered_steps(
    state: CaseState,
    allowed: set[Trigger],
    flags: set[str],
    shepherd: str | None,
    deadline: bool,
    code_name: str,
) -> None:
    view = replace(
        VIEW,
        state=state,
        allowed=tuple(t for t in Trigger if t in allowed),
        flags=tuple(sorted(flags)),
        shepherd_user_id=shepherd,
        next_deadline=DeadlineView("resolution", AT) if deadline else None,
        code_name=code_name,
    )
    card = build_card(view)
    assert spec.check_blocks(card["blocks"]) == []
    ids = action_ids(card["blocks"])
    steps = [trigger_of(i) for i in ids if trigger_of(i) is not None]
    assert Trigger.DECIDE not in steps
    modal_backed = {
        Trigger.ASSIGN_SHEPHERD: {CaseState.ACKNOWLEDGED},
        Trigger.RESOLVE: {CaseState.DECIDED, CaseState.ACTIONS_ONGOING},
    }
    assert all(s in allowed or state in modal_backed.get(s, set()) for s in steps)
    assert ids[-1] == Action.OPEN_CASE


def test_deadline_notice_says_label_date_and_audience() -> None:
    payload = {"label": "resolution target", "due_at": "2026-11-30T12:00:00+00:00"}
    to_channel = render(MessageInput("deadline_nearing", payload, VIEW))
    to_shepherd = render(
        MessageInput("deadline_nearing", {**payload, "audience": "shepherd"}, VIEW)
    )
    assert "Resolution target for #7 amber heron is due" in to_channel.text
    assert "2026-11-30 12:00 UTC" in str(to_channel.blocks)
    assert "shepherd" not in str(to_channel.blocks)
    assert "You are its shepherd." in str(to_shepherd.blocks)


def test_notification_text_keeps_emoji_names_and_date_tokens() -> None:
    rendered = render(
        MessageInput("deadline_passed", {"label": "x", "due_at": "2026-11-30T12:00:00+00:00"}, VIEW)
    )
    assert rendered.text.startswith(":alarm_clock: ")
    assert "{date_short_pretty}" in rendered.text and "*" not in rendered.text
