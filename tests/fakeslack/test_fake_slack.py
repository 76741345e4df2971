"""The fake Slack server itself: it accepts what Slack accepts and flags what Slack rejects,
so a green end-to-end test means the app's calls are valid, not that the checker is lax."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.webhook import WebhookClient

from tests.fakeslack import FakeSlack, spec

GOOD_BLOCKS = [
    SectionBlock(text="*#1* Amber Heron").to_dict(),
    ActionsBlock(
        elements=[ButtonElement(text="Acknowledge", action_id="ack", value="1")]
    ).to_dict(),
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake whose violations the test inspects itself (the checker is under test)."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return fake.client(timeout=2)


def test_valid_calls_are_accepted_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["team_id"] == fake.team_id
    posted = client.chat_postMessage(channel="C0COCGROUP", text="case #1", blocks=GOOD_BLOCKS)
    client.chat_update(channel="C0COCGROUP", ts=posted["ts"], text="case #1 (ack)", blocks=[])
    client.chat_postMessage(channel="C0COCGROUP", thread_ts=posted["ts"], text="acknowledged")
    dm = client.conversations_open(users="U0ANA0001")["channel"]["id"]
    client.chat_postMessage(channel=dm, text="you are paged")
    client.chat_postEphemeral(channel="C0COCGROUP", user="U0ANA0001", text="refused")
    client.users_info(user="U0ANA0001")
    client.chat_getPermalink(channel="C0COCGROUP", message_ts=posted["ts"])
    client.conversations_members(channel="C0COCGROUP")
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Case #1"},
        "blocks": GOOD_BLOCKS[:1],
    }
    opened = client.views_open(trigger_id="123.456.abc", view=modal)["view"]
    client.views_update(view_id=opened["id"], view=modal)
    fake.issue_trigger("123.456.abd", in_modal=True)  # a click inside the open modal
    client.views_push(trigger_id="123.456.abd", view=modal)
    client.views_publish(user_id="U0ANA0001", view={"type": "home", "blocks": GOOD_BLOCKS})
    client.files_upload_v2(channel="C0COCGROUP", content="a,b\n1,2\n", filename="records.csv")

    assert fake.violations == []
    assert [m.text for m in fake.messages("C0COCGROUP")] == ["case #1 (ack)", "acknowledged"]
    assert fake.messages("C0COCGROUP")[0].edits == 1
    assert fake.messages("C0COCGROUP")[1].thread_ts == posted["ts"]
    assert [m.text for m in fake.dms("U0ANA0001")] == ["you are paged"]
    assert fake.ephemerals_for("U0ANA0001") == ["refused"] and fake.ephemerals_for("U0B") == []
    assert fake.home("U0ANA0001") is not None
    assert len(fake.calls("chat.postMessage")) == 3
    assert fake.calls("chat.postMessage")[0].blocks[0]["type"] == "section"
    assert "Amber Heron" in fake.all_text() and "a,b" in fake.all_text()


def test_unknown_method_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMessages", json={"channel": "C1", "text": "x"})
    assert any("no such Web API method" in v for v in fake.violations)


def test_missing_required_parameter_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("chat.update", json={"channel": "C0COCGROUP", "text": "no ts"})
    assert any("'ts' missing" in v for v in fake.violations)


def test_unknown_parameter_and_wrong_type_are_violations(fake: FakeSlack) -> None:
    client = fake.client()
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "thread": "1"})
    with pytest.raises(SlackApiError):
        client.api_call("conversations.members", params={"channel": "C1", "limit": "many"})
    assert any("unknown parameter 'thread'" in v for v in fake.violations)
    assert any("'limit' should be integer" in v for v in fake.violations)


def test_message_needs_text_or_blocks(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert any("no_text" in v for v in fake.violations)


@pytest.mark.parametrize(
    "blocks, expected",
    [
        ([{"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}}], "schema"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "bogus": 1}], "bogus"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "mrkdwn", "text": "x"},
                            "action_id": "a",
                        }
                    ],
                }
            ],
            "schema",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "slack_sdk"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "y" * 76},
                            "action_id": "a",
                        }
                    ],
                }
            ],
            "slack_sdk",
        ),
    ],
)
def test_invalid_blocks_are_violations(
    fake: FakeSlack, client: WebClient, blocks: list[dict[str, Any]], expected: str
) -> None:
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert any(expected in v for v in fake.violations), fake.violations


def test_invalid_views_are_violations(fake: FakeSlack, client: WebClient) -> None:
    long_title = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "T" * 25},
        "blocks": GOOD_BLOCKS[:1],
    }
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="1.2.3", view=long_title)
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [], "title": "x"})
    assert any("slack_sdk" in v for v in fake.violations), fake.violations
    assert any("SlackHomeView" in v for v in fake.violations), fake.violations


def test_token_is_required_and_checked(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        WebClient(token="xoxb-wrong", base_url=fake.url).auth_test()
    with pytest.raises(SlackApiError):
        WebClient(base_url=fake.url).auth_test()
    assert any("wrong token" in v for v in fake.violations)
    assert any("no token" in v for v in fake.violations)


def test_form_and_query_bodies_are_normalised(fake: FakeSlack) -> None:
    """The spec lists GET + token param; slack_sdk POSTs forms with Bearer auth. Both pass."""
    url = f"{fake.url}users.info?token={fake.token}&user=U0ANA0001"
    with urllib.request.urlopen(url, timeout=2) as resp:
        assert json.load(resp)["ok"] is True
    fake.client().conversations_open(users=["U0ANA0001"])
    assert fake.violations == []


def test_429_then_success(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    client.chat_postMessage(channel="C1", text="x")
    assert len(fake.attempts("chat.postMessage")) == 2
    assert len(fake.calls("chat.postMessage")) == 1
    assert len(fake.messages("C1")) == 1
    assert fake.violations == []


def test_500_has_no_side_effect(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x")
        assert err.value.response.status_code == 500
    assert fake.messages("C1") == []


def test_an_ok_false_error_can_be_injected(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("users.info", status=200, error="user_not_found")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U1")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "user_not_found"
    assert client.users_info(user="U1")["ok"]


def test_hang_makes_the_client_time_out(fake: FakeSlack) -> None:
    fake.hang("chat.postMessage", seconds=5, times=2)  # slack_sdk retries a connection error once
    client = fake.client(timeout=1)
    with pytest.raises(Exception) as err:  # urllib: TimeoutError or URLError
        client.chat_postMessage(channel="C1", text="x")
    assert "timed out" in str(err.value).lower()
    assert fake.messages("C1") == []


def test_update_of_unknown_message_is_an_error_not_a_violation(
    fake: FakeSlack, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"
    assert fake.violations == []


def test_response_url_posts_are_recorded_and_checked(fake: FakeSlack) -> None:
    WebhookClient(fake.response_url()).send(
        text="only #1 and its code name", response_type="ephemeral"
    )
    WebhookClient(fake.response_url()).send(blocks=[{"type": "nope"}])
    assert fake.calls("response_url")[0].text == "only #1 and its code name"
    assert any("schema" in v for v in fake.violations)


def test_responses_are_shaped_like_slacks_samples(fake: FakeSlack, client: WebClient) -> None:
    """Every key the fake answers with is one Slack's own sample response has."""
    posted = client.chat_postMessage(channel="C1", text="x", blocks=GOOD_BLOCKS)
    answers = {
        "auth.test": client.auth_test().data,
        "chat.postMessage": posted.data,
        "chat.update": client.chat_update(channel="C1", ts=posted["ts"], text="y").data,
        "chat.postEphemeral": client.chat_postEphemeral(channel="C1", user="U1", text="z").data,
        "conversations.open": client.conversations_open(users="U1").data,
        "conversations.members": client.conversations_members(channel="C1").data,
        "users.info": client.users_info(user="U1").data,
        "views.publish": client.views_publish(
            user_id="U1", view={"type": "home", "blocks": GOOD_BLOCKS}
        ).data,
        "files.getUploadURLExternal": client.files_getUploadURLExternal(
            filename="a.csv", length=3
        ).data,
    }
    for method, answer in answers.items():
        sample = spec.sample_response(method)
        assert sample is not None, method
        assert isinstance(answer, dict)
        _assert_subset_shape(answer, sample, method)


