"""The step table (`slack/step_table.py`) walked over signed HTTP against the fake Slack: for
every row, its `/coc` command (without text, and with text where the row takes text) and each
of its buttons open what the row says (a form with the row's callback id, or a done reply
to the person alone), and the inbox's prediction (`answers_with_modal`, `answer_for`) agrees
with what the listener actually did. A new row without a case to try it on fails here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole, Trigger
from slack_coc.domain.models import Case, Party
from slack_coc.queues import inbox
from slack_coc.queues.request_models import InboxItem
from slack_coc.services import cases, decisions, emergency
from slack_coc.services.decisions import OutcomeInput
from slack_coc.slack.deferral import InboxRunner
from slack_coc.slack.ids import Callback, step_action
from slack_coc.slack.modal_answers import answer_for, answers_with_modal
from slack_coc.slack.step_rows import Button, Opens, Step
from slack_coc.slack.step_table import BY_BUTTON, BY_NAME, EMERGENCY_RECORDED, RECUSED, STEPS
from tests.conftest import actor
from tests.e2e.harness import AppServer, wait_for
from tests.e2e.test_case_flow_e2e import ANA, BEN, CAT, DAN, EVE, calls_count
from tests.factories import add_roster, new_case

# ---------------------------------------------------------------- cases in a given state
# Each returns a fresh case's number, taken there through the services (as people would).


def _received(ctx: ServiceContext) -> int:
    return new_case(ctx, involved_names=["Reported Person"]).number


def _handled_locally(ctx: ServiceContext) -> int:
    return new_case(ctx, handled_locally=True).number


def _acknowledged(ctx: ServiceContext) -> int:
    n = _received(ctx)
    cases.acknowledge(ctx, actor(ANA), n)
    return n


def _shepherded(ctx: ServiceContext) -> int:
    n = _acknowledged(ctx)
    cases.assign_shepherd(ctx, actor(BEN), n)
    return n


def _proposed(ctx: ServiceContext) -> int:
    n = _shepherded(ctx)
    detail_parties = _reported_parties(ctx, n)
    outcomes = [OutcomeInput(p, "warning") for p in detail_parties]
    decisions.propose(ctx, actor(BEN), n, outcomes, "A clear breach.")
    return n


def _deadlocked(ctx: ServiceContext) -> int:
    n = _proposed(ctx)
    decisions.vote(ctx, actor(CAT), n, "object")
    ctx.clock.advance(days=7)  # type: ignore[attr-defined]
    return n


def _escalated(ctx: ServiceContext) -> int:
    n = _deadlocked(ctx)
    decisions.escalate_to_board(ctx, actor(BEN), n)
    return n


def _decided(ctx: ServiceContext) -> int:
    n = _proposed(ctx)
    decisions.vote(ctx, actor(CAT), n, "agree")
    decisions.vote(ctx, actor(DAN), n, "agree")
    return n


def _feedback_settled(ctx: ServiceContext) -> int:
    n = _decided(ctx)
    cases.record_feedback(ctx, actor(BEN), n, "The reporter is content.")
    return n


def _actions_ongoing(ctx: ServiceContext) -> int:
    n = _feedback_settled(ctx)
    cases.start_actions(ctx, actor(BEN), n)
    return n


def _resolved(ctx: ServiceContext) -> int:
    n = _feedback_settled(ctx)
    cases.resolve(ctx, actor(BEN), n, actions_taken="A warning.", review_date=date(2027, 5, 1))
    return n


def _reconsidering(ctx: ServiceContext) -> int:
    n = _resolved(ctx)
    cases.request_reconsideration(ctx, actor(CAT), n, "the reporter")
    return n


def _emergency_pending(ctx: ServiceContext) -> int:
    n = _shepherded(ctx)
    emergency.record_emergency_action(ctx, actor(EVE), n, "Blocked the account.")
    return n


def _reported_parties(ctx: ServiceContext, number: int) -> list[int]:
    with ctx.read() as s:
        return list(
            s.scalars(
                select(Party.id)
                .join(Case, Case.id == Party.case_id)
                .where(Case.number == number, Party.role == PartyRole.REPORTED.value)
            )
        )


# Per row: (who acts, the case it acts on, the text a typed command gives after the case).
Setup = Callable[[ServiceContext], int]
TRIES: dict[str, tuple[str, Setup, str]] = {
    "ack": (BEN, _received, ""),
    "keep": (BEN, _handled_locally, ""),
    "shepherd": (BEN, _acknowledged, ""),
    "discuss": (BEN, _shepherded, ""),
    "propose": (BEN, _shepherded, ""),
    "vote": (CAT, _proposed, "agree"),
    "feedback": (BEN, _decided, "The reporter is content."),
    "actions": (BEN, _feedback_settled, ""),
    "record_actions": (BEN, _actions_ongoing, ""),
    "resolve": (BEN, _feedback_settled, ""),
    "reconsider": (CAT, _resolved, "the reporter"),
    "conclude": (CAT, _reconsidering, ""),
    "reopen": (DAN, _resolved, "A new message arrived."),
    "recuse": (DAN, _shepherded, "other we are old friends"),
    "emergency": (EVE, _shepherded, "Blocked the account."),
    "review": (CAT, _emergency_pending, ""),
    "escalate": (BEN, _deadlocked, "A note for the board."),
    "board": (BEN, _escalated, "The board upholds a warning."),
}
# A button whose step needs a state of its own (the row's other buttons use the row's).
BUTTON_TRIES: dict[str, Setup] = {step_action(Trigger.CHANGE_SHEPHERD): _shepherded}


def _key(row: Step) -> str:
    return row.name or "record_actions"


# ---------------------------------------------------------------- what the app did


def _answer(server: AppServer, before: int, number: int) -> tuple[str, str]:
    """("modal", its callback id) or ("reply", its text): the first answer after `before`."""

    def found() -> tuple[str, str] | None:
        for call in server.fake.attempts()[before:]:
            if call.method in ("views.open", "views.push") and call.ok:
                return "modal", str(server.fake.views[call.response["view"]["id"]]["callback_id"])
            if call.method == "response_url":
                return "reply", str(call.text)
        return None

    kind, detail = wait_for(found, what=f"an answer about case #{number}")
    return str(kind), str(detail)


def _assert_done(row: Step, what: tuple[str, str], number: int) -> None:
    kind, text = what
    assert kind == "reply", (row.name, what)
    assert f"#{number}" in text or text in (RECUSED, EMERGENCY_RECORDED), (row.name, text)


def _assert_form(row: Step, what: tuple[str, str]) -> None:
    assert row.callback is not None
    assert what == ("modal", row.callback.value), (row.name, what)


def _command(server: AppServer, user: str, text: str) -> tuple[dict[str, Any], int]:
    body = server.payloads.slash_command(user, text)
    before = calls_count(server)
    assert server.post(urlencode(body)).status == 200
    return body, before


def _click(server: AppServer, user: str, button: Button, number: int) -> tuple[dict[str, Any], int]:
    body = server.payloads.block_actions(user, button.action_id, str(number))
    before = calls_count(server)
    assert server.interactive(body).status == 200
    return body, before


def _check_prediction(row: Step, body: dict[str, Any], what: tuple[str, str]) -> None:
    """The inbox decides before any work whether the answer is a modal: it must agree."""
    assert answers_with_modal(body) is (what[0] == "modal"), (row.name, body.get("text"), what)
    if what[0] == "modal":
        assert answer_for(body) is row.answer


# ---------------------------------------------------------------- the walk


def test_every_row_has_a_case_to_try_it_on() -> None:
    assert {_key(row) for row in STEPS} == set(TRIES)


def test_every_step_button_the_card_can_show_is_a_row() -> None:
    assert {step_action(t) for t in Trigger} <= set(BY_BUTTON)


@pytest.mark.parametrize("row", STEPS, ids=_key)
def test_command_and_buttons_open_what_the_row_says(app_server: AppServer, row: Step) -> None:
    server = app_server
    ctx = server.rt.ctx
    add_roster(ctx)
    user, setup, text = TRIES[_key(row)]

    if row.name:
        probes = [""] if row.opens is Opens.NEVER and not text else ["", text]
        for typed in probes:
            number = setup(ctx)
            line = f"{row.name} {number} {typed}".strip()
            body, before = _command(server, user, line)
            what = _answer(server, before, number)
            if row.command_opens_modal(f"{number} {typed}"):
                _assert_form(row, what)
            else:
                _assert_done(row, what, number)
            _check_prediction(row, body, what)
        # Without a case: the usage, never a form.
        body, before = _command(server, user, row.name)
        what = _answer(server, before, 0)
        assert what == ("reply", f"Usage: `/coc {row.usage}`"), what
        _check_prediction(row, body, what)

    for button in row.buttons:
        number = BUTTON_TRIES.get(button.action_id, setup)(ctx)
        body, before = _click(server, user, button, number)
        what = _answer(server, before, number)
        if button.opens_modal:
            _assert_form(row, what)
        else:
            _assert_done(row, what, number)
        _check_prediction(row, body, what)


def test_the_forms_the_rows_name_are_answered_by_their_handlers() -> None:
    """Every callback id a row names is the row's alone (one handler per form)."""
    callbacks = [row.callback for row in STEPS if row.callback is not None]
    assert len(callbacks) == len(set(callbacks))
    assert Callback.VOTE in callbacks and Callback.ASSIGN_SHEPHERD in callbacks


