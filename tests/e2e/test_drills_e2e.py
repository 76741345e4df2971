"""Drills over HTTP: `/coc drill` logs a practice case that pages the on-call pair, is
worked to resolution by several members, is marked DRILL on the card, the DMs, App Home and
the modals, and is left out of the records export, the statistics and retention."""

from __future__ import annotations

import json

from sqlalchemy import update

from slack_coc.domain.enums import Trigger
from slack_coc.domain.models import Case
from slack_coc.reports.periods import Period
from slack_coc.reports.records import record_rows
from slack_coc.reports.transparency import transparency_report
from slack_coc.services import retention
from slack_coc.slack.ids import Action, Callback, step_action
from tests.conftest import TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer
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


def work_to_resolution(server: AppServer, number: int) -> None:
    """Acknowledge, shepherd, propose, two votes, resolve: the ordinary path."""
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ACKNOWLEDGE), CHANNEL)
    assert reply_after(server, before).startswith("DRILL")  # the clicker's reply too
    server.deliver()
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ASSIGN_SHEPHERD), CHANNEL)
    reply_after(server, before)
    server.deliver()
    before = calls_count(server)
    server.click_button(BEN, card(server), Action.PROPOSE.value, CHANNEL)
    form = modal_after(server, before)
    assert "DRILL" in json.dumps(form["blocks"])  # the step modal says so too
    party = json.loads(form["private_metadata"])["parties"][0]
    done = server.submit(
        BEN,
        form,
        values(field(f"outcome_{party}", opt("warning")), field("rationale", txt("Practice."))),
    )
    assert done.json()["response_action"] == "update"
    server.deliver()
    for member in (CAT, DAN):
        before = calls_count(server)
        server.command(member, f"vote {number} agree")
        reply_after(server, before)
    assert case_state(server, number) == "decided"
    server.deliver()
    before = calls_count(server)
    server.command(BEN, f"feedback {number} Practice feedback.")
    reply_after(server, before)
    before = calls_count(server)
    server.command(EVE, f"resolve {number}")
    resolve_form = modal_after(server, before)
    ok = server.submit(
        EVE,
        resolve_form,
        values(
            field("actions_taken", txt("Practice warning.")),
            field("review_date", {"type": "datepicker", "selected_date": "2027-05-20"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert ok.json()["response_action"] == "update", ok.json()
    server.deliver()


def test_drill_is_paged_worked_to_the_end_and_never_counted(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)

    before = calls_count(server)
    assert server.command(ANA, "drill").status == 200
    reply = reply_after(server, before)
    assert "DRILL" in reply and "#1" in reply
    server.deliver()

    # The card and the on-call pages say DRILL; so do App Home and the details modal.
    drill_card = card(server)
    assert drill_card.blocks[0]["text"]["text"].startswith("DRILL")
    assert drill_card.text.startswith("DRILL")
    paged = [u for u in (ANA, BEN, CAT, DAN, EVE) if server.fake.dms(u)]
    assert len(paged) == 2, paged
    for user in paged:
        assert all("DRILL" in m.text for m in server.fake.dms(user))
    server.open_home(BEN)
    assert "DRILL" in json.dumps(server.fake.home(BEN))
    before = calls_count(server)
    server.command(BEN, "show 1")
    detail = modal_after(server, before)
    assert detail["callback_id"] == Callback.CASE_DETAIL.value
    assert "DRILL" in json.dumps(detail["blocks"])

    work_to_resolution(server, 1)
    assert case_state(server, 1) == "resolved"
    server.deliver()
    # Every note in the card's thread says DRILL too.
    notes = [m for m in server.fake.messages(CHANNEL) if m.thread_ts == card(server).ts]
    assert len(notes) >= 5
    assert all(m.text.startswith("DRILL") for m in notes), [m.text for m in notes]

    ctx = server.rt.ctx
    period = Period.parse(str(ctx.clock.now().year))

    def counted() -> tuple[list[list[str]], int, list[int]]:
        with ctx.read() as session:
            rows = list(record_rows(session, TEAM))
            stats = transparency_report(session, TEAM, period, threshold=0)
        plan = [item.number for item in retention.plan(ctx, team_id=TEAM)]
        return rows, stats.current.values["Reports"], plan

    rows, reports, plan = counted()
    assert rows == [] and reports == 0 and plan == []

    # The same case, were it real, would be in all three: the checks above can fail.
    with ctx.transaction() as session:
        session.execute(update(Case).values(drill=False))
    rows, reports, plan = counted()
    assert len(rows) == 1 and reports == 1 and plan == [1]