def _assert_subset_shape(answer: dict[str, Any], sample: dict[str, Any], where: str) -> None:
    extra = set(answer) - set(sample)
    assert not extra, f"{where}: keys Slack never sends: {extra}"
    for key, value in answer.items():
        if isinstance(value, dict) and isinstance(sample[key], dict) and sample[key]:
            _assert_subset_shape(value, sample[key], f"{where}.{key}")


def test_ack_bodies_are_checked_and_recorded(fake: FakeSlack) -> None:
    fake.record_ack("command", b'{"text": "only #1", "response_type": "ephemeral"}')
    fake.record_ack("view_submission", b'{"response_action": "errors", "errors": {"account": "x"}}')
    assert fake.violations == []
    fake.record_ack("view_submission", b'{"response_action": "errors", "errors": {}}')
    fake.record_ack("block_actions", b'{"response_action": "clear"}')
    fake.record_ack("command", b'{"blocks": [{"type": "nope"}]}')
    assert len(fake.violations) == 3, fake.violations
    assert "only #1" in fake.all_text()


def test_a_trigger_id_opens_one_modal_only(fake: FakeSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Case #1"},
        "blocks": GOOD_BLOCKS[:1],
    }
    client.views_open(trigger_id="9.9.9", view=modal)
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="9.9.9", view=modal)
    assert any("used twice" in v for v in fake.violations)


