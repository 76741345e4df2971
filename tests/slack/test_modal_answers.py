"""The one table that says how a modal answer reaches Slack: opened from the request
(`DIRECT`, one round trip) or through a "Loading" view the worker fills (`LOADING`)."""

from __future__ import annotations

from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import Action, step_action
from slack_coc.slack.modal_answers import Answer, answer_for


def _click(action_id: str, **extra: object) -> dict[str, object]:
    return {"type": "block_actions", "trigger_id": "1.2.3", "actions": [{"action_id": action_id}],
            **extra}  # fmt: skip


def test_read_only_modals_open_from_the_request() -> None:
    for action in (Action.OPEN_CASE, Action.LOG_REPORT, Action.DECLARE_CONFLICTS, Action.PROPOSE):
        assert answer_for(_click(action.value)) is Answer.DIRECT, action
    assert answer_for(_click(step_action(Trigger.RESOLVE))) is Answer.DIRECT  # its form
    assert answer_for({"command": "/coc", "text": "show 12"}) is Answer.DIRECT


def test_answers_that_write_or_may_take_longer_go_through_a_loading_view() -> None:
    home = {"container": {"type": "view"}, "view": {"type": "home", "id": "V1"}}
    assert answer_for(_click(step_action(Trigger.ACKNOWLEDGE), **home)) is Answer.LOADING
    assert answer_for(_click(Action.MAIL_COMPOSE.value)) is Answer.LOADING
    assert answer_for({"command": "/coc", "text": "mail 12"}) is Answer.LOADING
    assert answer_for({"command": "/coc", "text": "identity"}) is Answer.LOADING
    assert answer_for(_click("something_new")) is Answer.LOADING  # not in the table: safe
