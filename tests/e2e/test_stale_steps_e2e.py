"""Card steps as people click them, over real HTTP: a stale "Take as shepherd" is refused
with what changed and changes nothing (changing the shepherd is its own step, with its own
modal and reason); "Acknowledge" on a report with a reporter's contact offers the
acknowledgement mail, with its template chosen, and acknowledging without it is recorded."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlalchemy import select

from slack_coc.domain.enums import Trigger
from slack_coc.domain.models import Case, CaseEvent, Member
from slack_coc.slack.ids import Action, Callback, step_action
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, action_ids
from tests.e2e.test_case_flow_e2e import (
    ACCOUNT_MARKER,
    BEN,
    CAT,
    CONTACT_MARKER,
    NAME_MARKER,
    calls_count,
    card,
    field,
    log_report,
    modal_after,
    reply_after,
    txt,
    values,
)
from tests.factories import add_roster

MARKERS = (ACCOUNT_MARKER, NAME_MARKER, CONTACT_MARKER)


def _case(server: AppServer) -> tuple[str, str | None, int]:
    """(state, shepherd's user id, number of timeline events) of case #1."""
    with server.rt.ctx.read() as session:
        case = session.scalars(select(Case).where(Case.number == 1)).one()
        shepherd = session.get(Member, case.shepherd_id) if case.shepherd_id else None
        events = len(list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))))
        return case.state, shepherd.user_id if shepherd else None, events


def _click(server: AppServer, user: str, message: Any, trigger: Trigger) -> str:
    before = calls_count(server)
    server.click_button(user, message, step_action(trigger), CHANNEL)
    return reply_after(server, before)


def test_a_stale_take_as_shepherd_is_refused_with_what_changed(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    server.deliver()
    _click(server, BEN, card(server), Trigger.ACKNOWLEDGE)
    server.deliver()
    stale = copy.deepcopy(card(server))
    assert step_action(Trigger.ASSIGN_SHEPHERD) in action_ids(stale.blocks)

    assert "shepherded" in _click(server, BEN, stale, Trigger.ASSIGN_SHEPHERD)
    server.deliver()
    taken = _case(server)
    assert taken[:2] == ("shepherded", BEN)
    dms_before = len(server.fake.dms(CAT)) + len(server.fake.dms(BEN))

    server.rt.ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
    refusal = _click(server, CAT, stale, Trigger.ASSIGN_SHEPHERD)
    assert f"<@{BEN}> took this case 2 minutes ago" in refusal, refusal
    assert "You are now" not in refusal and "shepherded" not in refusal.split(".")[0]
    assert not any(m in refusal for m in MARKERS)
    server.deliver()
    assert _case(server) == taken  # same shepherd, no new timeline event
    assert len(server.fake.dms(CAT)) + len(server.fake.dms(BEN)) == dms_before

    # Changing the shepherd is its own step: its own button, modal and reason.
    before = calls_count(server)
    server.click_button(CAT, card(server), step_action(Trigger.CHANGE_SHEPHERD), CHANNEL)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.ASSIGN_SHEPHERD.value
    assert form["title"]["text"] == "Change shepherd"
    assert "reason" in {b.get("block_id") for b in form["blocks"]}
    chosen = field("shepherd", {"type": "users_select", "selected_user": CAT})
    done = server.submit(CAT, form, values(chosen, field("reason", txt("Ben is away"))))
    assert done.json()["response_action"] == "update"
    assert _case(server)[:2] == ("shepherded", CAT)


def test_a_change_of_shepherd_opened_before_another_change_is_refused(
    app_server: AppServer,
) -> None:
    """The change modal says whom it replaces; if someone else changed the shepherd in the
    meantime, its submission is refused on the form and changes nothing."""
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    server.deliver()
    _click(server, BEN, card(server), Trigger.ACKNOWLEDGE)
    server.deliver()
    _click(server, BEN, card(server), Trigger.ASSIGN_SHEPHERD)
    server.deliver()
    forms = []
    for user in (CAT, BEN):
        before = calls_count(server)
        server.click_button(user, card(server), step_action(Trigger.CHANGE_SHEPHERD), CHANNEL)
        forms.append(modal_after(server, before))
    chosen = field("shepherd", {"type": "users_select", "selected_user": CAT})
    first = server.submit(CAT, forms[0], values(chosen, field("reason", txt("I have time"))))
    assert first.json()["response_action"] == "update"
    changed = _case(server)
    server.rt.ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
    chosen = field("shepherd", {"type": "users_select", "selected_user": "U0EVE0005"})
    late = server.submit(BEN, forms[1], values(chosen, field("reason", txt("Eve knows"))))
    errors = late.json()["errors"]
    assert any(f"<@{CAT}> took this case 5 minutes ago" in e for e in errors.values()), errors
    assert _case(server) == changed


def test_acknowledge_offers_the_acknowledgement_mail_with_its_template(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)  # the reporter left a contact (an email address)
    server.deliver()
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ACKNOWLEDGE), CHANNEL)
    reply_after(server, before)  # waits for it
    reply = next(c for c in server.fake.attempts()[before:] if c.method == "response_url")
    assert "acknowledged" in reply.text
    offer = json.dumps(reply.params.get("blocks", []))
    assert Action.MAIL_COMPOSE.value in offer, reply.params
    assert not any(m in json.dumps(reply.params) for m in MARKERS)
    # Acknowledged without a message (yet): on the timeline as such.
    with server.rt.ctx.read() as session:
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.kind == Trigger.ACKNOWLEDGE.value)
        ).one()
        assert event.data.get("reporter_told") is False

    # The offer's button opens the mail form with the acknowledgement template chosen.
    message = {"ts": "1790000999.000001", "text": reply.text, "blocks": reply.params["blocks"]}
    button = next(
        e
        for b in reply.params["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == Action.MAIL_COMPOSE.value
    )
    before = calls_count(server)
    server.click(
        BEN, Action.MAIL_COMPOSE.value, button["value"], channel_id=CHANNEL, message=message
    )
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.MAIL_COMPOSE.value
    assert json.loads(form["private_metadata"])["template"] == "acknowledgement"
    assert CONTACT_MARKER in json.dumps(form)  # the reporter's address, in the member's modal
