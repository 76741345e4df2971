"""A report by email names its people in prose: the case is filed from a real Dovecot, the
shepherd identifies the reported person (a name only) from the card over HTTP, and the case
goes all the way to resolved; the records export names that person by their code name."""

from __future__ import annotations

import io
import json

from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.domain.enums import PartyRole, Trigger
from slack_coc.domain.models import Party, Person
from slack_coc.mail.poller import poll_once
from slack_coc.reports.records import export_records
from slack_coc.slack.ids import Action, Callback, step_action
from tests.conftest import TEAM
from tests.e2e.conftest import CHANNEL, app_server, e2e_runtime  # noqa: F401  (fixtures)
from tests.e2e.harness import AppServer, action_ids, wait_for
from tests.e2e.test_case_flow_e2e import (
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
from tests.mail.conftest import Mailbox, make_runtime
from tests.mail.messages import plain

SENDER = "rae.porter@example.net"


def test_emailed_report_naming_sam_is_identified_from_the_card_and_resolved(
    app_server: AppServer,  # noqa: F811
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    mailbox.append(
        plain(
            "Sam Smith from the Berlin sprint shouted at me during the dinner.",
            sender=f"Rae Porter <{SENDER}>",
        )
    )
    assert poll_once(make_runtime(engine, clock, IMAP_URL=mailbox.url)) == 1
    with server.rt.ctx.read() as session:
        parties = list(session.scalars(select(Party)))
    # The sender is the reporter; the reported people are left to the shepherd.
    assert [(p.role, p.contact) for p in parties] == [(PartyRole.REPORTER.value, SENDER)]
    server.deliver()

    for action in (step_action(Trigger.ACKNOWLEDGE), step_action(Trigger.ASSIGN_SHEPHERD)):
        before = calls_count(server)
        server.click_button(BEN, card(server), action, CHANNEL)
        reply_after(server, before)
        server.deliver()
    # The shepherd is asked to identify the reported people: on the card (no failing
    # "Propose decision") and in the shepherd's DM.
    ids = action_ids(card(server).blocks)
    assert Action.IDENTIFY_PEOPLE.value in ids and Action.PROPOSE.value not in ids
    assert any(Action.IDENTIFY_PEOPLE.value in action_ids(m.blocks) for m in server.fake.dms(BEN))
    server.open_home(BEN)
    home = wait_for(lambda: server.fake.home(BEN), what="Ben's App Home")
    assert Action.IDENTIFY_PEOPLE.value in json.dumps(home)

    before = calls_count(server)
    server.click_button(BEN, card(server), Action.IDENTIFY_PEOPLE.value, CHANNEL)
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.PEOPLE.value
    answer = server.submit(
        BEN,
        form,
        values(
            field("person", opt("new")),
            field("role", opt(PartyRole.REPORTED.value)),
            field("name", txt("Sam Smith")),
        ),
    ).json()
    assert answer["response_action"] == "update"
    with server.rt.ctx.read() as session:
        sam = session.scalar(
            select(Person).join(Party, Party.person_id == Person.id).where(Party.role == "reported")
        )
        assert sam is not None
        sam_code = sam.code_name
    assert sam_code in json.dumps(answer["view"])
    server.deliver()

    # Now the card proposes; two members agree; feedback; resolved.
    before = calls_count(server)
    server.click_button(BEN, card(server), Action.PROPOSE.value, CHANNEL)
    proposal = modal_after(server, before)
    [party] = json.loads(proposal["private_metadata"])["parties"]
    done = server.submit(
        BEN,
        proposal,
        values(field(f"outcome_{party}", opt("warning")), field("rationale", txt("Warn Sam."))),
    )
    assert done.json()["response_action"] == "update"
    server.deliver()
    vote = next(
        m for m in server.fake.messages(CHANNEL) if Action.VOTE_AGREE.value in action_ids(m.blocks)
    )
    for member in (CAT, DAN):
        before = calls_count(server)
        server.click_button(member, vote, Action.VOTE_AGREE.value, CHANNEL)
        reply_after(server, before)
    assert case_state(server) == "decided"
    before = calls_count(server)
    server.command(BEN, "feedback 1 The reporter is content with a warning.")
    reply_after(server, before)
    before = calls_count(server)
    server.command(EVE, "resolve 1")
    resolve_form = modal_after(server, before)
    resolved = server.submit(
        EVE,
        resolve_form,
        values(
            field("actions_taken", txt("Warned Sam in writing.")),
            field("review_date", {"type": "datepicker", "selected_date": "2027-05-20"}),
            field("resolution_source", opt("WG")),
        ),
    )
    assert resolved.json()["response_action"] == "update", resolved.json()
    assert case_state(server) == "resolved"

    out = io.StringIO()
    assert export_records(server.rt.ctx, TEAM, out, "csv") >= 1
    exported = out.getvalue()
    assert sam_code in exported and "Sam Smith" not in exported
