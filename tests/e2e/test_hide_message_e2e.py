"""\"Hide the message\" on a report made with "Report this message" (issue 25), over real
HTTP: with an admin user token the app deletes the message, records who and why, and keeps its
text as evidence; without one, the button says what to ask the workspace's admins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.domain.models import CaseEvent
from slack_coc.slack.ids import Action, Callback, Shortcut
from tests.e2e.conftest import CHANNEL, build_server, e2e_settings
from tests.e2e.harness import AppServer, action_ids
from tests.e2e.test_case_flow_e2e import BEN, calls_count, card, field, modal_after, txt, values
from tests.factories import add_roster
from tests.fakeslack import FakeSlack

ADMIN_TOKEN = "xoxp-admin-0000-fake-user-token"
GENERAL = "C0GENERAL1"
AUTHOR = "U0AUTHOR77"
REPORTER = "U0STRANGE9"
EVIDENCE = "something unkind EVIDENCE-MARKER-55"
REASON = "Harassing a newcomer; hidden while we look into it."


@pytest.fixture
def admin_server(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> Iterator[AppServer]:
    from slack_coc.runtime import build_runtime

    fake_slack.add_admin_token(ADMIN_TOKEN)
    rt = build_runtime(
        e2e_settings(fake_slack, database_url, SLACK_ADMIN_USER_TOKEN=ADMIN_TOKEN), clock=clock
    )
    server = build_server(fake_slack, rt)
    try:
        yield server
    finally:
        server.close()
        rt.engine.dispose()


def _report_the_message(server: AppServer) -> Any:
    posted = server.fake.seed_message(GENERAL, AUTHOR, EVIDENCE)
    message = {"ts": posted.ts, "text": posted.text, "user": AUTHOR}
    before = calls_count(server)
    server.interactive(
        server.payloads.message_shortcut(REPORTER, Shortcut.REPORT_MESSAGE.value, message, GENERAL)
    )
    form = modal_after(server, before)
    done = server.submit(REPORTER, form, values(field("account", txt("That message."))))
    assert done.json()["response_action"] == "update"
    server.deliver()
    return posted


def _click_hide(server: AppServer) -> dict[str, Any]:
    the_card = card(server)
    assert Action.HIDE_MESSAGE.value in action_ids(the_card.blocks)
    before = calls_count(server)
    server.click_button(BEN, the_card, Action.HIDE_MESSAGE.value, CHANNEL)
    return modal_after(server, before)


def test_hide_the_message_deletes_it_with_the_admin_token_and_keeps_the_evidence(
    admin_server: AppServer,
) -> None:
    server = admin_server
    add_roster(server.rt.ctx)
    posted = _report_the_message(server)

    form = _click_hide(server)
    assert form["callback_id"] == Callback.HIDE_MESSAGE.value
    blank = server.submit(BEN, form, values(field("reason", txt("  "))))
    assert "reason" in json.dumps(blank.json())
    assert any(m.ts == posted.ts for m in server.fake.messages(GENERAL))  # nothing done yet
    done = server.submit(BEN, form, values(field("reason", txt(REASON))))
    assert done.json()["response_action"] == "update"
    server.deliver()

    [deleted] = server.fake.calls("chat.delete")
    assert deleted.params["channel"] == GENERAL and deleted.params["ts"] == posted.ts
    assert all(m.ts != posted.ts for m in server.fake.messages(GENERAL))
    with server.rt.ctx.read() as session:
        event = session.scalar(select(CaseEvent).where(CaseEvent.kind == "message_hidden"))
        assert event is not None and event.actor_user_id == BEN
        assert REASON in (event.note or "") and EVIDENCE in (event.note or "")
    # The thread says who hid it; the reason and the text stay in the details modal only.
    thread = [m.text for m in server.fake.messages(CHANNEL) if m.thread_ts]
    assert any("hid the reported message" in t and BEN in t for t in thread)
    assert EVIDENCE not in json.dumps([m.blocks for m in server.fake.messages(CHANNEL)])
    before = calls_count(server)
    server.command(BEN, "show 1")
    detail = json.dumps(modal_after(server, before))
    assert EVIDENCE in detail and REASON in detail

    # The card no longer offers it; a click on an older copy is refused plainly.
    assert Action.HIDE_MESSAGE.value not in action_ids(card(server).blocks)
    before = calls_count(server)
    server.click(BEN, Action.HIDE_MESSAGE.value, "1")
    assert "already hidden" in json.dumps(modal_after(server, before))
    assert len(server.fake.calls("chat.delete")) == 1


def test_without_an_admin_token_the_button_says_what_to_ask_the_admins(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    posted = _report_the_message(server)
    shown = json.dumps(_click_hide(server))
    assert "admins" in shown and "SLACK_ADMIN_USER_TOKEN" in shown
    assert f"archives/{GENERAL}/p{posted.ts.replace('.', '')}" in shown  # the permalink
    assert server.fake.attempts("chat.delete") == []
    assert any(m.ts == posted.ts for m in server.fake.messages(GENERAL))
