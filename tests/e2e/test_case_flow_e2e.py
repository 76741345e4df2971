"""A whole case over real HTTP: `/coc new` to resolved, driven by signed slash commands,
card clicks and modal submissions from different members, against the fake Slack Web API.
Confidential markers never leave the app except in a detail modal to a permitted member."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest

from slack_coc.domain.enums import Trigger
from slack_coc.domain.models import Case
from slack_coc.slack.ids import Action, Callback, step_action
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, action_ids, wait_for
from tests.factories import add_roster

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"
ACCOUNT_MARKER = "QUOKKA-ACCOUNT-5521"
NAME_MARKER = "Wombat Narrative-Name 8812"
CONTACT_MARKER = "reporter-8812@example.org"
# Modals that may carry report content, to a member allowed to see the case.
DETAIL_CALLBACKS = {Callback.CASE_DETAIL.value, Callback.PROPOSE.value}


def txt(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def opt(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def field(block: str, value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block: {block: value}}


def values(*fields: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for f in fields:
        merged.update(f)
    return merged


def calls_count(server: AppServer, method: str | None = None) -> int:
    return len(server.fake.attempts(method))


def reply_after(server: AppServer, before: int) -> str:
    """The text of the first response_url reply recorded after call number `before`."""

    def found() -> str | None:
        for call in server.fake.attempts()[before:]:
            if call.method == "response_url":
                return call.text
        return None

    return str(wait_for(found, what="an ephemeral reply"))


def modal_after(server: AppServer, before: int) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for call in server.fake.attempts()[before:]:
            if call.method in ("views.open", "views.push") and call.ok:
                return dict(server.fake.views[call.response["view"]["id"]])
        return None

    return dict(wait_for(found, what="a modal"))


def card(server: AppServer) -> Any:
    roots = [
        m
        for m in server.fake.messages(CHANNEL)
        if m.thread_ts is None and Action.OPEN_CASE.value in action_ids(m.blocks)
    ]
    assert roots, "no case card in the channel"
    return roots[0]


def case_state(server: AppServer, number: int = 1) -> str:
    with server.rt.ctx.read() as session:
        case = session.query(Case).filter_by(number=number).one()
        return case.state


def log_report(server: AppServer, user: str = ANA) -> None:
    before = calls_count(server)
    assert server.command(user, "new").status == 200
    view = modal_after(server, before)
    assert view["callback_id"] == Callback.LOG_REPORT.value
    response = server.submit(
        user,
        view,
        values(
            field("source", opt("email")),
            field("reporter_contact", {"type": "email_text_input", "value": CONTACT_MARKER}),
            field("involved_names", txt(NAME_MARKER)),
            field("account", txt(f"What happened: {ACCOUNT_MARKER}")),
            field("ongoing", {"type": "radio_buttons", "selected_option": {"value": "No"}}),
        ),
    )
    assert response.status == 200
    assert response.json()["response_action"] == "update"
    assert "#1" in json.dumps(response.json()["view"])


def test_whole_case_from_new_to_resolved(
    app_server: AppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    server = app_server
    add_roster(server.rt.ctx)

    log_report(server)
    server.deliver()
    first_card = copy.deepcopy(card(server))
    assert step_action(Trigger.ACKNOWLEDGE) in action_ids(first_card.blocks)

    # Ben acknowledges from the card.
    before = calls_count(server)
    server.click_button(BEN, first_card, step_action(Trigger.ACKNOWLEDGE), CHANNEL)
    assert "acknowledged" in reply_after(server, before)
    server.deliver()
    assert case_state(server) == "acknowledged"

    # A second click on the old card is refused, naming the current state; nothing changes.
    before = calls_count(server)
    server.click_button(CAT, first_card, step_action(Trigger.ACKNOWLEDGE), CHANNEL)
    refusal = reply_after(server, before)
    assert "already acknowledged" in refusal.lower()
    assert case_state(server) == "acknowledged"

    # Ben takes the case as shepherd from the refreshed card.
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ASSIGN_SHEPHERD), CHANNEL)
    assert "shepherded" in reply_after(server, before)
    server.deliver()

    # Ben proposes a warning for the reported person.
    before = calls_count(server)
    server.click_button(BEN, card(server), Action.PROPOSE.value, CHANNEL)
    proposal_form = modal_after(server, before)
    assert proposal_form["callback_id"] == Callback.PROPOSE.value
    parties = json.loads(proposal_form["private_metadata"])["parties"]
    assert len(parties) == 1
    blank = server.submit(
        BEN,
        proposal_form,
        values(field(f"outcome_{parties[0]}", opt("warning")), field("rationale", txt("  "))),
    )
    assert blank.json() == {
        "response_action": "errors",
        "errors": {"rationale": "This can't be blank."},
    }
    done = server.submit(
        BEN,
        proposal_form,
        values(
            field(f"outcome_{parties[0]}", opt("warning")),
            field("rationale", txt("A first warning.")),
        ),
    )
    assert done.json()["response_action"] == "update"
    assert case_state(server) == "discussed"
    server.deliver()

    # Cat and Dan agree from the vote request message: two members other than the proposer.
    vote_message = next(
        m for m in server.fake.messages(CHANNEL) if Action.VOTE_AGREE.value in action_ids(m.blocks)
    )
    for member in (CAT, DAN):
        before = calls_count(server)
        server.click_button(member, vote_message, Action.VOTE_AGREE.value, CHANNEL)
        reply_after(server, before)
    assert case_state(server) == "decided"
    server.deliver()

    # Nothing is carried out before the reporter has answered: Ben records their feedback.
    before = calls_count(server)
    server.command(BEN, "feedback #1 The reporter finds a warning fair.")
    reply_after(server, before)
    server.deliver()

    # Eve resolves through the modal opened by `/coc resolve 1`.
    before = calls_count(server)
    server.command(EVE, "resolve #1")
    resolve_form = modal_after(server, before)
    assert resolve_form["callback_id"] == Callback.RESOLVE.value
    past = server.submit(
        EVE,
        resolve_form,
        values(
            field("actions_taken", txt("Warned in writing.")),
            field("review_date", {"type": "datepicker", "selected_date": "2020-01-01"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert past.json()["response_action"] == "errors"
    assert "review_date" in past.json()["errors"]
    ok = server.submit(
        EVE,
        resolve_form,
        values(
            field("actions_taken", txt("Warned in writing.")),
            field("review_date", {"type": "datepicker", "selected_date": "2027-05-20"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert ok.json()["response_action"] == "update"
    assert case_state(server) == "resolved"
    server.deliver()

    # Ana opens the case: the only place where the report's content goes.
    before = calls_count(server)
    server.command(ANA, "show 1")
    detail = modal_after(server, before)
    assert detail["callback_id"] == Callback.CASE_DETAIL.value
    assert ACCOUNT_MARKER in json.dumps(detail)

    assert_markers_only_in_detail_modals(server)
    for marker in (ACCOUNT_MARKER, NAME_MARKER, CONTACT_MARKER):
        assert marker not in caplog.text
    assert caplog.records, "nothing was logged at all: the check above would prove nothing"


def assert_markers_only_in_detail_modals(server: AppServer) -> None:
    for call in server.fake.attempts():
        text = json.dumps(call.params)
        leaked = [m for m in (ACCOUNT_MARKER, NAME_MARKER, CONTACT_MARKER) if m in text]
        if not leaked:
            continue
        view = call.params.get("view") or {}
        assert call.method in ("views.open", "views.push", "views.update"), (call.method, leaked)
        assert view.get("callback_id") in DETAIL_CALLBACKS, (view.get("callback_id"), leaked)
