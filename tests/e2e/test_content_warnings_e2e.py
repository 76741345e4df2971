"""Content warnings over HTTP: a report flagged on the form opens behind its warning, with
no text of the report until "Show the report" is clicked; a member flags a report later
with `/coc warn`; a member who asked in App Home to be always warned is warned on every
report. The kinds of content never leave the detail modal."""

from __future__ import annotations

import json
from typing import Any

from slack_coc.slack.ids import Action, Callback
from tests.e2e.harness import AppServer, find_button, wait_for
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
    EVE,
    calls_count,
    field,
    modal_after,
    opt,
    txt,
    values,
)
from tests.factories import add_roster

FLAGGED_MARKER = "KESTREL-FLAGGED-ACCOUNT-3391"
PLAIN_MARKER = "PLOVER-PLAIN-ACCOUNT-7710"


def log(server: AppServer, account: str, warnings: list[str]) -> None:
    before = calls_count(server)
    server.command(ANA, "new")
    view = modal_after(server, before)
    assert "content_warnings" in json.dumps(view["blocks"])  # the form offers the flag
    chosen = {"type": "checkboxes", "selected_options": [{"value": w} for w in warnings]}
    response = server.submit(
        ANA,
        view,
        values(
            field("source", opt("email")),
            field("account", txt(account)),
            field("ongoing", {"type": "radio_buttons", "selected_option": {"value": "No"}}),
            field("content_warnings", chosen),
        ),
    )
    assert response.json()["response_action"] == "update", response.json()


def show(server: AppServer, user: str, number: int) -> dict[str, Any]:
    before = calls_count(server)
    server.command(user, f"show {number}")
    view = modal_after(server, before)
    assert view["callback_id"] == Callback.CASE_DETAIL.value
    return view


def click_show_report(server: AppServer, user: str, view: dict[str, Any]) -> dict[str, Any]:
    button = find_button(view["blocks"], Action.SHOW_REPORT.value)
    before = calls_count(server, "views.update")
    server.click(
        user, Action.SHOW_REPORT.value, button["value"], block_id=button["_block_id"], view=view
    )
    wait_for(lambda: calls_count(server, "views.update") > before, what="views.update")
    return dict(server.fake.views[view["id"]])


def test_flagged_report_shows_no_text_until_show_the_report(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log(server, f"What happened: {FLAGGED_MARKER}", ["sexual_violence", "self_harm"])
    log(server, f"What happened: {PLAIN_MARKER}", [])
    server.deliver()

    gated = show(server, BEN, 1)
    text = json.dumps(gated)
    assert FLAGGED_MARKER not in text
    assert "Sexual violence" in text and "Self-harm" in text
    assert "Show the report" in text
    assert "What happened" not in text  # no report field, not even its label

    shown = click_show_report(server, BEN, gated)
    assert FLAGGED_MARKER in json.dumps(shown)
    assert "Sexual violence" in json.dumps(shown)  # still said above the text

    # An unflagged report opens as before.
    assert PLAIN_MARKER in json.dumps(show(server, CAT, 2))

    # Cat flags it later: the next reader is warned first.
    before = calls_count(server)
    server.command(CAT, "warn 2")
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.CONTENT_WARNING.value
    saved = server.submit(
        CAT,
        form,
        field(
            "content_warnings",
            {"type": "checkboxes", "selected_options": [{"value": "slurs"}]},
        ),
    )
    assert saved.json()["response_action"] == "update"
    later = json.dumps(show(server, EVE, 2))
    assert PLAIN_MARKER not in later and "Slurs" in later

    # The kinds of content never reach a channel message, a DM or App Home.
    server.deliver()
    for call in server.fake.attempts():
        if call.method in ("views.open", "views.push", "views.update"):
            continue
        sent = json.dumps(call.params)
        for word in ("Sexual violence", "Self-harm", "Slurs", FLAGGED_MARKER, PLAIN_MARKER):
            assert word not in sent, (call.method, word)


def test_a_member_can_ask_in_app_home_to_be_always_warned(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log(server, f"What happened: {PLAIN_MARKER}", [])
    server.deliver()
    assert PLAIN_MARKER in json.dumps(show(server, DAN, 1))

    server.open_home(DAN)
    home = wait_for(lambda: server.fake.home(DAN), what="App Home")
    button = find_button(home["blocks"], Action.ALWAYS_WARN.value)
    assert button["value"] == "on"
    server.click(DAN, Action.ALWAYS_WARN.value, "on", block_id=button["_block_id"], view=home)
    wait_for(
        lambda: (
            find_button(server.fake.home(DAN)["blocks"], Action.ALWAYS_WARN.value)["value"] == "off"
        ),
        what="the switch turned on",
    )

    gated = show(server, DAN, 1)
    assert PLAIN_MARKER not in json.dumps(gated)
    assert "You asked to be warned" in json.dumps(gated)
    assert PLAIN_MARKER in json.dumps(click_show_report(server, DAN, gated))
    # Only Dan asked: Ben still sees the report at once.
    assert PLAIN_MARKER in json.dumps(show(server, BEN, 1))
