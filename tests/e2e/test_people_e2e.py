"""People on a case and the recusal that follows them, over real HTTP against the fake Slack:
a person named by Slack id who joins the group later, the author of a reported message, a
party identified after the page was queued, one person code name across cases and merges,
and the reporter's Slack id kept only encrypted (and gone after retention's expunge)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from slack_coc.context import Actor
from slack_coc.crypto import lookup_digest
from slack_coc.domain.enums import RecusalReason
from slack_coc.domain.models import Case, Member, Party, Person, Recusal
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus
from slack_coc.services import cases, conflicts, members, retention
from slack_coc.slack.ids import Action, Callback, Shortcut
from tests.conftest import TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, find_button, wait_for
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
    EVE,
    calls_count,
    card,
    field,
    modal_after,
    opt,
    reply_after,
    txt,
    values,
)
from tests.e2e.test_conflicts_e2e import calls_reaching
from tests.factories import add_roster, new_case
from tests.mail.conftest import plaintext_dump

ZED = "U0ZED0009"  # not a member when the report names them
REPORTER = "U0REPORT71"


def user(value: str) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": value}


def members_form(server: AppServer, user_id: str, ref: str, **fields: Any) -> dict[str, Any]:
    """Open the People modal with `/coc people REF` and submit one change; returns the
    answer (the refreshed modal, or the errors)."""
    before = calls_count(server)
    server.command(user_id, f"people {ref}")
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.PEOPLE.value
    chosen = fields.pop("person", "new")
    entries = [field("person", opt(str(chosen)))]
    if "role" in fields:
        entries.append(field("role", opt(fields.pop("role"))))
    if "user" in fields:
        entries.append(field("user", user(fields.pop("user"))))
    for name in ("email", "name"):
        if name in fields:
            entries.append(field(name, txt(fields.pop(name))))
    answer = server.submit(user_id, form, values(*entries)).json()
    assert not fields
    return dict(answer)


def party_ids(server: AppServer, number: int) -> list[int]:
    with server.rt.ctx.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return list(session.scalars(select(Party.id).where(Party.case_id == case_id)))


def recusal_reason(server: AppServer, number: int, user_id: str) -> str | None:
    with server.rt.ctx.read() as session:
        return session.scalar(
            select(Recusal.reason)
            .join(Case, Case.id == Recusal.case_id)
            .join(Member, Member.id == Recusal.member_id)
            .where(Case.number == number, Member.user_id == user_id, Recusal.lifted_at.is_(None))
        )


def code_name_of(server: AppServer, number: int) -> str:
    with server.rt.ctx.read() as session:
        return str(session.scalar(select(Case.code_name).where(Case.number == number)))


def test_a_person_named_by_slack_id_who_joins_the_group_never_sees_the_case(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, by=ANA, involved_user_ids=[ZED], account="Zed was unkind.")
    code_name = code_name_of(server, 1)
    server.deliver()

    members.add_member(server.rt.ctx, TEAM, ZED, "Zed")
    assert recusal_reason(server, 1, ZED) == RecusalReason.CONCERNED.value
    # The case's recusal list, in the details modal of a member who works it.
    before = calls_count(server)
    server.command(BEN, "show 1")
    assert f"<@{ZED}> (concerned)" in json.dumps(modal_after(server, before))
    server.deliver()
    # The onboarding declaration does not even list the case.
    before = calls_count(server)
    server.click(ZED, Action.DECLARE_CONFLICTS.value, "declare")
    declaration = modal_after(server, before)
    assert code_name not in json.dumps(declaration)
    conflicts.declare_conflicts(server.rt.ctx, Actor(TEAM, ZED), [])
    server.deliver()

    # Zed tries everything: `/coc show`, the card's "Open case", the People button.
    before = calls_count(server)
    server.command(ZED, "show 1")
    assert code_name not in reply_after(server, before)
    for action in (Action.OPEN_CASE.value, Action.PEOPLE.value):
        before = calls_count(server)
        server.click_button(ZED, card(server), action, CHANNEL)
        refusal = reply_after(server, before)
        assert "can't open that case" in refusal and code_name not in refusal
    # The case moves on (acknowledged, a vote) while Zed is on the roster.
    cases.acknowledge(server.rt.ctx, Actor(TEAM, BEN), 1)
    server.deliver()
    server.open_home(ZED)
    server.deliver()
    reaching = calls_reaching(server, ZED)
    assert reaching, "Zed's App Home was published: the scan below would prove nothing"
    for text in reaching:
        assert code_name not in text and '"#1' not in text and "*#1*" not in text, text[:300]
    details_to_zed = [
        c
        for c in server.fake.attempts()
        if c.method in ("views.open", "views.push", "views.update")
        and (c.params.get("view") or {}).get("callback_id")
        in (Callback.CASE_DETAIL.value, Callback.PEOPLE.value)
        and code_name in json.dumps(c.params)
        and c.params.get("user_id") == ZED
    ]
    assert details_to_zed == []


def test_the_author_of_a_reported_message_is_recused_before_the_first_page(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    message = {"ts": "1790000123.000200", "text": "something unkind", "user": ANA}
    before = calls_count(server)
    server.interactive(
        server.payloads.message_shortcut(
            REPORTER, Shortcut.REPORT_MESSAGE.value, message, "C0GENERAL1"
        )
    )
    form = modal_after(server, before)
    # The picker says nothing about Ana: her message makes her a reported party all the same.
    server.submit(REPORTER, form, values(field("account", txt("That message was cruel."))))
    assert recusal_reason(server, 1, ANA) == RecusalReason.CONCERNED.value
    with server.rt.ctx.read() as session:
        pages = list(
            session.scalars(
                select(OutboxMessage.recipient).where(
                    OutboxMessage.kind == "dm", OutboxMessage.recipient.is_not(None)
                )
            )
        )
    assert pages and ANA not in pages
    server.deliver()
    server.open_home(ANA)
    server.deliver()
    code_name = code_name_of(server, 1)
    assert server.fake.dms(ANA) == []
    reaching = calls_reaching(server, ANA)
    assert reaching
    for text in reaching:
        assert code_name not in text, text[:300]


def test_a_party_identified_as_a_member_after_the_page_was_queued_drops_the_page(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, by=CAT, involved_names=["Someone at the sprint"])
    with server.rt.ctx.read() as session:
        paged = set(
            session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "dm"))
        )
    assert ANA in paged, "Ana is on call: her page is queued"
    # Before anything is delivered, Ben identifies the reported person as Ana.
    (_reporter, reported) = party_ids(server, 1)
    answer = members_form(server, BEN, "1", person=reported, user=ANA)
    assert answer["response_action"] == "update", answer
    assert recusal_reason(server, 1, ANA) == RecusalReason.CONCERNED.value
    server.deliver()
    assert server.fake.dms(ANA) == []
    with server.rt.ctx.read() as session:
        statuses = set(
            session.scalars(
                select(OutboxMessage.status).where(
                    OutboxMessage.kind == "dm", OutboxMessage.recipient == ANA
                )
            )
        )
    assert statuses == {OutboxStatus.CANCELLED}


def test_one_person_code_name_across_cases_and_merges_need_every_case(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    for _ in range(2):
        new_case(server.rt.ctx, by=CAT, account="Someone was unkind.")
    new_case(server.rt.ctx, by=CAT, involved_names=["Sam Smith"])
    server.deliver()
    # Ben adds the same Slack user as the reported person of cases 1 and 2.
    for ref in ("1", "2"):
        answer = members_form(server, BEN, ref, role="reported", user=ZED)
        assert answer["response_action"] == "update", answer
        assert "added as reported" in json.dumps(answer["view"])
    with server.rt.ctx.read() as session:
        rows = session.execute(
            select(Case.number, Party.person_id)
            .join(Case, Case.id == Party.case_id)
            .where(Party.role == "reported")
            .order_by(Case.number)
        ).all()
    (_one, p1), (_two, p2), (_three, p3) = rows
    assert p1 == p2 and p3 != p1
    # A new person with no role is refused on the form, on the role field.
    nothing = members_form(server, BEN, "1", name="Someone")
    assert nothing["response_action"] == "errors" and "role" in nothing["errors"]
    with server.rt.ctx.read() as session:
        zed_code = session.get_one(Person, p1).code_name
        sam_code = session.get_one(Person, p3).code_name
    # The People list of case 2 names Zed by the same code name as case 1's.
    before = calls_count(server)
    server.command(BEN, "people 2")
    assert zed_code in json.dumps(modal_after(server, before))
    # Eve, a chair, is recused from case 3: her merge is refused; Ana's goes through.
    conflicts.recuse(server.rt.ctx, Actor(TEAM, EVE), 3, "personal_relationship")
    for chair, expected in ((EVE, "may not see every case"), (ANA, "Merged")):
        before = calls_count(server)
        server.command(chair, f"merge {sam_code} into {zed_code}")
        offer = wait_for(
            lambda b=before: next(
                (c for c in server.fake.attempts()[b:] if c.method == "response_url"), None
            ),
            what="the merge offer",
        )
        blocks = offer.params.get("blocks") or []
        button = find_button(blocks, Action.MERGE_CONFIRM.value)
        before = calls_count(server)
        server.click(
            chair,
            Action.MERGE_CONFIRM.value,
            button["value"],
            channel_id=CHANNEL,
            message={"ts": "1.1", "text": "", "blocks": blocks},
        )
        assert expected in reply_after(server, before)


def test_the_reporter_slack_id_is_only_encrypted_and_gone_after_expunge(
    app_server: AppServer,
) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    before = calls_count(server)
    server.shortcut(REPORTER, Shortcut.REPORT_CONCERN.value)
    form = modal_after(server, before)
    done = server.submit(
        REPORTER,
        form,
        values(
            field("account", txt("It happened at the sprint.")),
            {
                "involved_user_ids": {
                    "involved_user_ids": {"type": "multi_users_select", "selected_users": [ZED]}
                }
            },
        ),
    )
    assert done.json()["response_action"] == "update"
    server.deliver()
    assert server.fake.dms(REPORTER), "the reporter's receipt was delivered"
    # A step refused while the case is still as logged names nobody ("by @...").
    before = calls_count(server)
    server.command(BEN, "discuss 1")
    refusal = reply_after(server, before)
    assert "received" in refusal.lower() and REPORTER not in refusal and "<@" not in refusal
    dump = plaintext_dump(server.rt.engine)
    assert REPORTER not in dump
    reporter_digest = lookup_digest(f"{TEAM}:{REPORTER}")
    assert reporter_digest in dump, "the digest is what lets a later member match: present"

    with server.rt.ctx.transaction() as session:
        case = session.scalar(select(Case))
        assert case is not None
        retention.expunge_case(session, case, server.rt.ctx.clock.now())
    dump = plaintext_dump(server.rt.engine)
    assert REPORTER not in dump and reporter_digest not in dump
    assert lookup_digest(f"{TEAM}:{ZED}") not in dump


def test_a_case_naming_nobody_is_concluded_from_the_proposal_form(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, by=CAT, account="Someone, nobody knows who, was rude.")
    cases.acknowledge(server.rt.ctx, Actor(TEAM, BEN), 1)
    cases.assign_shepherd(server.rt.ctx, Actor(TEAM, BEN), 1)
    server.deliver()
    before = calls_count(server)
    server.command(BEN, "show 1")
    detail = modal_after(server, before)
    buttons = json.dumps(detail)
    assert Action.IDENTIFY_PEOPLE.value in buttons and "Conclude: no identifiable person" in buttons
    before = calls_count(server)
    server.command(BEN, "propose 1")
    form = modal_after(server, before)
    assert json.loads(form["private_metadata"])["parties"] == []
    wrong = server.submit(
        BEN, form, values(field("outcome_case", opt("warning")), field("rationale", txt("?")))
    ).json()
    assert wrong["response_action"] == "errors" and "outcome_case" in wrong["errors"]
    done = server.submit(
        BEN,
        form,
        values(
            field("outcome_case", opt("no_identifiable_person")),
            field("rationale", txt("Nobody can be identified from the report.")),
        ),
    ).json()
    assert done["response_action"] == "update", done
    with server.rt.ctx.read() as session:
        assert session.scalar(select(Case.state)) == "discussed"


def test_a_member_who_identifies_themselves_is_recused_and_told_so(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, by=CAT, involved_names=["Someone"])
    answer = members_form(server, DAN, "1", role="witness", user=DAN)
    assert answer["response_action"] == "update", answer
    assert "You are recused from this case now" in json.dumps(answer["view"])
    assert recusal_reason(server, 1, DAN) == RecusalReason.INVOLVED.value
