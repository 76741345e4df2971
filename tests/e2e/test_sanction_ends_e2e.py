"""Sanction ends over HTTP: a decided suspension's end date prompts the shepherd (once, by
the due-work sweep), the person's request to return is recorded by a member, the conditions
for return are ticked off by members, and readmission is decided under the usual rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from slack_coc.domain.models import CaseEvent
from slack_coc.domain.sanction_models import Readmission
from slack_coc.mail.filing import file_message
from slack_coc.services.deadlines import sweep_due
from slack_coc.slack.ids import Callback
from tests.conftest import TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer
from tests.e2e.sanction_flow import BAD, decide_sanction
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
    calls_count,
    field,
    modal_after,
    opt,
    reply_after,
    txt,
    values,
)
from tests.factories import add_roster

CONDITIONS = ["Complete the community workshop", "Apologise in writing"]
MAIL_MARKER = "GANNET-REQUEST-MAIL-5150"
REQUEST_MAIL = (
    "From: Someone <someone@example.net>\r\nTo: conduct@example.org\r\n"
    "Subject: [CoC #1] May I come back?\r\nMessage-ID: <req-1@example.net>\r\n"
    "Date: Mon, 01 Mar 2027 10:00:00 +0000\r\n\r\n"
    f"I have done the workshop. {MAIL_MARKER}\r\n"
).encode()


def prompts(server: AppServer, user: str) -> list[str]:
    return [m.text for m in server.fake.dms(user) if "time to decide on readmission" in m.text]


def open_readmission(server: AppServer, user: str, number: int) -> dict:  # type: ignore[type-arg]
    before = calls_count(server)
    server.command(user, f"readmission {number}")
    return modal_after(server, before)


def review(server: AppServer, user: str, met: list[str], vote: str | None) -> str:
    form = open_readmission(server, user, 1)
    assert form["callback_id"] == Callback.READMISSION_REVIEW.value
    boxes = next(b for b in form["blocks"] if b.get("block_id") == "conditions")
    ids = {o["text"]["text"]: o["value"] for o in boxes["element"]["options"]}
    chosen = {
        "conditions": {
            "conditions": {
                "type": "checkboxes",
                "selected_options": [{"value": ids[text]} for text in met],
            }
        }
    }
    if vote:
        chosen.update(field("vote", {"type": "radio_buttons", "selected_option": {"value": vote}}))
    done = server.submit(user, form, chosen)
    assert done.json()["response_action"] == "update", done.json()
    return json.dumps(done.json()["view"])


def test_suspension_end_prompts_the_shepherd_and_readmission_is_decided(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    ctx = server.rt.ctx
    ends_on = ctx.clock.now().date() + timedelta(days=100)
    decide_sanction(server, 1, "suspension_extended", ends_on, "\n".join(CONDITIONS))

    # Not yet: the day before, the sweep prompts nobody.
    end = datetime.combine(ends_on, time(12, 0), tzinfo=UTC)
    ctx.clock.set(end - timedelta(days=1))
    sweep_due(ctx)
    server.deliver()
    assert prompts(server, BEN) == []

    # At the end date the shepherd (Ben) is prompted, and the channel; a second sweep at the
    # same instant (or later) sends nothing new.
    ctx.clock.set(end)
    sweep_due(ctx)
    server.deliver()
    assert len(prompts(server, BEN)) == 1
    channel_prompts = [
        m for m in server.fake.messages(CHANNEL) if "time to decide on readmission" in m.text
    ]
    assert len(channel_prompts) == 1
    posted = calls_count(server, "chat.postMessage")
    sweep_due(ctx)
    ctx.clock.advance(hours=6)
    sweep_due(ctx)
    server.deliver()
    assert calls_count(server, "chat.postMessage") == posted

    # The person writes to the mailbox; Ben records the request from that mail, with the
    # decision's conditions.
    with ctx.transaction() as session:
        assert file_message(session, ctx, TEAM, REQUEST_MAIL, len(REQUEST_MAIL), True, 1, 1)
    form = open_readmission(server, BEN, 1)
    assert form["callback_id"] == Callback.READMISSION_REQUEST.value
    assert CONDITIONS[0] in json.dumps(form)  # pre-filled from the decision
    assert MAIL_MARKER in json.dumps(form)  # and the request from their mail
    party = next(b for b in form["blocks"] if b.get("block_id") == "party")
    party_id = party["element"]["options"][0]["value"]
    blank = server.submit(
        BEN, form, values(field("party", opt(party_id)), field("request", txt(" ")))
    )
    assert blank.json()["response_action"] == "errors"
    done = server.submit(
        BEN,
        form,
        values(
            field("party", opt(party_id)),
            field("via", {"type": "radio_buttons", "selected_option": {"value": "mail"}}),
            field("request", txt("Asks to return to the forum.")),
            field("conditions", txt("\n".join(CONDITIONS))),
        ),
    )
    assert done.json()["response_action"] == "update", done.json()

    # Cat agrees before the conditions are met: no decision yet.
    text = review(server, CAT, [], "agree")
    assert "2 condition(s) for return still to tick off" in text
    # Dan ticks one condition, then both, agreeing: two members besides Ben agree.
    assert "1 condition(s)" in review(server, DAN, [CONDITIONS[0]], None)
    assert "Readmission decided" in review(server, DAN, CONDITIONS, "agree")

    with ctx.read() as session:
        readmission = session.scalars(select(Readmission)).one()
        assert readmission.status == "readmitted"
        assert all(c.met_at is not None for c in readmission.conditions)
        decided = session.scalars(select(CaseEvent).where(CaseEvent.kind == "readmitted")).one()
        assert decided.data["rule"] == "two members agree"
        assert sorted(decided.data["agreeing"]) == sorted([CAT, DAN])
    # Nothing is left open: another request form opens, not the finished checklist.
    assert open_readmission(server, ANA, 1)["callback_id"] == Callback.READMISSION_REQUEST.value


def test_readmission_from_a_ban_ends_it_for_the_organisers_check(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "permanent_ban", None)

    def check() -> str:
        before = calls_count(server)
        server.command(ANA, f"check <@{BAD}>")
        return reply_after(server, before)

    assert "Yes, contact the working group." in check()
    form = open_readmission(server, BEN, 1)
    party_id = next(b for b in form["blocks"] if b.get("block_id") == "party")["element"][
        "options"
    ][0]["value"]
    server.submit(
        BEN,
        form,
        values(
            field("party", opt(party_id)),
            field("via", {"type": "radio_buttons", "selected_option": {"value": "member"}}),
            field("request", txt("Asked Ben at the sprint.")),
        ),
    )
    form = open_readmission(server, CAT, 1)
    assert not [b for b in form["blocks"] if b.get("block_id") == "conditions"]
    vote = field("vote", {"type": "radio_buttons", "selected_option": {"value": "agree"}})
    server.submit(CAT, form, vote)
    assert "Yes, contact the working group." in check()  # one agreement is not enough
    done = server.submit(DAN, open_readmission(server, DAN, 1), vote)
    assert "Readmission decided" in json.dumps(done.json())
    assert "No record." in check()


def test_the_shepherd_can_close_a_request_and_the_sanction_stands(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "permanent_ban", None)
    form = open_readmission(server, BEN, 1)
    party_id = next(b for b in form["blocks"] if b.get("block_id") == "party")["element"][
        "options"
    ][0]["value"]
    server.submit(
        BEN,
        form,
        values(
            field("party", opt(party_id)),
            field("via", {"type": "radio_buttons", "selected_option": {"value": "mail"}}),
            field("request", txt("Would like to come back.")),
        ),
    )
    before = calls_count(server)
    server.command(CAT, "readmission 1 close")
    assert "Only the shepherd" in reply_after(server, before)
    before = calls_count(server)
    server.command(BEN, "readmission 1 close")
    assert "closed; the sanction stands" in reply_after(server, before)
    with server.rt.ctx.read() as session:
        assert session.scalars(select(Readmission)).one().status == "withdrawn"
    before = calls_count(server)
    server.command(ANA, f"check <@{BAD}>")
    assert "Yes, contact the working group." in reply_after(server, before)
