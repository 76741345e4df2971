"""Anonymous reports over real HTTP (issue 25): the reporter's identity reaches nobody but the
reporter, the group writes to them through the relay and reads their answers, and the
acknowledgement and the feedback request reach them the same way."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from slack_coc.crypto import EncryptedJSON, EncryptedText
from slack_coc.db import Base
from slack_coc.domain.enums import Trigger
from slack_coc.domain.models import Case, CaseEvent, Party
from slack_coc.domain.relay_models import RelayContact
from slack_coc.logging_setup import PAYLOAD_LOGGERS
from slack_coc.queues import inbox
from slack_coc.services import retention
from slack_coc.slack.deferral import InboxRunner
from slack_coc.slack.ids import Action, Callback, Shortcut, step_action
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, action_ids, find_button, wait_for
from tests.e2e.test_case_flow_e2e import (
    BEN,
    CAT,
    calls_count,
    card,
    field,
    modal_after,
    txt,
    values,
)
from tests.factories import add_roster

REPORTER = "U0HIDDEN42"
REPORTER_NAME = "Marmoset Quietname 6620"
ACCOUNT = "PANGOLIN-ACCOUNT-3391"
QUESTION = "When did it start? ASK-MARKER-7"
ANSWER = "Last spring, at the sprint. ANSWER-MARKER-8"
FEEDBACK = "That works for me. FEEDBACK-MARKER-9"
ANON = {"anonymous": {"anonymous": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}}}


def _identity(strings: str) -> list[str]:
    return [m for m in (REPORTER, REPORTER.lower(), REPORTER_NAME) if m in strings]


def _to_the_reporter(server: AppServer, call: Any) -> bool:
    """A call addressed to the reporter alone: their DM, their own modals."""
    params = call.params
    if call.method == "conversations.open":
        return str(params.get("users")) == REPORTER
    if call.method == "chat.postMessage":
        return str(params.get("channel")) in (REPORTER, server.fake.dm_channel(REPORTER))
    return False


def _report_anonymously(server: AppServer) -> None:
    before = calls_count(server)
    server.shortcut(REPORTER, Shortcut.REPORT_CONCERN.value)
    form = modal_after(server, before)
    shown = json.dumps(form)
    # The form says plainly what anonymity means, and who could still learn it.
    assert "Report anonymously" in shown and "database" in shown and "keys" in shown
    done = server.submit(
        REPORTER,
        form,
        values(field("account", txt(f"It happened: {ACCOUNT}")), ANON),
    )
    assert done.json()["response_action"] == "update"


def _reporter_dms(server: AppServer) -> list[Any]:
    return server.fake.dms(REPORTER)


def _compose_and_send(server: AppServer, member: str, value: str, subject: str, body: str) -> Any:
    before = calls_count(server)
    server.click(member, Action.MAIL_COMPOSE.value, value)
    compose = modal_after(server, before)
    assert compose["callback_id"] == Callback.MAIL_COMPOSE.value
    shown = json.dumps(compose)
    assert "through the app" in shown and '"to_0"' not in shown  # no address to fill in
    response = server.submit(
        member,
        compose,
        values(field("subject_0", txt(subject)), field("body_0", txt(body))),
    )
    assert response.json()["response_action"] == "update", response.json()
    server.deliver()
    return _reporter_dms(server)[-1]


def _answer(server: AppServer, dm: Any, reply: str) -> None:
    before = calls_count(server)
    server.click_button(REPORTER, dm, Action.ANSWER_RELAY.value, server.fake.dm_channel(REPORTER))
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.ANSWER_RELAY.value
    done = server.submit(REPORTER, form, values(field("answer", txt(reply))))
    assert done.json()["response_action"] == "update"


def test_an_anonymous_report_talks_through_the_relay_and_never_names_the_reporter(
    app_server: AppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for name in PAYLOAD_LOGGERS:  # as the running app holds them (configure_logging)
        caplog.set_level(logging.WARNING, logger=name)
    server = app_server
    server.fake.add_user(REPORTER, REPORTER_NAME, real_name=REPORTER_NAME)
    add_roster(server.rt.ctx)

    _report_anonymously(server)
    # Slack fails the receipt's first attempt: the failure path logs, and must not name them.
    server.fake.fail("conversations.open", status=200, error="internal_error")
    server.deliver()
    assert "attempt 1 failed" in caplog.text
    server.rt.ctx.clock.advance(minutes=10)
    server.deliver()
    [receipt] = _reporter_dms(server)
    assert "anonymously" in receipt.text and "does not know who you are" in receipt.text

    # The acknowledgement goes to the reporter through the relay (no address asked for).
    ack = _compose_and_send(
        server, BEN, "1:acknowledgement", "Your report", "We have your report. ACK-MARKER-1"
    )
    assert "ACK-MARKER-1" in json.dumps(ack.blocks)
    assert Action.ANSWER_RELAY.value in action_ids(ack.blocks)
    with server.rt.ctx.read() as session:
        assert session.scalar(select(Case.state)) == "acknowledged"

    # The shepherd asks the reporter a question from the card.
    server.deliver()
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ASSIGN_SHEPHERD), CHANNEL)
    server.deliver()
    assert "anonymous" in card(server).text or "anonymous" in json.dumps(card(server).blocks)
    before = calls_count(server)
    server.click_button(BEN, card(server), Action.ASK_REPORTER.value, CHANNEL)
    ask = modal_after(server, before)
    assert ask["callback_id"] == Callback.ASK_REPORTER.value
    sent = server.submit(BEN, ask, values(field("question", txt(QUESTION))))
    assert sent.json()["response_action"] == "update"
    server.deliver()
    question = _reporter_dms(server)[-1]
    assert QUESTION in json.dumps(question.blocks)
    _answer(server, question, ANSWER)

    # The feedback request (proposed resolution) reaches them too, and their feedback returns.
    feedback_request = _compose_and_send(
        server,
        BEN,
        "1:proposed_resolution",
        "What we propose",
        "We propose a warning. Is that acceptable to you? PROPOSAL-MARKER-2",
    )
    assert "PROPOSAL-MARKER-2" in json.dumps(feedback_request.blocks)
    _answer(server, feedback_request, FEEDBACK)
    server.deliver()

    # A member reads the answers in the details modal, attributed to "the reporter".
    before = calls_count(server)
    server.command(CAT, "show 1")
    detail = json.dumps(modal_after(server, before))
    assert ANSWER in detail and FEEDBACK in detail and "From the reporter" in detail
    assert "Reporter: anonymous" in detail
    assert not _identity(detail)
    with server.rt.ctx.read() as session:
        kinds = list(session.scalars(select(CaseEvent.kind).order_by(CaseEvent.id)))
    assert kinds.count("relay_answer") == 2 and "relay_question" in kinds
    assert kinds.count("relayed_to_reporter") == 2

    # Nobody but the reporter got a Web API call naming them; no log line; no plain column.
    for call in server.fake.attempts():
        leaked = _identity(json.dumps(call.params))
        assert not leaked or _to_the_reporter(server, call), (call.method, leaked)
    assert caplog.records, "nothing was logged: the next check would prove nothing"
    assert not _identity(caplog.text), _identity(caplog.text)
    assert not _plain_columns_naming_the_reporter(server)


def _plain_columns_naming_the_reporter(server: AppServer) -> list[str]:
    """Every value of every column that is not encrypted, in every table."""
    found = []
    with server.rt.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            plain = [
                c.name
                for c in table.columns
                if not isinstance(c.type, EncryptedText | EncryptedJSON)
            ]
            if not plain or table.name not in inspect(connection).get_table_names():
                continue
            quoted = ", ".join(f'"{name}"' for name in plain)
            for row in connection.execute(text(f'SELECT {quoted} FROM "{table.name}"')):
                for name, value in zip(plain, row, strict=True):
                    if value is not None and _identity(str(value)):
                        found.append(f"{table.name}.{name}")
    return found


def test_the_relay_is_only_for_the_reporter_and_retention_removes_it(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    _report_anonymously(server)
    server.deliver()
    with server.rt.ctx.read() as session:
        reporter = session.scalar(select(Party).where(Party.role == "reporter"))
        assert reporter is not None and reporter.slack_user_id is None
        assert reporter.slack_user_digest is None and reporter.name is None
        assert session.scalar(select(RelayContact.slack_user_id)) == REPORTER
    # Someone else answering (a forged click) is told nothing exists.
    before = calls_count(server)
    server.command(BEN, "ask 1")
    ask = modal_after(server, before)
    server.submit(BEN, ask, values(field("question", txt(QUESTION))))
    server.deliver()
    question = _reporter_dms(server)[-1]
    value = find_button(question.blocks, Action.ANSWER_RELAY.value)["value"]
    case_id, _, event_id = value.partition(":")
    forged = server.submit(
        CAT,
        {
            "callback_id": Callback.ANSWER_RELAY.value,
            "private_metadata": json.dumps({"case": int(case_id), "event": int(event_id)}),
        },
        values(field("answer", txt("not the reporter"))),
    )
    assert "closed" in json.dumps(forged.json())
    with server.rt.ctx.transaction() as session:
        case = session.scalar(select(Case))
        assert case is not None
        retention.expunge_case(session, case, server.rt.ctx.clock.now())
    with server.rt.ctx.read() as session:
        assert session.scalar(select(RelayContact.id)) is None
    # The group can no longer write to the reporter.
    before = calls_count(server)
    server.command(BEN, "ask 1")

    def refusal() -> bool:
        answers = json.dumps([c.params for c in server.fake.attempts()[before:]])
        return "no way to reach" in answers.lower().replace("\\n", " ")

    # The refusal may come after the ack (a direct answer runs on its own executor).
    wait_for(refusal, what="the refusal to write to an unreachable reporter")


def test_a_member_logs_a_report_received_anonymously(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    before = calls_count(server)
    server.command(BEN, "new")
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.LOG_REPORT.value and "Anonymous report?" in json.dumps(
        form
    )
    contact = field("reporter_contact", {"type": "email_text_input", "value": "a@example.org"})
    refused = server.submit(
        BEN, form, values(field("account", txt("Told in person.")), contact, ANON)
    )
    assert refused.json()["response_action"] == "errors"
    assert "reporter_contact" in refused.json()["errors"]
    done = server.submit(BEN, form, values(field("account", txt("Told in person.")), ANON))
    assert done.json()["response_action"] == "update"
    server.deliver()
    with server.rt.ctx.read() as session:
        case = session.scalar(select(Case))
        assert case is not None and case.anonymous
        assert session.scalar(select(RelayContact.id)) is None
    the_card = card(server)
    assert "anonymous" in json.dumps(the_card.blocks)
    assert Action.ASK_REPORTER.value not in action_ids(the_card.blocks)  # nobody to ask


def test_the_relay_works_with_the_web_process_and_an_inbox_worker(
    web: tuple[AppServer, InboxRunner],
) -> None:
    """Production's layout: clicks that answer with a modal get a "Loading" modal from the web
    process, filled in by the inbox worker; the reporter (not a member) included."""
    server, worker = web
    add_roster(server.rt.ctx)

    def run_worker() -> None:
        def worked_off() -> bool:
            worker.run_due()
            return not inbox.waiting(server.rt.ctx)

        wait_for(worked_off, timeout=15, what="the inbox to be worked off")

    _report_anonymously(server)
    run_worker()
    server.deliver()
    server.command(BEN, "ask 1")
    run_worker()
    ask = server.last_view()
    assert ask["callback_id"] == Callback.ASK_REPORTER.value
    server.submit(BEN, ask, values(field("question", txt(QUESTION))))
    run_worker()
    server.deliver()
    question = _reporter_dms(server)[-1]
    server.click_button(
        REPORTER, question, Action.ANSWER_RELAY.value, server.fake.dm_channel(REPORTER)
    )
    run_worker()
    form = server.last_view()
    assert form["callback_id"] == Callback.ANSWER_RELAY.value
    server.submit(REPORTER, form, values(field("answer", txt(ANSWER))))
    run_worker()
    with server.rt.ctx.read() as session:
        notes = list(
            session.scalars(select(CaseEvent.note).where(CaseEvent.kind == "relay_answer"))
        )
    assert notes == [f"From the reporter: {ANSWER}"]
