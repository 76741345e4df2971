"""Modal builders: every view passes slack_sdk's limits (at build time) and Slack's Block Kit
JSON schema; report content appears only as plain text in the detail modal."""

from __future__ import annotations

import json
from datetime import date

import pytest

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.read_models import cases as queries
from slack_coc.read_models.cases import CaseDetail
from slack_coc.read_models.prompts import PendingEmergency, step_prompt
from slack_coc.services import cases, conflicts, decisions
from slack_coc.services.conflicts import OnboardingCase
from slack_coc.services.decisions import OutcomeInput
from slack_coc.slack.ids import Action, Callback, step_action
from slack_coc.slack.modals import detail as detail_views
from slack_coc.slack.modals import report, steps
from slack_coc.slack.modals.notice import notice_modal
from tests.conftest import START, actor
from tests.factories import add_roster, new_case
from tests.slack.conftest import assert_modal_valid

ANA, BEN = "U0ANA0001", "U0BEN0002"
MARKER = "OKAPI-MARKER-3141"


def _detail(ctx: ServiceContext, **report_fields: object) -> CaseDetail:
    add_roster(ctx)
    new_case(ctx, **report_fields)
    return queries.case_detail(ctx, actor(ANA), 1, via="test")


def test_report_forms_are_valid_and_carry_the_reporting_guide_notices() -> None:
    member = report.log_report_modal()
    anyone = report.report_concern_modal(
        {"permalink": "https://x.slack.com/p1", "author": "U0AUTH", "ts": "1790000000.1"}
    )
    for view in (member, anyone, report.report_concern_modal()):
        assert_modal_valid(view)
    blocks = {b.get("block_id") for b in member["blocks"]}
    assert {
        "source",
        "reporter_contact",
        "involved_user_ids",
        "involved_names",
        "witness_user_ids",
        "when_where",
        "account",
        "links",
        "context",
        "ongoing",
        "safety_risk",
        "handled_locally",
        "language",
    } <= blocks
    contact = next(b for b in member["blocks"] if b.get("block_id") == "reporter_contact")
    assert contact["element"]["type"] == "email_text_input"
    involved = next(b for b in member["blocks"] if b.get("block_id") == "involved_user_ids")
    assert involved["element"]["type"] == "multi_users_select"
    text = json.dumps(anyone)
    assert "law enforcement" in text and "confidential" in text and "report it anyway" in text
    assert json.loads(anyone["private_metadata"])["reported_message"]["author"] == "U0AUTH"
    assert "handled_locally" not in {b.get("block_id") for b in anyone["blocks"]}


def test_parse_report_reads_every_field_and_refuses_a_blank_account() -> None:
    form = report.log_report_modal()
    blank = {
        **form,
        "state": {"values": {"account": {"account": {"type": "plain_text_input", "value": "   "}}}},
    }
    parsed, errors = report.parse_report(blank, member_form=True, user_id=ANA)
    assert parsed is None and errors == {"account": "This can't be blank."}

    values = {
        "source": {"source": {"type": "static_select", "selected_option": {"value": "in_person"}}},
        "reporter_contact": {
            "reporter_contact": {"type": "email_text_input", "value": "r@example.org"}
        },
        "involved_user_ids": {
            "involved_user_ids": {"type": "multi_users_select", "selected_users": ["U0X1", "U0X2"]}
        },
        "involved_names": {
            "involved_names": {"type": "plain_text_input", "value": "Jo\n\n  Sam  "}
        },
        "account": {"account": {"type": "plain_text_input", "value": " It happened. "}},
        "ongoing": {"ongoing": {"type": "radio_buttons", "selected_option": {"value": "Maybe"}}},
        "safety_risk": {
            "safety_risk": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        },
        "handled_locally": {"handled_locally": {"type": "checkboxes", "selected_options": []}},
    }
    parsed, errors = report.parse_report(
        {**form, "state": {"values": values}}, member_form=True, user_id=ANA
    )
    assert errors == {} and parsed is not None
    assert parsed.source == "in_person" and parsed.reporter_contact == "r@example.org"
    assert parsed.involved_user_ids == ["U0X1", "U0X2"] and parsed.involved_names == ["Jo", "Sam"]
    assert parsed.account == "It happened." and parsed.ongoing == "Maybe"
    assert parsed.safety_risk is True and parsed.handled_locally is False
    assert parsed.reporter_user_id is None  # a member logging someone else's report

    shortcut = report.report_concern_modal({"permalink": "https://p", "author": "U0A", "ts": "1.2"})
    parsed, _ = report.parse_report(
        {**shortcut, "state": {"values": values}}, member_form=False, user_id="U0REP"
    )
    assert parsed is not None
    assert parsed.source == "slack" and parsed.reporter_user_id == "U0REP"
    assert parsed.reported_message == {"permalink": "https://p", "author": "U0A", "ts": "1.2"}


