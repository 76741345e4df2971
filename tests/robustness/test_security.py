"""Hostile and mistaken requests, signed or not: each is refused visibly (where Slack lets us
answer), changes nothing, and leaks no marker string in the HTTP answer or any Web API call.

Marker strings sit in every confidential field of every case (`world`)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import Action, Callback, Shortcut, step_action
from tests.conftest import OTHER_TEAM, TEAM
from tests.e2e.harness import Payloads, encode_interactive, sign
from tests.robustness.conftest import (
    CAT,
    CHANNEL,
    DAN,
    OTHER_MEMBER,
    REPORTED,
    REPORTER,
    STRANGER,
    RobustServer,
    World,
    case_snapshot,
    leaked,
    snapshot,
)

pytestmark = pytest.mark.e2e

# ------------------------------------------------------------------------ signatures


def _command_body(server: RobustServer, user: str, text: str) -> str:
    return urlencode(server.payloads.slash_command(user, text))


def test_forged_signature_is_401_and_does_nothing(server: RobustServer, world: World) -> None:
    before = snapshot(server.rt.engine)
    body = _command_body(server, "U0BEN0002", f"show {world.numbers['dan']}")
    forged = sign("not-the-secret", str(int(time.time())), body)
    for signature in (forged, "v0=" + "0" * 64, "", "v1=abc", "garbage"):
        response = server.post(body, signature=signature)
        assert response.status == 401, (signature, response.status)
        assert not leaked(world, response.text)
    server.settle()
    assert server.fake.attempts() == []
    assert snapshot(server.rt.engine) == before


def test_stale_or_future_timestamp_is_401(server: RobustServer, world: World) -> None:
    before = snapshot(server.rt.engine)
    body = _command_body(server, "U0BEN0002", "list")
    for skew in (-6 * 60, -3600, 6 * 60, -(10**9)):
        response = server.post(body, timestamp=int(time.time()) + skew)
        assert response.status == 401, skew
    response = server.post(body, timestamp=None, signature=None)  # control: the same, fresh
    assert response.status == 200
    server.settle()
    assert snapshot(server.rt.engine)["cases"] == before["cases"]


def test_body_changed_after_signing_is_401(server: RobustServer, world: World) -> None:
    """A man in the middle swaps the user id: the signature no longer matches."""
    ts = str(int(time.time()))
    honest = _command_body(server, STRANGER, "list")
    signature = sign(server.secret, ts, honest)
    tampered = honest.replace(STRANGER, "U0ANA0001")
    response = server.post(tampered, timestamp=int(ts), signature=signature)
    assert response.status == 401
    server.settle()
    assert server.fake.attempts() == []


def test_replayed_submission_does_not_log_a_second_case(server: RobustServer, world: World) -> None:
    """The same signed request sent twice (a replay inside Slack's 5-minute window) is
    acted on once."""
    from slack_coc.slack.modals.report import log_report_modal

    view = {**log_report_modal(), "id": "V0REPLAY01"}
    values = {"account": {"account": {"type": "plain_text_input", "value": "replayed"}}}
    body = encode_interactive(server.payloads.view_submission("U0BEN0002", view, values))
    ts = int(time.time())
    signature = sign(server.secret, str(ts), body)
    first = server.post(body, timestamp=ts, signature=signature)
    server.settle()
    cases_after_first = snapshot(server.rt.engine)["case"]
    second = server.post(body, timestamp=ts, signature=signature)
    server.settle()
    assert first.status == 200
    assert second.status < 500
    assert snapshot(server.rt.engine)["case"] == cases_after_first


def test_replayed_click_takes_the_step_once(server: RobustServer, world: World) -> None:
    number = world.numbers["cat"]
    payload = server.payloads.block_actions(
        "U0BEN0002", step_action(Trigger.ACKNOWLEDGE), str(number), channel_id=CHANNEL
    )
    body = encode_interactive(payload)
    ts = int(time.time())
    signature = sign(server.secret, str(ts), body)
    for _ in range(3):
        assert server.post(body, timestamp=ts, signature=signature).status < 500
        server.settle()
    events = case_snapshot(server.rt.engine, TEAM, number)["case_event"]
    assert case_snapshot(server.rt.engine, TEAM, number)["row"][1] == "acknowledged"
    # one "acknowledged" step on top of what the world made: logging + Cat's recusal
    assert events == 3


# ------------------------------------------------------------------------ who may act


def _refusal_seen(server: RobustServer, since: int) -> str:
    """Everything the app said back after call number `since` (ephemeral replies via
    response_url, notice modals, postEphemeral)."""
    calls = server.fake.attempts()[since:]
    texts = [json.dumps(c.params) for c in calls]
    return "\n".join(texts)


def _attempts(server: RobustServer, user: str, team_payloads: Payloads, number: int) -> list[Any]:
    """Every way to reach case `number`: commands, buttons, modal submissions."""
    p = team_payloads
    command = p.slash_command
    yield_list: list[Any] = []
    for text in (
        f"show {number}",
        f"show #{number}",
        "list",
        "list all",
        f"recuse {number} x",
        f"shepherd {number} <@{user}>",
        f"ack {number}",
        f"acknowledge {number}",
    ):
        yield_list.append(("form", urlencode(command(user, text))))
    for action in (Action.OPEN_CASE, Action.RECUSE, Action.PROPOSE, Action.EMERGENCY_ACTION):
        payload = p.block_actions(user, action.value, str(number), channel_id=CHANNEL)
        yield_list.append(("form", encode_interactive(payload)))
    for trigger in (
        Trigger.ACKNOWLEDGE,
        Trigger.ASSIGN_SHEPHERD,
        Trigger.KEEP_ON_FILE,
        Trigger.RESOLVE,
    ):
        payload = p.block_actions(user, step_action(trigger), str(number), channel_id=CHANNEL)
        yield_list.append(("form", encode_interactive(payload)))
    meta = json.dumps({"case": str(number)})
    submissions = {
        Callback.RECUSE: {"reason": {"reason": {"type": "static_select",
                                                "selected_option": {"value": "other"}}}},
        Callback.EMERGENCY_ACTION: {"action": {"action": {"type": "plain_text_input",
                                                          "value": "blocked them"}}},
        Callback.RESOLVE: {"actions_taken": {"actions_taken": {"type": "plain_text_input",
                                                               "value": "done"}}},
        Callback.ASSIGN_SHEPHERD: {"shepherd": {"shepherd": {"type": "users_select",
                                                             "selected_user": user}}},
        Callback.REOPEN: {"new_information": {"new_information": {"type": "plain_text_input",
                                                                  "value": "new"}}},
    }  # fmt: skip
    for callback, values in submissions.items():
        view = {
            "id": "V0HOSTILE1",
            "callback_id": callback.value,
            "private_metadata": meta,
            "blocks": [{"type": "input", "block_id": k} for k in values],
        }
        yield_list.append(("form", encode_interactive(p.view_submission(user, view, values))))
    return yield_list


@pytest.mark.parametrize(
    ("who", "team", "target"),
    [
        pytest.param(STRANGER, TEAM, "dan", id="non-member"),
        pytest.param(DAN, TEAM, "dan", id="member-the-report-concerns"),
        pytest.param(CAT, TEAM, "cat", id="recused-member"),
        pytest.param(REPORTER, TEAM, "dan", id="reporter-tries-another-case"),
        pytest.param(REPORTER, TEAM, "reporter", id="reporter-tries-own-case"),
        pytest.param(REPORTED, TEAM, "reporter", id="reported-person-own-case"),
        pytest.param("U0BEN0002", OTHER_TEAM, "dan", id="member-id-from-other-workspace"),
        pytest.param(OTHER_MEMBER, OTHER_TEAM, "cat", id="other-workspace-member-foreign-number"),
        pytest.param(OTHER_MEMBER, OTHER_TEAM, "dan", id="other-workspace-member-same-number"),
    ],
)
def test_refused_changes_nothing_and_leaks_nothing(
    server: RobustServer, world: World, who: str, team: str, target: str
) -> None:
    number = world.numbers[target]
    payloads = Payloads(team, server.fake)
    protected = case_snapshot(server.rt.engine, TEAM, number)
    before = snapshot(server.rt.engine)
    for _kind, body in _attempts(server, who, payloads, number):
        since = len(server.fake.attempts())
        response = server.post(body)
        server.settle()
        assert response.status < 500, body[:200]
        said = response.text + _refusal_seen(server, since)
        # The other workspace's member may see their own #1; never this workspace's cases.
        assert not leaked(world, said, allow=("other",) if who == OTHER_MEMBER else ()), (
            body[:200],
            said[:500],
        )
        assert said.strip(), f"a refusal must be visible: {body[:200]}"
    after = snapshot(server.rt.engine)
    assert case_snapshot(server.rt.engine, TEAM, number) == protected
    if who != OTHER_MEMBER:
        assert after == before  # nothing at all changed
    mine = ("other",) if who == OTHER_MEMBER else ()
    assert not leaked(world, server.fake.all_text(), allow=mine)


def test_reported_person_uses_the_shortcuts(server: RobustServer, world: World) -> None:
    """Anyone may report, including a reported person; the form they get holds nothing of
    any case, and opening it changes nothing."""
    before = snapshot(server.rt.engine)
    p = server.payloads
    assert (
        server.interactive(p.global_shortcut(REPORTED, Shortcut.REPORT_CONCERN.value)).status == 200
    )
    card = {
        "ts": "1790000001.000001",
        "text": f"#{world.numbers['reporter']}",
        "user": "U0BOTUSER1",
    }
    shortcut = p.message_shortcut(REPORTED, Shortcut.REPORT_MESSAGE.value, card, CHANNEL)
    assert server.interactive(shortcut).status == 200
    server.settle()
    assert snapshot(server.rt.engine) == before
    opened = server.fake.calls("views.open")
    assert len(opened) == 2
    assert all(c.params["view"]["callback_id"] == Callback.REPORT_CONCERN.value for c in opened)
    assert not leaked(world, server.fake.all_text())


def test_unknown_command_text_gets_help_only(server: RobustServer, world: World) -> None:
    response = server.command(STRANGER, "definitely-not-a-command " + world.markers[0])
    server.settle()
    assert response.status == 200
    replies = [c for c in server.fake.attempts() if c.method == "response_url"]
    assert replies and "help" in (response.text + json.dumps(replies[-1].params)).lower()


def test_slack_retries_of_an_event_are_not_processed_twice(
    server: RobustServer, world: World
) -> None:
    """Slack resends an event it thinks we missed, with `X-Slack-Retry-Num` and a fresh
    signature; the app answers 200 and does the work once."""
    event = server.payloads.app_home_opened("U0BEN0002")
    body = json.dumps(event)
    url = server.url + "/slack/events"
    assert server.post(body, "application/json").status == 200
    server.settle()
    assert len(server.fake.calls("views.publish")) == 1
    for retry in (1, 2, 3):
        later = int(time.time()) + retry  # a later, differently signed delivery
        assert _post_with_retry_header(url, body, server.secret, later, retry) == 200
    server.settle()
    assert len(server.fake.calls("views.publish")) == 1
    # A new event (another event_id) is processed as usual.
    assert server.open_home("U0BEN0002").status == 200
    server.settle()
    assert len(server.fake.calls("views.publish")) == 2


def _post_with_retry_header(url: str, body: str, secret: str, ts: int, retry: int) -> int:
    import urllib.request

    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(secret, str(ts), body),
            "X-Slack-Retry-Num": str(retry),
            "X-Slack-Retry-Reason": "http_timeout",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return int(resp.status)
