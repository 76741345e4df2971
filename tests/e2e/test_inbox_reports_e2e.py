"""Report forms through the inbox, over real HTTP: the web app checks the fields, stores the
form and answers with a "Saving the report" view at once; the inbox worker logs the case and
puts its number in that view. A field error stays on the form, a database outage while the
worker logs it puts the report back in the queue (kept, and the person told so)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, text

from slack_coc.clock import FrozenClock
from slack_coc.context import StoreUnavailable
from slack_coc.domain.models import Case
from slack_coc.queues import inbox
from slack_coc.services import intake
from slack_coc.slack.deferral import InboxRunner
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.report import log_report_modal, report_concern_modal
from tests.e2e.harness import AppServer, Response, encode_interactive
from tests.factories import add_roster

ANA, STRANGER = "U0ANA0001", "U0STRANGE9"
ACCOUNT_MARKER = "QUOKKA-DEFERRED-5521"
NAME_MARKER = "Wombat Deferred-8830"


def _opened(server: AppServer, view: dict[str, Any]) -> dict[str, Any]:
    """A modal as Slack holds it once opened (with its id), for a submission."""
    trigger = server.payloads.trigger_id()
    opened = server.fake.client().views_open(trigger_id=trigger, view=view)
    return dict(opened["view"])


def _form(account: str, contact: str = "") -> dict[str, dict[str, Any]]:
    text = {"type": "plain_text_input", "value": account}
    form: dict[str, dict[str, Any]] = {
        "source": {"source": {"type": "static_select", "selected_option": {"value": "email"}}},
        "involved_names": {"involved_names": {"type": "plain_text_input", "value": NAME_MARKER}},
        "account": {"account": text},
        "ongoing": {"ongoing": {"type": "radio_buttons", "selected_option": {"value": "No"}}},
    }
    if contact:
        form["reporter_contact"] = {
            "reporter_contact": {"type": "email_text_input", "value": contact}
        }
    return form


def _submit(server: AppServer, user: str, view: dict[str, Any], form: Any) -> Response:
    response = server.submit(user, view, form)
    assert response.status == 200
    return response


def _cases(server: AppServer) -> int:
    with server.rt.ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_log_a_report_is_saved_at_once_and_numbered_by_the_worker(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())
    form = _form(f"What happened: {ACCOUNT_MARKER}")
    request_size = len(encode_interactive(server.payloads.view_submission(ANA, view, form)))
    answer = _submit(server, ANA, view, form).json()
    assert answer["response_action"] == "update"
    assert answer["view"]["callback_id"] == Callback.LOADING.value
    assert "Saving" in json.dumps(answer["view"])
    assert _cases(server) == 0 and inbox.waiting(server.rt.ctx) == 1  # stored, not worked
    with inbox.inbox_context(server.rt.ctx).read() as session:
        stored = bytes(session.execute(text("SELECT body FROM inbox")).scalar_one())
    assert ACCOUNT_MARKER.encode() not in stored and NAME_MARKER.encode() not in stored
    assert len(stored) < request_size / 2  # the form's layout is not kept, only what was typed

    assert worker.run_due() == 1
    assert _cases(server) == 1
    shown = server.fake.views[view["id"]]
    assert shown["callback_id"] == Callback.NOTICE.value and "*#1*" in json.dumps(shown)
    assert inbox.waiting(server.rt.ctx) == 0
    said = server.fake.all_text()
    assert ACCOUNT_MARKER not in said and NAME_MARKER not in said
    server.fake.assert_clean()


def test_report_a_concern_from_anyone_is_deferred_too(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, report_concern_modal())
    form = {"account": {"account": {"type": "plain_text_input", "value": ACCOUNT_MARKER}}}
    answer = _submit(server, STRANGER, view, form).json()
    assert answer["view"]["callback_id"] == Callback.LOADING.value and _cases(server) == 0
    assert worker.run_due() == 1
    assert _cases(server) == 1
    assert "received" in json.dumps(server.fake.views[view["id"]]).lower()
    assert ACCOUNT_MARKER not in server.fake.all_text()


@pytest.mark.parametrize(
    ("account", "contact", "block"),
    [("   ", "", "account"), ("An account", "not an@address", "reporter_contact")],
)
def test_a_field_error_is_answered_on_the_form_and_nothing_is_stored(
    web: tuple[AppServer, InboxRunner], account: str, contact: str, block: str
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())
    answer = _submit(server, ANA, view, _form(account, contact)).json()
    assert answer["response_action"] == "errors" and list(answer["errors"]) == [block]
    assert inbox.waiting(server.rt.ctx) == 0
    assert worker.run_due() == 0 and _cases(server) == 0


def _only_in_their_own_form(server: AppServer, view_id: str, marker: str) -> None:
    """The text comes back in the writer's own (private) modal, and nowhere else."""
    for call in server.fake.attempts():
        if marker in "\n".join(call.strings()):
            assert call.method == "views.update" and call.params.get("view_id") == view_id


