"""After the decision, over HTTP: the card waits for the reporter's feedback (Start actions
and Resolve are refused until it is recorded), then actions are recorded in rounds from the
card and Resolve appears once every action is done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import Action, Callback, step_action
from tests.e2e.conftest import CHANNEL, build_server, e2e_settings
from tests.e2e.harness import AppServer, action_ids
from tests.e2e.sanction_flow import decide_sanction
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    EVE,
    calls_count,
    card,
    case_state,
    field,
    modal_after,
    opt,
    reply_after,
    txt,
    values,
)
from tests.factories import add_roster
from tests.fakeslack import FakeSlack

FEEDBACK_MARKER = "KINGFISHER-FEEDBACK-3307"
ACTION_MARKER = "HERON-ACTION-9921"
BIAS_MARKER = "EGRET-BIAS-5150"


def card_text(server: AppServer) -> str:
    return str(card(server).blocks)


def resolve_form(server: AppServer, user: str, number: int) -> dict[str, Any]:
    before = calls_count(server)
    server.command(user, f"resolve {number}")
    return modal_after(server, before)


def test_feedback_then_actions_in_rounds_then_resolve(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "warning", None)

    # The card says what it waits for, and offers only the feedback.
    assert "waiting for the reporter's feedback" in card_text(server)
    buttons = action_ids(card(server).blocks)
    assert step_action(Trigger.RECORD_FEEDBACK) in buttons
    assert step_action(Trigger.RESOLVE) not in buttons
    assert step_action(Trigger.START_ACTIONS) not in buttons
    # The shepherd was asked, by DM, to send the proposed resolution and record the answer.
    assert any("is decided" in m.text for m in server.fake.dms(BEN))

    # A typed "resolve" is refused, with the reason, and nothing changes.
    before = calls_count(server)
    server.command(EVE, "resolve 1")
    assert "feedback" in reply_after(server, before)
    assert case_state(server) == "decided"

    # Ben records the feedback from the card's button; an empty form is refused in the modal.
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.RECORD_FEEDBACK), CHANNEL)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.RECORD_FEEDBACK.value
    empty = server.submit(BEN, form, values())
    assert empty.json()["response_action"] == "errors"
    assert "feedback" in empty.json()["errors"]
    ok = server.submit(BEN, form, values(field("feedback", txt(f"Fair: {FEEDBACK_MARKER}"))))
    assert ok.json()["response_action"] == "update", ok.json()
    server.deliver()
    assert "waiting for the reporter's feedback" not in card_text(server)

    # Start carrying out actions, then record the first round from the card.
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.START_ACTIONS), CHANNEL)
    reply_after(server, before)
    server.deliver()
    assert case_state(server) == "actions_ongoing"
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.RECORD_ACTIONS), CHANNEL)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.RECORD_ACTIONS.value
    ok = server.submit(
        BEN,
        form,
        values(
            field("what", txt(f"Send the warning {ACTION_MARKER}")),
            field("owner", {"type": "users_select", "selected_user": CAT}),
            field("due_on", {"type": "datepicker", "selected_date": "2027-01-10"}),
        ),
    )
    assert ok.json()["response_action"] == "update", ok.json()
    server.deliver()
    assert any("You own an action" in m.text for m in server.fake.dms(CAT))
    assert step_action(Trigger.RESOLVE) not in action_ids(card(server).blocks)

    # Cat marks it done; Resolve appears and Eve resolves.
    before = calls_count(server)
    server.click_button(CAT, card(server), step_action(Trigger.RECORD_ACTIONS), CHANNEL)
    form = modal_after(server, before)
    [option] = next(b for b in form["blocks"] if b.get("block_id") == "done")["element"]["options"]
    ok = server.submit(
        CAT,
        form,
        values(field("done", {"type": "checkboxes", "selected_options": [option]})),
    )
    assert ok.json()["response_action"] == "update", ok.json()
    server.deliver()
    assert step_action(Trigger.RESOLVE) in action_ids(card(server).blocks)
    ok = server.submit(
        EVE,
        resolve_form(server, EVE, 1),
        values(
            field("actions_taken", txt("Warned in writing.")),
            field("review_date", {"type": "datepicker", "selected_date": "2027-05-20"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert ok.json()["response_action"] == "update", ok.json()
    assert case_state(server) == "resolved"
    server.deliver()

    # The feedback and the action's text appear in no message: only the action's text, in
    # the actions form opened by a member of the case.
    for call in server.fake.attempts():
        text = json.dumps(call.params)
        assert FEEDBACK_MARKER not in text, call.method
        if ACTION_MARKER in text:
            assert call.method in ("views.open", "views.push"), call.method
            assert call.params["view"]["callback_id"] == Callback.RECORD_ACTIONS.value


@pytest.fixture
def board_server(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> Iterator[AppServer]:
    """An app whose group reports to a board (COC_BOARD_ADDRESS set)."""
    from slack_coc.runtime import build_runtime

    runtime = build_runtime(
        e2e_settings(fake_slack, database_url, COC_BOARD_ADDRESS="board@example.org"),
        clock=clock,
    )
    server = build_server(fake_slack, runtime)
    try:
        yield server
    finally:
        server.close()


def dm_with(server: AppServer, user: str, action_id: str) -> Any:
    return next(m for m in server.fake.dms(user) if action_id in action_ids(m.blocks))


def test_bias_question_and_board_summary_from_their_dms(board_server: AppServer) -> None:
    server = board_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "warning", None)

    # Ben, the new shepherd, was asked about biases when he took the case.
    question = dm_with(server, BEN, Action.BIAS_NONE.value)
    before = calls_count(server)
    server.click_button(BEN, question, Action.BIAS_NONE.value, server.fake.dm_channel(BEN))
    assert "no bias to disclose" in reply_after(server, before)

    before = calls_count(server)
    server.command(BEN, "feedback 1 Content with a warning.")
    reply_after(server, before)
    ok = server.submit(
        EVE,
        resolve_form(server, EVE, 1),
        values(
            field("actions_taken", txt("Warned in writing.")),
            field("review_date", {"type": "datepicker", "selected_date": "2027-05-20"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert ok.json()["response_action"] == "update", ok.json()
    server.deliver()

    # Ana and Eve chair: each is offered the summary; Ana sends it, Eve's click is refused.
    offer = dm_with(server, ANA, Action.BOARD_SUMMARY.value)
    assert dm_with(server, EVE, Action.BOARD_SUMMARY.value)
    assert dm_with(server, BEN, Action.BIAS_NONE.value)  # Ben is no chair: no offer
    assert not any(Action.BOARD_SUMMARY.value in action_ids(m.blocks) for m in server.fake.dms(BEN))
    before = calls_count(server)
    server.click_button(ANA, offer, Action.BOARD_SUMMARY.value, server.fake.dm_channel(ANA))
    assert "on its way to the board" in reply_after(server, before)
    before = calls_count(server)
    server.click_button(
        EVE,
        dm_with(server, EVE, Action.BOARD_SUMMARY.value),
        Action.BOARD_SUMMARY.value,
        server.fake.dm_channel(EVE),
    )
    assert "already sent" in reply_after(server, before)


def test_a_disclosed_bias_is_put_to_the_group(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "warning", None)
    question = dm_with(server, BEN, Action.BIAS_DISCLOSE.value)
    before = calls_count(server)
    server.click_button(BEN, question, Action.BIAS_DISCLOSE.value, server.fake.dm_channel(BEN))
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.BIAS_DISCLOSE.value
    done = server.submit(BEN, form, values(field("bias", txt(f"I know them {BIAS_MARKER}"))))
    assert done.json()["response_action"] == "update", done.json()
    server.deliver()
    review = next(
        m for m in server.fake.messages(CHANNEL) if Action.BIAS_KEEP.value in action_ids(m.blocks)
    )
    before = calls_count(server)
    server.click_button(CAT, review, Action.BIAS_KEEP.value, CHANNEL)
    assert "keep the shepherd" in reply_after(server, before)
    for call in server.fake.attempts():
        if BIAS_MARKER in json.dumps(call.params):
            assert call.method in ("views.open", "views.push", "views.update"), call.method
