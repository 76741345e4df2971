"""The organisers' check over HTTP: "yes, contact the working group" for a person under a
current sanction, "no record" otherwise (a stranger, a sanction that has ended), never the
case, its code name or its text; only chairs and listed organisers may ask; every check is
logged on the person's records."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from slack_coc.domain.models import Case, Person
from slack_coc.domain.sanction_models import SanctionCheck
from slack_coc.slack.ids import Callback
from tests.e2e.harness import AppServer
from tests.e2e.sanction_flow import ACCOUNT_MARKER, BAD, decide_sanction
from tests.e2e.test_case_flow_e2e import ANA, BEN, EVE, calls_count, modal_after, reply_after
from tests.factories import add_roster

STRANGER = "U0NEW0042"
ORGANISER = "U0ORG0077"
YES = "Yes, contact the working group."
NO = "No record."


def ask(server: AppServer, user: str, text: str) -> str:
    before = calls_count(server)
    server.command(user, text)
    return reply_after(server, before)


def test_check_answers_yes_or_no_record_and_nothing_more(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    today = server.rt.ctx.clock.now().date()
    decide_sanction(server, 1, "suspension_short", today + timedelta(days=60))
    with server.rt.ctx.read() as session:
        case = session.scalars(select(Case)).one()
        secrets = [case.code_name, f"#{case.number}", ACCOUNT_MARKER]
        secrets.append(session.scalars(select(Person.code_name)).one())
    secrets += ["suspension", "Suspension", "warning"]

    answer = ask(server, ANA, f"check <@{BAD}|bad>")
    assert YES in answer
    assert not [s for s in secrets if s in answer], answer
    assert NO in ask(server, EVE, f"check <@{STRANGER}> for DjangoCon Europe")
    assert NO in ask(server, ANA, "check <mailto:nobody@example.org|nobody@example.org>")

    # A member who is not a chair may not ask; nor may an organiser nobody listed.
    assert "Only a chair" in ask(server, BEN, f"check <@{BAD}>")
    assert "Only a chair" in ask(server, ORGANISER, f"check <@{BAD}>")

    # A chair lists an organiser, who then uses the form.
    assert ORGANISER in ask(server, ANA, f"organisers add <@{ORGANISER}|org>")
    before = calls_count(server)
    server.command(ORGANISER, "check")
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.SANCTION_CHECK.value
    blank = server.submit(ORGANISER, form, {})
    assert blank.json()["response_action"] == "errors"
    done = server.submit(
        ORGANISER,
        form,
        {
            "subject_user": {"subject_user": {"type": "users_select", "selected_user": BAD}},
            "on_behalf_of": {"on_behalf_of": {"type": "plain_text_input", "value": "PyCon"}},
        },
    )
    body = json.dumps(done.json())
    assert done.json()["response_action"] == "update" and YES in body
    assert not [s for s in secrets if s in body], body

    # After the end date the sanction is no longer current.
    server.rt.ctx.clock.advance(days=61)
    assert NO in ask(server, ANA, f"check <@{BAD}>")

    # Every answered check is logged; the ones about Bad are on Bad's records.
    with server.rt.ctx.read() as session:
        checks = list(session.scalars(select(SanctionCheck).order_by(SanctionCheck.id)))
    assert [c.answer for c in checks] == ["yes", "no_record", "no_record", "yes", "no_record"]
    assert [c.person_id is not None for c in checks] == [True, False, False, True, True]
    log = ask(server, ANA, "checks")
    assert log.count("Yes, contact the working group.") == 2 and log.count("No record.") == 3
    refused = ask(server, BEN, "checks")
    assert "Only a chair" in refused


def test_a_ban_is_current_with_no_end_date_and_a_drill_never_counts(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    decide_sanction(server, 1, "permanent_ban", None)
    server.rt.ctx.clock.advance(days=3650)
    assert YES in ask(server, ANA, f"check <@{BAD}>")
    # The same decision on a drill would not be a sanction.
    with server.rt.ctx.transaction() as session:
        session.execute(update(Case).values(drill=True))
    assert NO in ask(server, ANA, f"check <@{BAD}>")
