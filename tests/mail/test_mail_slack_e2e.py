"""Mail from Slack over real HTTP: `/coc mail 1` opens the compose modal (to a permitted
member only), the template picker swaps the text, the submission records the message
(sent by hand without SMTP, shown to copy), and the reviewer flow works from its DM button."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.domain.models import Case
from slack_coc.services import conflicts
from slack_coc.slack.modals.mail import COMPOSE_CALLBACK, REVIEW_ACTION, TEMPLATE_ACTION
from tests.conftest import actor
from tests.e2e.conftest import app_server, e2e_runtime  # noqa: F401  (fixtures)
from tests.e2e.harness import AppServer, find_button, wait_for
from tests.factories import add_roster, new_case

BEN, CAT, DAN = "U0BEN0002", "U0CAT0003", "U0DAN0004"
MARKER = "PLATYPUS-7781"
REPORTER = f"rae-{MARKER.lower()}@example.net"


@pytest.fixture
def server(app_server: AppServer) -> Iterator[AppServer]:  # noqa: F811
    add_roster(app_server.rt.ctx)
    new_case(app_server.rt.ctx, reporter_contact=REPORTER, reporter_name=f"Rae {MARKER}")
    yield app_server


def _opened(server: AppServer, before: int) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for call in server.fake.attempts()[before:]:
            if call.method in ("views.open", "views.push", "views.update") and call.ok:
                return dict(server.fake.views[call.response["view"]["id"]])
        return None

    return dict(wait_for(found, what="a modal"))


def _modal(call: Any) -> bool:
    """A modal (opened, or answered to a submission) shown to the member who acted."""
    return call.method in ("views.open", "views.push", "views.update") or (
        call.method == "ack" and "view" in call.params
    )


def _txt(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _input_values(view: dict[str, Any], **overrides: str) -> dict[str, dict[str, Any]]:
    """The modal's inputs as Slack would submit them (initial values, or overrides by field)."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        field = block["block_id"].rsplit("_", 1)[0]
        if element["type"] == "plain_text_input":
            values[block["block_id"]] = {
                element["action_id"]: _txt(overrides.get(field, element.get("initial_value", "")))
            }
        elif element["type"] == "users_select" and field in overrides:
            values[block["block_id"]] = {
                element["action_id"]: {"type": "users_select", "selected_user": overrides[field]}
            }
    return values


def test_compose_and_record_sent_by_hand(server: AppServer) -> None:
    before = len(server.fake.attempts())
    assert server.command(BEN, "mail 1").status == 200
    view = _opened(server, before)
    assert view["callback_id"] == COMPOSE_CALLBACK
    text = json.dumps(view)
    assert REPORTER in text and "[CoC #1]" in text and "acknowledges" in text

    response = server.submit(BEN, view, _input_values(view))
    assert response.status == 200
    result = response.json()
    assert result["response_action"] == "update"
    shown = json.dumps(result["view"])
    assert "sent by hand" in shown and "We have received your report" in shown
    with server.rt.ctx.read() as s:
        record = s.scalar(select(MailMessage))
        case = s.scalar(select(Case))
    assert record is not None and record.status == MailStatus.SENT_BY_HAND
    assert case is not None and case.state == "acknowledged"
    # Nothing about the reporter left the app except in the modal to the permitted member.
    server.deliver()
    outside_modals = "\n".join(
        s for c in server.fake.attempts() if not _modal(c) for s in c.strings()
    )
    assert "acknowledged" in outside_modals.lower()
    assert MARKER not in outside_modals and MARKER.lower() not in outside_modals


def test_template_picker_swaps_the_text_and_blank_fields_are_refused(server: AppServer) -> None:
    before = len(server.fake.attempts())
    server.command(BEN, "mail 1")
    view = _opened(server, before)
    before = len(server.fake.attempts())
    server.interactive(_picker_payload(server, BEN, view, "final_outcome"))
    updated = _opened(server, before)
    assert "Outcome of your report" in json.dumps(updated)
    response = server.submit(BEN, updated, _input_values(updated, subject="  "))
    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == ["subject_1"]


def _picker_payload(server: AppServer, user: str, view: dict[str, Any], value: str) -> Any:
    payload = server.payloads.block_actions(user, TEMPLATE_ACTION, "")
    payload.pop("message", None)
    payload.pop("channel", None)
    payload.pop("response_url", None)
    payload["container"] = {"type": "view", "view_id": view["id"]}
    payload["view"] = view
    payload["actions"][0].update(
        {
            "type": "static_select",
            "selected_option": {"value": value},
            "block_id": "template_picker",
        }
    )
    return payload


def test_recused_member_gets_no_modal(server: AppServer) -> None:
    conflicts.recuse(server.rt.ctx, actor(DAN), 1, "personal_relationship")
    before = len(server.fake.attempts())
    response = server.command(DAN, "mail 1")
    assert response.status == 200

    def refusal() -> str | None:
        replies = [c.text for c in server.fake.attempts()[before:] if c.method == "response_url"]
        return replies[0] if replies else None

    assert "can't open that case" in str(wait_for(refusal, what="the refusal"))
    assert not any(
        c.method in ("views.open", "views.push") for c in server.fake.attempts()[before:]
    )


def test_review_by_a_second_member_from_the_dm(server: AppServer) -> None:
    before = len(server.fake.attempts())
    server.command(BEN, "mail 1 free_form")
    view = _opened(server, before)
    response = server.submit(BEN, view, _input_values(view, review=CAT, body="Hello again."))
    assert "waits for its reviewer" in json.dumps(response.json())
    server.deliver()
    [dm] = [m for m in server.fake.dms(CAT) if REVIEW_ACTION in json.dumps(m.blocks)]
    button = find_button(dm.blocks, REVIEW_ACTION)
    before = len(server.fake.attempts())
    server.click(CAT, REVIEW_ACTION, button["value"], block_id=button["_block_id"])
    review = _opened(server, before)
    assert "Hello again." in json.dumps(review)
    done = server.submit(
        CAT,
        review,
        {
            "decision": {
                "decision": {"type": "radio_buttons", "selected_option": {"value": "approve"}}
            }
        },
    )
    assert "sent by hand" in json.dumps(done.json())
    with server.rt.ctx.read() as s:
        record = s.scalar(select(MailMessage))
    assert record is not None and record.status == MailStatus.SENT_BY_HAND
    assert record.reviewer_user_id == CAT and record.reviewed_at is not None


def test_compose_button_refuses_a_recused_member_visibly(server: AppServer) -> None:
    from slack_coc.slack.modals.mail import COMPOSE_ACTION

    conflicts.recuse(server.rt.ctx, actor(DAN), 1, "personal_relationship")
    before = len(server.fake.attempts())
    assert server.click(DAN, COMPOSE_ACTION, "1").status == 200

    def refusal() -> str | None:
        for c in server.fake.attempts()[before:]:
            if c.method == "response_url" or (c.method == "views.open" and c.ok):
                return json.dumps(c.params)
        return None

    shown = str(wait_for(refusal, what="the refusal"))
    assert "can't open that case" in shown and MARKER not in shown and REPORTER not in shown
