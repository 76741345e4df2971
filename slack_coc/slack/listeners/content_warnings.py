"""Content warnings: `/coc warn CASE`, its modal, "Show the report" in the detail modal
and the App Home "always warn me" switch."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.read_models import cases as queries
from slack_coc.read_models.home import home_data
from slack_coc.runtime import Runtime
from slack_coc.services import content_warnings
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import SLASH_COMMAND, Action, Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.content_warning import content_warning_modal
from slack_coc.slack.modals.detail import case_detail_modal
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.subcommands import CommandRequest, subcommand


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value", ""))


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    @app.action(Action.SHOW_REPORT.value)
    def on_show(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            detail = queries.case_detail(
                ctx, actor_of(body), _value(body), via="show report", reveal=True
            )
            view_id = str((body.get("view") or {}).get("id") or "")
            client.views_update(view_id=view_id, view=case_detail_modal(detail))

    @app.action(Action.ALWAYS_WARN.value)
    def on_always(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            actor = actor_of(body)
            content_warnings.set_always_warn(ctx, actor, _value(body) == "on")
            client.views_publish(
                user_id=actor.user_id or "", view=build_home(home_data(ctx, actor))
            )

    @app.view(Callback.CONTENT_WARNING.value)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        number = content_warnings.set_warnings(
            ctx,
            actor_of(body),
            str(submitted.metadata.get("case", "")),
            submitted.selected("content_warnings"),
        )
        ack(
            response_action="update",
            view=notice_modal("Done", f"Content warning of case #{number} saved."),
        )


@subcommand(
    "warn",
    "warn CASE",
    "flag a report as containing distressing content (readers are warned first)",
    opens_modal=True,
)
def _warn(req: CommandRequest) -> None:
    if not req.args:
        req.respond(text=f"Which case? `{SLASH_COMMAND} warn 12`", response_type="ephemeral")
        return
    number, current = content_warnings.current_warnings(req.rt.ctx, req.actor, req.args.split()[0])
    req.client.views_open(trigger_id=req.trigger_id, view=content_warning_modal(number, current))