def test_ids_must_look_like_slack_ids(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="None", text="x")
    with pytest.raises(SlackApiError):
        client.chat_postEphemeral(channel="C1X", user="<@U1X>", text="x")
    assert len(fake.violations) == 2 and "not a Slack id" in fake.violations[0]


def test_views_push_needs_a_trigger_from_an_open_modal(fake: FakeSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Case #1"},
        "blocks": GOOD_BLOCKS[:1],
    }
    fake.issue_trigger("1.1.home")  # a click on App Home: no modal is open
    with pytest.raises(SlackApiError):
        client.views_push(trigger_id="1.1.home", view=modal)
    assert any("open modal" in v for v in fake.violations)
    fake.violations.clear()
    fake.issue_trigger("1.2.modal", in_modal=True)
    client.views_push(trigger_id="1.2.modal", view=modal)
    fake.issue_trigger("1.3.home")
    client.views_open(trigger_id="1.3.home", view=modal)
    assert fake.violations == []


def test_an_expired_trigger_opens_nothing(fake: FakeSlack, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Case #1"},
        "blocks": GOOD_BLOCKS[:1],
    }
    fake.trigger_ttl = 0.0
    fake.issue_trigger("2.1.late")
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id="2.1.late", view=modal)


def test_duplicate_block_ids_are_refused_in_messages_and_views(
    fake: FakeSlack, client: WebClient
) -> None:
    section = {"type": "section", "block_id": "case_1", "text": {"type": "mrkdwn", "text": "#1"}}
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C0COCGROUP", text="x", blocks=[section, section])
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U0ANA0001", view={"type": "home", "blocks": [section] * 2})
    fake.record_ack("command", json.dumps({"text": "x", "blocks": [section, section]}).encode())
    assert len(fake.violations) == 3 and all("duplicate block_id" in v for v in fake.violations)
    assert fake.home("U0ANA0001") is None
    fake.violations.clear()
    other = {**section, "block_id": "case_2"}
    client.views_publish(user_id="U0ANA0001", view={"type": "home", "blocks": [section, other]})
    assert fake.violations == []


def test_expire_triggers_expires_those_issued_so_far_only(
    fake: FakeSlack, client: WebClient
) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Case #1"},
        "blocks": GOOD_BLOCKS[:1],
    }
    fake.issue_trigger("2.2.old")
    fake.expire_triggers()
    fake.issue_trigger("2.3.new")
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id="2.2.old", view=modal)
    assert client.views_open(trigger_id="2.3.new", view=modal)["ok"]
