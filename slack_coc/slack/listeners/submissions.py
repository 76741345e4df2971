"""Modal submissions (the steps' forms are registered from `slack/step_table.py`: callback
id, required fields, handler). Each one reads the form, checks required text on the server
(blank or whitespace-only -> `response_action: errors` on that input), calls one service,
and only then acks: a refusal from the service lands in the modal through the app's error
handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext

from slack_coc.context import Actor
from slack_coc.read_models import prompts
from slack_coc.runtime import Runtime
from slack_coc.services import conflicts, intake
from slack_coc.slack.ids import Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted, require_text
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.report import parse_report
from slack_coc.slack.step_rows import Submit
from slack_coc.slack.step_table import STEPS

Handler = Callable[[Actor, Submitted, str], str | None]

RECEIVED_TEXT = (
    "Thank you. Your report has reached the Code of Conduct working group. "
    "We will send you a direct message confirming it and saying what happens next."
)


def _case(submitted: Submitted) -> str:
    return str(submitted.metadata.get("case", ""))


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    def submission(callback: Callback, required: tuple[str, ...], handle: Handler) -> None:
        """Register a step modal: `handle` returns the text to show in place of the modal
        (None closes it)."""

        @app.view(callback.value)
        def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            submitted = Submitted(view)
            errors = require_text(submitted, *required)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            done = handle(actor_of(body), submitted, body["user"]["id"])
            if done is None:
                ack()
            else:
                ack(response_action="update", view=notice_modal("Done", done))

    @app.view(Callback.LOG_REPORT.value)
    def on_log_report(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = actor_of(body)
        report, errors = parse_report(view, member_form=True, user_id=actor.user_id or "")
        if report is None:
            ack(response_action="errors", errors=errors)
            return
        prompts.require_member_of(ctx, actor)
        logged = intake.log_report(ctx, actor, report)
        text = (
            f"Logged as case *#{logged.number}* ({logged.code_name}). "
            "Its card is in the group's channel."
        )
        ack(response_action="update", view=notice_modal("Report logged", text))

    @app.view(Callback.REPORT_CONCERN.value)
    def on_report_concern(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        actor = actor_of(body)
        report, errors = parse_report(view, member_form=False, user_id=actor.user_id or "")
        if report is None:
            ack(response_action="errors", errors=errors)
            return
        # Anyone may report, including a guest from another workspace in a shared channel:
        # the report belongs to the workspace whose working group received it.
        installed = context.authorize_result.team_id if context.authorize_result else None
        intake.log_report(ctx, Actor(installed or actor.team_id, actor.user_id), report)
        ack(response_action="update", view=notice_modal("Report received", RECEIVED_TEXT))

    def step_handler(submit: Submit) -> Handler:
        return lambda actor, s, _u: submit(rt, actor, s)

    def declare(actor: Actor, s: Submitted, _u: str) -> str:
        count = conflicts.declare_conflicts(ctx, actor, s.selected("conflicted"))
        return (
            f"Thank you. {count} conflict(s) recorded; the cases you may see are on your App Home."
        )

    for row in STEPS:
        if row.callback is not None and row.submit is not None:
            submission(row.callback, row.required, step_handler(row.submit))
    submission(Callback.DECLARE_CONFLICTS, (), declare)
