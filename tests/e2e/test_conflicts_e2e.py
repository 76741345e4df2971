"""Conflicts of interest over real HTTP: a member named in a report never receives a single
Web API call carrying that case; votes from two members decide; a stale vote is refused."""

from __future__ import annotations

import json

from slack_coc.slack.ids import Action, Callback
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, action_ids
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
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


def calls_reaching(server: AppServer, user_id: str) -> list[str]:
    """Everything the app sent that `user_id` could see: their DMs, their App Home, their
    ephemerals and modals."""
    dm = "D" + user_id[1:]
    seen = []
    for call in server.fake.attempts():
        p = call.params
        if (
            p.get("channel") in (dm, user_id)
            or p.get("user_id") == user_id
            or p.get("user") == user_id
        ):
            seen.append(json.dumps(p))
    return seen


def test_member_named_in_a_report_never_hears_of_it(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    before = calls_count(server)
    server.command(ANA, "new")
    form = modal_after(server, before)
    done = server.submit(
        ANA,
        form,
        values(
            field("source", opt("in_person")),
            field("involved_user_ids", {"type": "multi_users_select", "selected_users": [CAT]}),
            field("account", txt("Cat said something hurtful at the sprint.")),
            field("ongoing", {"type": "radio_buttons", "selected_option": {"value": "No"}}),
        ),
    )
    assert done.json()["response_action"] == "update"
    with server.rt.ctx.read() as session:
        from slack_coc.domain.models import Case

        code_name = session.query(Case).one().code_name
    server.deliver()
    server.open_home(CAT)

    # The case moves on, worked by others.
    for member, action in ((BEN, "ack 1"), (BEN, "shepherd 1")):
        before = calls_count(server)
        server.command(member, action)
        reply_after(server, before)
    server.deliver()
    # The new shepherd is offered the "shepherd assigned" message to the reporter.
    shepherd_dm = [m for m in server.fake.dms(BEN) if "shepherd" in m.text]
    assert shepherd_dm and Action.MAIL_COMPOSE.value in action_ids(shepherd_dm[-1].blocks)
    before = calls_count(server)
    server.click_button(BEN, card(server), Action.PROPOSE.value, CHANNEL)
    proposal = modal_after(server, before)
    parties = json.loads(proposal["private_metadata"])["parties"]
    server.submit(
        BEN,
        proposal,
        values(field(f"outcome_{parties[0]}", opt("warning")), field("rationale", txt("Warn."))),
    )
    server.deliver()

    vote_message = next(
        m for m in server.fake.messages(CHANNEL) if Action.VOTE_AGREE.value in action_ids(m.blocks)
    )
    # Cat, the member concerned, tries to vote and to open the case: refused, nothing told.
    before = calls_count(server)
    server.click_button(CAT, vote_message, Action.VOTE_AGREE.value, CHANNEL)
    refusal = reply_after(server, before)
    assert code_name not in refusal and "#1" not in refusal
    before = calls_count(server)
    server.command(CAT, "show 1")
    assert code_name not in reply_after(server, before)
    assert case_state(server) == "discussed"

    # Two other members agree: decided.
    for member in (DAN, EVE):
        before = calls_count(server)
        server.click_button(member, vote_message, Action.VOTE_AGREE.value, CHANNEL)
        reply_after(server, before)
    assert case_state(server) == "decided"
    server.deliver()

    # A stale vote button after the decision is refused clearly and changes nothing.
    before = calls_count(server)
    server.click_button(ANA, vote_message, Action.VOTE_OBJECT.value, CHANNEL)
    stale = reply_after(server, before)
    assert "no open proposal" in stale or "out of date" in stale or "no longer" in stale
    assert case_state(server) == "decided"

    server.open_home(CAT)
    server.deliver()
    # The same scan finds the case in what reached a member who works it.
    server.open_home(BEN)
    assert any(code_name in text for text in calls_reaching(server, BEN))
    reaching_cat = calls_reaching(server, CAT)
    assert reaching_cat, "Cat's App Home was published: the scan below would prove nothing"
    for text in reaching_cat:
        assert code_name not in text and "#1" not in text, text[:300]
    modals_to_cat = [
        c
        for c in server.fake.attempts("views.open")
        if c.params.get("view", {}).get("callback_id") == Callback.CASE_DETAIL.value
        and c.params.get("user_id") == CAT
    ]
    assert modals_to_cat == []
