"""More lifecycle paths over real HTTP: keep on file, reconsideration, reopen; subcommands
with user mentions; recusal; field errors from services landing on the right input;
emergency actions; buttons inside the detail modal push their forms."""

from __future__ import annotations

import json
from typing import Any

from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import Action, Callback, step_action
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

BIAS_MARKER = "HERON-BIAS-4410"
EMERGENCY_MARKER = "IBIS-EMERGENCY-9931"


def new_case(server: AppServer, *, handled_locally: bool = False) -> None:
    before = calls_count(server)
    server.command(ANA, "new")
    form = modal_after(server, before)
    fields = [field("account", txt("An account.")), field("involved_names", txt("Someone"))]
    if handled_locally:
        checked = {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        fields.append(field("handled_locally", checked))
    response = server.submit(ANA, form, values(*fields))
    assert response.json()["response_action"] == "update"
    server.deliver()


def command_reply(server: AppServer, user: str, text: str) -> str:
    before = calls_count(server)
    server.command(user, text)
    return reply_after(server, before)


def command_modal(server: AppServer, user: str, text: str) -> dict[str, Any]:
    before = calls_count(server)
    server.command(user, text)
    return modal_after(server, before)


def test_kept_on_file_then_reconsidered_then_reopened(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server, handled_locally=True)
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.KEEP_ON_FILE), CHANNEL)
    assert "resolved" in reply_after(server, before)

    form = command_modal(server, CAT, "reconsider #1")
    assert form["callback_id"] == Callback.REQUEST_RECONSIDERATION.value
    blank = server.submit(CAT, form, values(field("requested_by", txt("\t "))))
    assert blank.json()["errors"] == {"requested_by": "This can't be blank."}
    assert case_state(server) == "resolved"
    server.submit(CAT, form, values(field("requested_by", txt("the reporter"))))
    assert case_state(server) == "reconsideration"

    form = command_modal(server, CAT, "conclude 1")
    radio = {"type": "radio_buttons", "selected_option": {"value": "upheld"}}
    done = server.submit(CAT, form, values(field("result", radio)))
    assert done.json()["response_action"] == "update"
    assert case_state(server) == "resolved"

    server.rt.ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert "acknowledged" in command_reply(server, DAN, "reopen 1 A new message arrived.")
    assert case_state(server) == "acknowledged"
    # The same step again is refused, naming the state; nothing changes.
    assert "acknowledged" in command_reply(server, DAN, "reopen 1 again").lower()
    assert case_state(server) == "acknowledged"


def test_mentions_recusal_field_errors_and_emergency_actions(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server)
    assert "acknowledged" in command_reply(server, BEN, "ack 1")
    assert "shepherded" in command_reply(server, BEN, "shepherd 1 <@U0CAT0003|cat>")
    assert "not a Slack user" in command_reply(server, BEN, "shepherd 1 cat")

    reply = command_reply(server, DAN, "recuse 1 personal_relationship we are old friends")
    assert "recused" in reply
    assert command_reply(server, DAN, "show 1") == command_reply(server, DAN, "show 99")

    server.deliver()
    before = calls_count(server)
    server.click_button(ANA, card(server), step_action(Trigger.CHANGE_SHEPHERD), CHANNEL)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.ASSIGN_SHEPHERD.value

    def pick(user: str, bias: str = "") -> dict[str, Any]:
        chosen = field("shepherd", {"type": "users_select", "selected_user": user})
        response = server.submit(ANA, form, values(chosen, field("bias_disclosure", txt(bias))))
        return dict(response.json())

    assert "shepherd" in pick("U0NOTMEMB1")["errors"]
    assert "recused" in pick(DAN)["errors"]["shepherd"]
    assert pick(EVE, f"I know them {BIAS_MARKER}")["response_action"] == "update"
    server.deliver()

    reply = command_reply(server, EVE, f"emergency 1 blocked the account {EMERGENCY_MARKER}")
    assert "Emergency action recorded" in reply
    form = command_modal(server, CAT, "review 1")
    assert form["callback_id"] == Callback.REVIEW_EMERGENCY.value
    outcome = {"type": "radio_buttons", "selected_option": {"value": "upheld"}}
    which = next(b for b in form["blocks"] if b.get("block_id") == "action_id")
    chosen = opt(which["element"]["initial_option"]["value"])
    reviewed = server.submit(
        CAT, form, values(field("review_outcome", outcome), field("action_id", chosen))
    )
    assert reviewed.json()["response_action"] == "update"
    assert "no emergency action" in command_reply(server, CAT, "review 1")
    server.deliver()

    everything_but_modals = [
        s
        for call in server.fake.attempts()
        if call.method not in ("views.open", "views.push", "views.update")
        for s in call.strings()
    ]
    for marker in (BIAS_MARKER, EMERGENCY_MARKER):
        assert all(marker not in s for s in everything_but_modals), marker


def test_buttons_inside_the_detail_modal_push_their_forms(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server)
    server.open_home(BEN)
    from tests.e2e.harness import wait_for

    home = dict(wait_for(lambda: server.fake.home(BEN), what="Ben's App Home"))
    before = calls_count(server)
    server.click(BEN, Action.OPEN_CASE.value, "1", view=home)
    detail = modal_after(server, before)
    assert detail["callback_id"] == Callback.CASE_DETAIL.value

    before = calls_count(server)
    server.click(BEN, Action.RECUSE.value, "1", view=detail)
    form = modal_after(server, before)
    pushed = [c for c in server.fake.attempts()[before:] if c.method == "views.push"]
    assert pushed and pushed[0].params["view"]["callback_id"] == Callback.RECUSE.value
    server.submit(BEN, form, values(field("reason", opt("same_employer"))))
    # Ben is recused now: a click on the detail modal's Acknowledge is refused in a notice.
    before = calls_count(server)
    server.click(BEN, step_action(Trigger.ACKNOWLEDGE), "1", view=detail)
    notice = modal_after(server, before)
    assert notice["callback_id"] == Callback.NOTICE.value
    assert "recused" in json.dumps(notice)
    assert case_state(server) == "received"


def test_detail_modal_offers_a_message_to_the_reporter(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server)
    before = calls_count(server)
    server.command(BEN, "show 1")
    detail = modal_after(server, before)
    assert Action.MAIL_COMPOSE.value in json.dumps(detail["blocks"])
    before = calls_count(server)
    server.click(BEN, Action.MAIL_COMPOSE.value, "1", view=detail)
    modal_after(server, before)
    pushed = [c for c in server.fake.attempts()[before:] if c.method == "views.push"]
    assert pushed and pushed[0].params["view"]["callback_id"] == Callback.MAIL_COMPOSE.value