# ---------------------------------------------------------------- through the web process

# Typed without text, these opened their form unannounced before the table (no loading view).
DRIFTED = ("vote", "feedback", "reconsider", "reopen", "board", "recuse", "emergency")


@pytest.mark.parametrize("name", DRIFTED)
def test_a_form_typed_without_text_opens_from_the_web_process(
    web: tuple[AppServer, InboxRunner], name: str
) -> None:
    """Predicted, the form is opened from the request's trigger id by the worker that claims
    it: one round trip, no loading view."""
    server, worker = web
    add_roster(server.rt.ctx)
    user, setup, _text = TRIES[name]
    number = setup(server.rt.ctx)
    _body, before = _command(server, user, f"{name} {number}")
    assert inbox.waiting(server.rt.ctx) == 1 and worker.run_due() == 1
    _assert_form(BY_NAME[name], _answer(server, before, number))
    assert not server.fake.calls("views.update")


@pytest.mark.parametrize("name", DRIFTED)
def test_a_form_no_worker_claims_in_time_gets_a_loading_view_the_worker_fills(
    web: tuple[AppServer, InboxRunner], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no worker has claimed the command in time, the web process opens a loading view
    and the worker fills it after the trigger id has expired (it never uses the stale
    trigger)."""
    from slack_coc.slack import deferral as web_inbox

    monkeypatch.setattr(web_inbox, "UNCLAIMED_AFTER", 0.0)
    server, worker = web
    add_roster(server.rt.ctx)
    user, setup, _text = TRIES[name]
    number = setup(server.rt.ctx)
    _command(server, user, f"{name} {number}")
    opened = wait_for(lambda: server.fake.calls("views.open"), what="the loading modal")
    assert opened[0].params["view"]["callback_id"] == Callback.LOADING.value
    wait_for(lambda: _loading_view_recorded(server), what="the loading view's id to be kept")
    server.fake.expire_triggers()  # as if the worker came to it after Slack's 3 s
    assert worker.run_due() == 1
    loading_id = opened[0].response["view"]["id"]
    callback = BY_NAME[name].callback
    assert callback is not None
    assert server.fake.views[loading_id]["callback_id"] == callback.value
    assert len(server.fake.attempts("views.open")) == 1
    server.fake.assert_clean()


def _loading_view_recorded(server: AppServer) -> bool:
    with inbox.inbox_context(server.rt.ctx).read() as session:
        return session.scalar(select(InboxItem.loading_view_id)) is not None


def test_other_commands_that_open_a_form_only_sometimes_say_when() -> None:
    """`/coc check` opens its form without an attendee; `/coc readmission CASE close` answers
    with a line, the rest with a form (their listeners do just that)."""
    import slack_coc.slack.listeners.readmission
    import slack_coc.slack.listeners.sanctions  # noqa: F401  (they register the subcommands)

    def typed(text: str) -> bool:
        return answers_with_modal({"command": "/coc", "text": text, "trigger_id": "1.2.3"})

    assert typed("check") and not typed("check <@U0BEN0002>")
    assert typed("readmission 12") and not typed("readmission 12 close")
    assert not typed("readmission")
