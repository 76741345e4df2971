"""The inbound surface over real HTTP: signatures, strangers, the reporting shortcuts,
App Home, help, health."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from slack_coc.context import Actor
from slack_coc.domain.enums import Trigger
from slack_coc.domain.models import AccessLog, Case
from slack_coc.services import cases, conflicts
from slack_coc.slack.ids import Action, Callback, Shortcut, step_action
from tests.conftest import OTHER_TEAM, TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, sign
from tests.e2e.test_case_flow_e2e import (
    ACCOUNT_MARKER,
    ANA,
    BEN,
    CAT,
    NAME_MARKER,
    calls_count,
    field,
    log_report,
    modal_after,
    reply_after,
    txt,
    values,
)
from tests.factories import add_roster

STRANGER = "U0STRANGE9"


def case_count(server: AppServer) -> int:
    with server.rt.ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_forged_or_stale_signatures_are_refused_with_401_and_nothing_happens(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    body = urlencode(server.payloads.slash_command(ANA, "new"))
    now = int(time.time())
    forged = server.post(body, signature=sign("not-the-secret", str(now), body))
    stale_ts = now - 10 * 60
    stale = server.post(
        body, timestamp=stale_ts, signature=sign(server.secret, str(stale_ts), body)
    )
    unsigned = server.post(body, signature="")
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    # A tampered body under a valid signature of another body.
    other = urlencode(server.payloads.slash_command(ANA, "list"))
    tampered = server.post(body, timestamp=now, signature=sign(server.secret, str(now), other))
    assert tampered.status == 401
    time.sleep(0.2)  # a listener that (wrongly) ran would have called Slack by now
    assert server.fake.attempts() == []
    assert case_count(server) == 0


def test_non_member_commands_are_refused_ephemerally(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    for text in ("list", "show 1", "new", "ack 1", "oncall"):
        before = calls_count(server)
        assert server.command(STRANGER, text).status == 200
        reply = reply_after(server, before)
        assert "Only members" in reply or "can't open that case" in reply, (text, reply)
        assert ACCOUNT_MARKER not in reply
    assert server.fake.attempts("views.open")[-1].params["view"]["callback_id"] == (
        Callback.LOG_REPORT.value
    )  # the only modal is Ana's own form
    with server.rt.ctx.read() as session:
        assert session.scalar(select(Case.state)) == "received"


def test_a_member_id_from_another_workspace_is_a_stranger(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    payload = server.payloads.slash_command(ANA, "ack 1")
    payload["team_id"] = OTHER_TEAM
    before = calls_count(server)
    server.post(urlencode(payload))
    assert "Only members" in reply_after(server, before)
    click = server.payloads.block_actions(BEN, step_action(Trigger.ACKNOWLEDGE), "1")
    click["team"] = {"id": OTHER_TEAM, "domain": "elsewhere"}
    click["user"]["team_id"] = OTHER_TEAM
    before = calls_count(server)
    server.interactive(click)
    assert "Only members" in reply_after(server, before)
    with server.rt.ctx.read() as session:
        assert session.scalar(select(Case.state)) == "received"


def test_recused_member_gets_the_same_answer_as_for_a_missing_case(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    conflicts.recuse(server.rt.ctx, Actor(TEAM, CAT), 1, "personal_relationship")
    answers = []
    for ref in ("1", "99"):
        before = calls_count(server)
        server.click(CAT, Action.OPEN_CASE.value, ref)
        answers.append(reply_after(server, before))
    assert answers[0] == answers[1]
    assert server.fake.attempts("views.open")[-1].params["view"]["callback_id"] != (
        Callback.CASE_DETAIL.value
    )
    with server.rt.ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(AccessLog)) == 0


def test_unknown_input_gets_help_and_help_lists_every_subcommand(app_server: AppServer) -> None:
    server = app_server
    before = calls_count(server)
    server.command(ANA, "frobnicate 12")
    reply = reply_after(server, before)
    assert "frobnicate" in reply
    for usage in ("help", "new", "list", "show CASE", "oncall", "ack CASE", "resolve CASE"):
        assert f"/coc {usage}" in reply


def test_report_concern_shortcut_from_anyone_confirms_by_dm_and_stays_confidential(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    before = calls_count(server)
    server.shortcut(STRANGER, Shortcut.REPORT_CONCERN.value)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.REPORT_CONCERN.value
    form_text = json.dumps(form)
    assert "law enforcement" in form_text and "confidential" in form_text

    blank = server.submit(STRANGER, form, values(field("account", txt(" \n "))))
    assert blank.json()["response_action"] == "errors"
    assert "account" in blank.json()["errors"]
    assert case_count(server) == 0

    done = server.submit(
        STRANGER,
        form,
        values(
            field("account", txt(f"It happened: {ACCOUNT_MARKER}")),
            field("involved_names", txt(NAME_MARKER)),
            {
                "involved_user_ids": {
                    "involved_user_ids": {"type": "multi_users_select", "selected_users": [CAT]}
                }
            },
        ),
    )
    assert done.json()["response_action"] == "update"
    server.deliver()
    receipts = server.fake.dms(STRANGER)
    assert receipts, "the reporter got no confirmation DM"
    assert server.fake.dms(CAT) == [] or all(
        ACCOUNT_MARKER not in m.text for m in server.fake.dms(CAT)
    )
    everything = server.fake.all_text()
    assert ACCOUNT_MARKER not in everything
    assert NAME_MARKER not in everything
    assert STRANGER not in json.dumps([m.blocks for m in server.fake.messages(CHANNEL)])
    # Cat is named in the report: recused at once, nothing about the case on her App Home.
    server.open_home(CAT)
    home = _wait_home(server, CAT)
    assert Action.OPEN_CASE.value not in json.dumps(home)


def test_report_message_shortcut_attaches_the_message_and_never_tells_its_author(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    author = "U0AUTHOR77"
    message = {"ts": "1790000123.000200", "text": "something unkind", "user": author}
    before = calls_count(server)
    server.interactive(
        server.payloads.message_shortcut(
            STRANGER, Shortcut.REPORT_MESSAGE.value, message, "C0GENERAL1"
        )
    )
    form = modal_after(server, before)
    metadata = json.loads(form["private_metadata"])["reported_message"]
    assert metadata["author"] == author and metadata["ts"] == message["ts"]
    assert metadata["permalink"].startswith("https://")
    server.submit(STRANGER, form, values(field("account", txt("That message."))))
    server.deliver()
    assert server.fake.dms(author) == []
    assert all(author not in c.strings() for c in server.fake.attempts("chat.postMessage"))
    with server.rt.ctx.read() as session:
        details = session.scalar(select(Case.details))
    assert details["reported_message"]["author"] == author


def _wait_home(server: AppServer, user: str) -> dict[str, Any]:
    from tests.e2e.harness import wait_for

    return dict(wait_for(lambda: server.fake.home(user), what=f"App Home of {user}"))


def test_app_home_for_members_and_strangers(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    cases.acknowledge(server.rt.ctx, Actor(TEAM, BEN), 1)
    server.open_home(BEN)
    server.open_home(STRANGER)
    ben = json.dumps(_wait_home(server, BEN))
    stranger = json.dumps(_wait_home(server, STRANGER))
    assert "*#1*" in ben and Action.LOG_REPORT.value in ben
    assert ACCOUNT_MARKER not in ben
    assert "#1" not in stranger and "Report a concern" in stranger
    # The Log a report button opens the member form; for a stranger it is refused.
    before = calls_count(server)
    server.click(BEN, Action.LOG_REPORT.value, "new", view=_wait_home(server, BEN))
    assert modal_after(server, before)["callback_id"] == Callback.LOG_REPORT.value


def test_healthz(app_server: AppServer) -> None:
    response = app_server.get("/healthz")
    assert response.status == 200 and response.json() == {"ok": True}
    assert app_server.get("/nowhere").status == 404


def test_a_new_member_declares_conflicts_from_app_home_before_seeing_cases(
    app_server: AppServer,
) -> None:
    from slack_coc.services import members

    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    newcomer = "U0NEWBIE42"
    members.add_member(server.rt.ctx, TEAM, newcomer, "Newcomer")
    before = calls_count(server)
    server.command(newcomer, "show 1")
    assert "can't open that case" in reply_after(server, before)

    server.open_home(newcomer)
    home = _wait_home(server, newcomer)
    assert Action.DECLARE_CONFLICTS.value in json.dumps(home)
    before = calls_count(server)
    server.click(newcomer, Action.DECLARE_CONFLICTS.value, "declare", view=home)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.DECLARE_CONFLICTS.value
    assert ACCOUNT_MARKER not in json.dumps(form)
    done = server.submit(
        newcomer,
        form,
        {"conflicted": {"conflicted": {"type": "multi_static_select", "selected_options": []}}},
    )
    assert done.json()["response_action"] == "update"
    before = calls_count(server)
    server.command(newcomer, "show 1")
    assert modal_after(server, before)["callback_id"] == Callback.CASE_DETAIL.value


def test_a_guest_from_another_workspace_reports_to_this_working_group(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    guest = "U0GUEST001"
    shortcut = server.payloads.global_shortcut(guest, Shortcut.REPORT_CONCERN.value)
    shortcut["team"] = {"id": OTHER_TEAM, "domain": "elsewhere"}
    before = calls_count(server)
    server.interactive(shortcut)
    form = modal_after(server, before)
    submission = server.payloads.view_submission(guest, form, values(field("account", txt("x"))))
    submission["team"] = {"id": OTHER_TEAM, "domain": "elsewhere"}
    submission["user"]["team_id"] = OTHER_TEAM
    assert server.interactive(submission).json()["response_action"] == "update"
    with server.rt.ctx.read() as session:
        assert session.scalar(select(Case.team_id)) == TEAM
    # The guest is still a stranger to the roster: no member command works for them.
    payload = server.payloads.slash_command(guest, "list")
    payload["team_id"] = OTHER_TEAM
    before = calls_count(server)
    server.post(urlencode(payload))
    assert "Only members" in reply_after(server, before)
