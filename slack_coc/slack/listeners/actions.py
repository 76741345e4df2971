"""Button clicks: case card steps (value = case number), "Open case", votes, App Home.

The step buttons are registered from the step table (`slack/step_table.py`): a row's button
calls its service at once, or opens the row's form after checking the step is still
possible. A stale click (the case moved on) is refused by the
service with a message naming the current state, shown only to the person who clicked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.read_models import cases as queries
from slack_coc.read_models import prompts
from slack_coc.read_models.home import home_data
from slack_coc.runtime import Runtime
from slack_coc.services import conflicts
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import VOTE_ACTIONS, Action, parse_vote_value
from slack_coc.slack.listeners.support import actor_of, show_modal, vote_and_explain
from slack_coc.slack.modals import steps as step_views
from slack_coc.slack.modals.detail import case_detail_modal
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.report import log_report_modal
from slack_coc.slack.step_rows import Button, Step
from slack_coc.slack.step_table import STEPS


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = body.get("actions") or [{}]
    return actions[0]


def tell_done(
    body: dict[str, Any], respond: Respond, client: WebClient, text: str, blocks: Any = None
) -> None:
    """A confirmation only the clicker sees: ephemeral on a message, a notice in a modal
    (`blocks`, when given, carry buttons: an offer to write to the reporter)."""
    if body.get("response_url"):
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    else:
        show_modal(client, body, notice_modal("Done", text, blocks=blocks))


Work = Callable[[dict[str, Any], Respond, WebClient], None]


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    def clicked(action: str | re.Pattern[str], work: Work) -> None:
        """Ack at once, then do the work; refusals go to the clicker only."""

        @app.action(action)
        def listener(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            with reported(body, client, respond):
                work(body, respond, client)

    def value(body: dict[str, Any]) -> str:
        return str(_action(body).get("value", ""))

    def step(row: Step, button: Button) -> Work:
        def work(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            actor = actor_of(body)
            ref = value(body).partition(":")[0]  # "<number>" or "<number>:<id>"
            if button.at_once is not None:
                reply = button.at_once(rt, actor, ref)
                tell_done(body, respond, client, reply.text, reply.blocks or None)
                return
            assert row.modal is not None  # checked when the table is built
            show_modal(client, body, row.modal(rt, actor, ref, button.trigger))

        return work

    def open_case(body: dict[str, Any], _r: Respond, client: WebClient) -> None:
        detail = queries.case_detail(ctx, actor_of(body), value(body), via="button")
        show_modal(client, body, case_detail_modal(detail))

    def vote(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        choice = {a.value: v for a, v in VOTE_ACTIONS.items()}.get(
            _action(body).get("action_id", "")
        )
        if choice is None:
            return
        ref, proposal_id = parse_vote_value(value(body))
        text = vote_and_explain(rt, actor_of(body), ref, choice, proposal_id)
        tell_done(body, respond, client, text)

    def log_report(body: dict[str, Any], _r: Respond, client: WebClient) -> None:
        prompts.require_member_of(ctx, actor_of(body))
        show_modal(client, body, log_report_modal())

    def declare(body: dict[str, Any], _r: Respond, client: WebClient) -> None:
        open_cases = conflicts.cases_to_declare(ctx, actor_of(body))
        show_modal(client, body, step_views.declare_conflicts_modal(open_cases))

    def refresh(body: dict[str, Any], _r: Respond, client: WebClient) -> None:
        actor = actor_of(body)
        client.views_publish(user_id=actor.user_id or "", view=build_home(home_data(ctx, actor)))

    for row in STEPS:
        for button in row.buttons:
            clicked(button.action_id, step(row, button))
    clicked(Action.OPEN_CASE.value, open_case)
    clicked(re.compile("^vote:"), vote)
    clicked(Action.LOG_REPORT.value, log_report)
    clicked(Action.DECLARE_CONFLICTS.value, declare)
    clicked(Action.REFRESH_HOME.value, refresh)
