"""Button clicks: case card steps (value = case number), "Open case", votes, App Home.

Simple steps call their service at once; steps that need input open their modal after
checking the step is still possible. A stale click (the case moved on) is refused by the
service with a message naming the current state, shown only to the person who clicked."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services import conflicts, prompts, queries
from slack_coc.services.home import home_data
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.ids import STEP_PREFIX, VOTE_ACTIONS, Action, parse_vote_value, trigger_of
from slack_coc.slack.listeners.support import (
    DIRECT_STEPS,
    actor_of,
    propose_modal,
    show_modal,
    step_modal,
    step_summary,
    vote_and_explain,
)
from slack_coc.slack.views import steps as step_views
from slack_coc.slack.views.detail import case_detail_modal
from slack_coc.slack.views.notice import notice_modal
from slack_coc.slack.views.report import log_report_modal


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = body.get("actions") or [{}]
    return actions[0]


def tell_done(body: dict[str, Any], respond: Respond, client: WebClient, text: str) -> None:
    """A confirmation only the clicker sees: ephemeral on a message, a notice in a modal."""
    if body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)
    else:
        show_modal(client, body, notice_modal("Done", text))


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    @app.action(re.compile("^" + re.escape(STEP_PREFIX)))
    def on_step(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        action = _action(body)
        trigger = trigger_of(action.get("action_id", ""))
        ref = action.get("value", "")
        actor = actor_of(body)
        if trigger is None:
            return
        direct = DIRECT_STEPS.get(trigger)
        if direct is not None:
            tell_done(body, respond, client, step_summary(direct(ctx, actor, ref)))
            return
        show_modal(client, body, step_modal(rt, actor, trigger, ref))

    @app.action(Action.OPEN_CASE.value)
    def on_open_case(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        detail = queries.case_detail(
            ctx, actor_of(body), _action(body).get("value", ""), via="button"
        )
        show_modal(client, body, case_detail_modal(detail))

    @app.action(Action.PROPOSE.value)
    def on_propose(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        show_modal(client, body, propose_modal(rt, actor_of(body), _action(body).get("value", "")))

    @app.action(Action.RECUSE.value)
    def on_recuse(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = prompts.case_for_member(ctx, actor_of(body), _action(body).get("value", ""))
        show_modal(client, body, step_views.recuse_modal(view))

    @app.action(Action.EMERGENCY_ACTION.value)
    def on_emergency(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = prompts.case_for_member(ctx, actor_of(body), _action(body).get("value", ""))
        show_modal(client, body, step_views.emergency_modal(view))

    @app.action(Action.REVIEW_EMERGENCY.value)
    def on_review(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        ref = _action(body).get("value", "").partition(":")[0]
        actor = actor_of(body)
        pending = prompts.pending_emergency_actions(ctx, actor, ref)
        view = prompts.case_for_member(ctx, actor, ref)
        show_modal(client, body, step_views.review_emergency_modal(view, pending))

    @app.action(re.compile("^vote:"))
    def on_vote(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        action = _action(body)
        value = {a.value: v for a, v in VOTE_ACTIONS.items()}.get(action.get("action_id", ""))
        if value is None:
            return
        ref, proposal_id = parse_vote_value(action.get("value", ""))
        tell_done(
            body, respond, client, vote_and_explain(rt, actor_of(body), ref, value, proposal_id)
        )

    @app.action(Action.LOG_REPORT.value)
    def on_log_report(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        prompts.require_member_of(ctx, actor_of(body))
        show_modal(client, body, log_report_modal())

    @app.action(Action.DECLARE_CONFLICTS.value)
    def on_declare(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_cases = conflicts.cases_to_declare(ctx, actor_of(body))
        show_modal(client, body, step_views.declare_conflicts_modal(open_cases))

    @app.action(Action.REFRESH_HOME.value)
    def on_refresh(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        actor = actor_of(body)
        client.views_publish(user_id=actor.user_id or "", view=build_home(home_data(ctx, actor)))
