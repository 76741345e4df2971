"""A report for the chairs only, over HTTP: the reporter ticks the option on the form; no
card appears in the channel and only the chairs are paged; other members can't open it;
a chair opens it to the group with the member it concerns recused, and the card appears."""

from __future__ import annotations

from slack_coc.slack.ids import Action, Callback, Shortcut
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, action_ids
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
    EVE,
    calls_count,
    field,
    modal_after,
    reply_after,
    txt,
    values,
)
from tests.factories import add_roster

REPORTER = "U0REPORT77"
ACCOUNT_MARKER = "PELICAN-CHAIRS-ONLY-6620"


def cards(server: AppServer) -> list[object]:
    return [
        m
        for m in server.fake.messages(CHANNEL)
        if m.thread_ts is None and Action.OPEN_CASE.value in action_ids(m.blocks)
    ]


def test_a_chairs_only_report_reaches_the_chairs_alone_until_opened(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)  # Ana and Eve chair
    before = calls_count(server)
    server.shortcut(REPORTER, Shortcut.REPORT_CONCERN.value)
    form = modal_after(server, before)
    assert "Only the chairs should see this" in str(form["blocks"])
    done = server.submit(
        REPORTER,
        form,
        values(
            field("account", txt(f"About a member: {ACCOUNT_MARKER}")),
            field(
                "chairs_only",
                {"type": "checkboxes", "selected_options": [{"value": "yes"}]},
            ),
        ),
    )
    assert done.json()["response_action"] == "update", done.json()
    server.deliver()

    assert cards(server) == []  # nothing in the group's channel
    paged = {user for user in (ANA, BEN, CAT, DAN, EVE) if server.fake.dms(user)}
    assert paged and paged <= {ANA, EVE}
    for member in (BEN, CAT):
        before = calls_count(server)
        server.command(member, "show 1")
        assert "can't open that case" in reply_after(server, before)

    # Ana opens it to the group; it concerns Cat, who stays out.
    before = calls_count(server)
    server.command(ANA, f"open 1 <@{CAT}>")
    assert "open to the group" in reply_after(server, before)
    server.deliver()
    assert len(cards(server)) == 1
    before = calls_count(server)
    server.command(BEN, "show 1")
    detail = modal_after(server, before)
    assert detail["callback_id"] == Callback.CASE_DETAIL.value
    before = calls_count(server)
    server.command(CAT, "show 1")
    assert "can't open that case" in reply_after(server, before)
    for call in server.fake.attempts():
        if ACCOUNT_MARKER in str(call.params):
            assert call.method in ("views.open", "views.push", "views.update"), call.method
