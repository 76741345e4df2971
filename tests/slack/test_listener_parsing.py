"""Listener parsing and the error policy, without HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slack_coc.domain.errors import IllegalStep, InvalidInput, NotPermitted
from slack_coc.slack import errors
from slack_coc.slack.ids import (
    Action,
    Trigger,
    parse_vote_value,
    step_action,
    trigger_of,
    vote_value,
)
from slack_coc.slack.listeners.commands import help_text
from slack_coc.slack.listeners.support import actor_of, parse_user
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.subcommands import SUBCOMMANDS


def _sample(reference: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((reference / "sample-payloads" / name).read_text()))


def test_user_mentions_are_parsed_in_every_form() -> None:
    assert parse_user("<@U123ABC|ana>") == "U123ABC"
    assert parse_user("<@W123ABC>") == "W123ABC"
    assert parse_user("@U123ABC") == "U123ABC"
    assert parse_user("U123ABC") == "U123ABC"
    assert parse_user("ana") is None
    assert parse_user("<#C123|general>") is None


def test_actor_comes_from_the_payload_team(reference: Path) -> None:
    command = _sample(reference, "slash-commands/SlashCommandPayload.json")
    command.update(team_id="T1", user_id="U1")
    assert actor_of(command) == (actor := actor_of(command)) and (actor.team_id, actor.user_id) == (
        "T1",
        "U1",
    )
    click = _sample(reference, "interactive-components/BlockActionPayload.json")
    click["team"]["id"], click["user"]["id"] = "T2", "U2"
    assert (actor_of(click).team_id, actor_of(click).user_id) == ("T2", "U2")
    submission = _sample(reference, "views/ViewSubmissionPayload.json")
    submission["team"]["id"], submission["user"]["id"] = "T3", "U3"
    assert (actor_of(submission).team_id, actor_of(submission).user_id) == ("T3", "U3")
    event = {"team_id": "T4", "event": {"type": "app_home_opened", "user": "U4"}}
    assert (actor_of(event).team_id, actor_of(event).user_id) == ("T4", "U4")


def test_ids_round_trip() -> None:
    for trigger in Trigger:
        assert trigger_of(step_action(trigger)) is trigger
    assert trigger_of(Action.OPEN_CASE.value) is None
    assert trigger_of("step:nonsense") is None
    assert parse_vote_value(vote_value(12, 7)) == ("12", 7)
    assert parse_vote_value("12") == ("12", None)


def test_submitted_state_reads_missing_fields_as_empty() -> None:
    s = Submitted({"state": {"values": {}}, "private_metadata": "not json"})
    assert (s.text("x"), s.option("x"), s.users("x"), s.date("x"), s.checked("x")) == (
        "",
        None,
        [],
        None,
        False,
    )
    assert s.metadata == {}


def test_help_lists_every_registered_subcommand() -> None:
    import slack_coc.slack.listeners.step_commands  # noqa: F401  (registers the step commands)

    text = help_text()
    for sub in SUBCOMMANDS.values():
        assert f"/coc {sub.usage}" in text
    assert "frob" in help_text(unknown="frob")


class _Request:
    pass


def test_errors_before_a_submission_ack_land_on_the_named_input() -> None:
    view = {
        "blocks": [
            {"type": "section", "block_id": "head"},
            {"type": "input", "block_id": "actions_taken"},
            {"type": "input", "block_id": "review_date"},
            {"type": "input", "block_id": "outcome_7"},
        ]
    }
    body = {"type": "view_submission", "view": view}
    from slack_bolt import BoltResponse

    def answer(error: Exception) -> dict[str, Any]:
        response = errors.handle_error(
            error, body, _Request(), BoltResponse(status=500), None, None
        )  # type: ignore[arg-type]
        assert response is not None and response.status == 200
        return dict(json.loads(response.body))

    assert answer(InvalidInput("Pick a date.", field="review_date")) == {
        "response_action": "errors",
        "errors": {"review_date": "Pick a date."},
    }
    assert answer(InvalidInput("Choose.", field="outcome"))["errors"] == {"outcome_7": "Choose."}
    assert answer(NotPermitted("No."))["errors"] == {"actions_taken": "No."}
    crash = answer(RuntimeError("secret narrative text"))
    assert "secret narrative" not in json.dumps(crash)
    assert crash["errors"]["actions_taken"] == errors.UNEXPECTED


def test_errors_before_a_command_ack_answer_ephemerally() -> None:
    from slack_bolt import BoltResponse

    body = {"command": "/coc", "text": "ack 1"}
    response = errors.handle_error(
        IllegalStep(1, "resolved", "acknowledge", []),
        body,
        _Request(),
        BoltResponse(status=500),
        None,
        None,
    )  # type: ignore[arg-type]
    assert response is not None
    data = json.loads(response.body)
    assert data["response_type"] == "ephemeral" and "#1" in data["text"]


def test_errors_after_the_ack_are_told_to_the_person_only() -> None:
    said: list[dict[str, Any]] = []

    def respond(**kwargs: Any) -> None:
        said.append(kwargs)

    body = {"type": "block_actions", "response_url": "https://hooks.example/1", "trigger_id": "t"}
    with errors.reported(body, None, respond):  # type: ignore[arg-type]
        raise NotPermitted("Only members.")
    assert said == [
        {"text": "Only members.", "response_type": "ephemeral", "replace_original": False}
    ]

    opened: list[dict[str, Any]] = []

    class Client:
        def views_open(self, **kwargs: Any) -> None:
            opened.append(kwargs)

        def views_push(self, **kwargs: Any) -> None:
            raise AssertionError("App Home clicks open a modal; they don't push")

    with errors.reported(
        {"type": "block_actions", "trigger_id": "t1", "container": {"type": "view"}, "view": None},
        Client(),
        None,
    ):  # type: ignore[arg-type]
        pass
    with errors.reported({"type": "block_actions", "trigger_id": "t2"}, Client(), None):  # type: ignore[arg-type]
        raise ValueError("boom")
    assert opened and errors.UNEXPECTED in json.dumps(opened[0]["view"])