def test_a_non_member_logging_a_report_is_told_in_the_form_and_no_case_is_made(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())
    _submit(server, STRANGER, view, _form(ACCOUNT_MARKER))
    assert worker.run_due() == 1
    shown = json.dumps(server.fake.views[view["id"]])
    assert "Not logged" in shown and "member" in shown.lower()
    assert ACCOUNT_MARKER in shown  # what they wrote is given back: nothing typed is lost
    assert _cases(server) == 0
    _only_in_their_own_form(server, view["id"], ACCOUNT_MARKER)
    server.fake.assert_clean()


def test_an_unexpected_failure_gives_the_writer_their_text_back(
    web: tuple[AppServer, InboxRunner],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())
    long_account = f"{ACCOUNT_MARKER} " + "and then " * 700  # longer than one section holds
    _submit(server, ANA, view, _form(long_account))

    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError(f"a bug that quotes the report: {ACCOUNT_MARKER}")

    monkeypatch.setattr(intake, "log_report", broken)
    assert worker.run_due() == 1
    shown = server.fake.views[view["id"]]
    text = json.dumps(shown)
    assert "Not logged" in text and "something went wrong" in text.lower()
    written = [
        b["text"]["text"] for b in shown["blocks"] if b.get("block_id", "").startswith("written")
    ]
    assert "".join(written) == long_account.strip() and len(written) > 1
    assert _cases(server) == 0
    assert "RuntimeError" in caplog.text and ACCOUNT_MARKER not in caplog.text
    _only_in_their_own_form(server, view["id"], ACCOUNT_MARKER)
    server.fake.assert_clean()


def test_the_database_away_when_storing_keeps_the_form_open_with_try_again(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())

    def away(*_a: Any, **_k: Any) -> None:
        raise StoreUnavailable("The case database did not answer; please try again.")

    monkeypatch.setattr(inbox, "store", away)
    answer = _submit(server, ANA, view, _form(ACCOUNT_MARKER)).json()
    assert answer["response_action"] == "errors"
    assert "try again" in json.dumps(answer["errors"])
    monkeypatch.undo()
    assert inbox.waiting(server.rt.ctx) == 0 and _cases(server) == 0


def test_the_database_away_while_the_worker_logs_keeps_the_report_for_later(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    view = _opened(server, log_report_modal())
    _submit(server, ANA, view, _form(ACCOUNT_MARKER))
    real = intake.log_report

    def away(*_a: Any, **_k: Any) -> Any:
        raise StoreUnavailable("The case database did not answer.")

    monkeypatch.setattr(intake, "log_report", away)
    assert worker.run_due() == 0  # tried, put back: not done
    assert inbox.waiting(server.rt.ctx) == 1 and _cases(server) == 0
    assert "kept" in json.dumps(server.fake.views[view["id"]]).lower()
    assert worker.run_due() == 0  # not due again before the retry delay

    monkeypatch.setattr(intake, "log_report", real)
    clock.advance(seconds=inbox.RETRY_DELAY.total_seconds() + 1)
    assert worker.run_due() == 1
    assert _cases(server) == 1 and inbox.waiting(server.rt.ctx) == 0
    assert "*#1*" in json.dumps(server.fake.views[view["id"]])