def test_detail_modal_shows_the_report_as_plain_text_only(ctx: ServiceContext) -> None:
    account = f"<!channel> *bold* {MARKER} " + "x" * 7000
    detail = _detail(ctx, account=account, involved_names=[f"<@U0FAKE> {MARKER}"])
    view = detail_views.case_detail_modal(detail)
    assert_modal_valid(view)
    assert view["callback_id"] == Callback.CASE_DETAIL.value
    for block in view["blocks"]:
        if block["type"] == "section" and MARKER in json.dumps(block):
            text = block["text"]
            assert text["type"] == "plain_text" or "<@U0FAKE>" not in text["text"], block
    sections_with_account = [b for b in view["blocks"] if "x" * 50 in json.dumps(b)]
    assert len(sections_with_account) >= 3  # 7000 characters split under the 3000 limit
    assert step_action(Trigger.ACKNOWLEDGE) in json.dumps(view)
    assert Action.RECUSE.value in json.dumps(view)


def test_detail_modal_of_a_long_history_stays_within_slacks_limits(ctx: ServiceContext) -> None:
    detail = _detail(ctx, account="y" * 20000, context="z" * 20000, links="l" * 20000)
    long = CaseDetail(
        view=detail.view,
        details=detail.details,
        parties=detail.parties * 40,
        timeline=detail.timeline * 200,
        resolution_notes="r" * 20000,
    )
    view = detail_views.case_detail_modal(long)
    assert_modal_valid(view)
    assert len(view["blocks"]) <= 100


def test_step_modals_are_valid(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, involved_names=["Jo"])
    cases.acknowledge(ctx, actor(ANA), 1)
    cases.assign_shepherd(ctx, actor(ANA), 1)
    view = step_prompt(ctx, actor(ANA), 1, Trigger.CHANGE_SHEPHERD)
    today = START.date()
    detail = queries.case_detail(ctx, actor(ANA), 1, via="test")
    built = [
        steps.assign_shepherd_modal(view, BEN),
        steps.recuse_modal(view),
        steps.propose_modal(detail, today),
        steps.feedback_modal(view),
        steps.resolve_modal(view, today),
        steps.request_reconsideration_modal(view),
        steps.conclude_reconsideration_modal(view),
        steps.reopen_modal(view),
        steps.emergency_modal(view),
        steps.review_emergency_modal(view, [PendingEmergency(3, START, START)]),
        steps.escalate_modal(view),
        steps.board_decision_modal(view),
        steps.declare_conflicts_modal([OnboardingCase(1, "home shelf")]),
        steps.declare_conflicts_modal([]),
        notice_modal("A very long title that Slack would refuse", "text"),
    ]
    party = detail.parties[1].id
    decisions.propose(ctx, actor(ANA), 1, [OutcomeInput(party, "warning")], "because")
    voting = queries.case_detail(ctx, actor(ANA), 1, via="test")
    assert voting.proposal_id is not None
    built.append(steps.vote_modal(voting, voting.proposal_id))
    with_votes = detail_views.case_detail_modal(voting)
    assert_modal_valid(with_votes)
    assert f'"1:{voting.proposal_id}"' in json.dumps(with_votes)
    assert Action.VOTE_OBJECT.value in json.dumps(with_votes)
    for modal in built:
        assert_modal_valid(modal)
        assert len(modal["title"]["text"]) <= 24
    metadata = json.loads(built[2]["private_metadata"])
    assert metadata == {"case": 1, "parties": [party]}
    assert {f"outcome_{party}", f"ends_on_{party}", "rationale"} <= {
        b.get("block_id") for b in built[2]["blocks"]
    }


def test_a_step_prompt_refuses_a_stale_step_naming_the_state(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx)
    with pytest.raises(Exception, match="received"):
        step_prompt(ctx, actor(ANA), 1, Trigger.RESOLVE)
    conflicts.recuse(ctx, actor(BEN), 1, "other")
    with pytest.raises(Exception, match="doesn't exist or you are recused"):
        step_prompt(ctx, actor(BEN), 1, Trigger.ACKNOWLEDGE)
    assert CaseState.RECEIVED.value == queries.list_cases(ctx, actor(ANA))[0].state.value


def test_review_date_defaults_ahead(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx)
    view = step_prompt(ctx, actor(ANA), 1, Trigger.ACKNOWLEDGE)
    modal = steps.resolve_modal(view, date(2026, 11, 23))
    picker = next(b for b in modal["blocks"] if b.get("block_id") == "review_date")
    assert picker["element"]["initial_date"] > "2026-11-23"


def test_detail_modal_offers_the_steps_whose_form_supplies_the_input(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx)
    cases.acknowledge(ctx, actor(ANA), 1)
    view = detail_views.case_detail_modal(queries.case_detail(ctx, actor(ANA), 1, via="test"))
    assert step_action(Trigger.ASSIGN_SHEPHERD) in json.dumps(view)
    assert step_action(Trigger.ACKNOWLEDGE) not in json.dumps(view)
