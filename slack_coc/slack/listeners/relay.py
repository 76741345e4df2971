"""The relay to an anonymous reporter ("Ask the reporter", `/coc ask CASE`, the reporter's
"Answer" button and modal) and "Hide the message" on a case reported from a message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services import relay, reported_message
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import SLASH_COMMAND, Action, Callback
from slack_coc.slack.listeners.support import actor_of, show_modal
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.relay import (
    already_hidden_modal,
    answer_modal,
    ask_modal,
    hide_modal,
    no_token_modal,
)
from slack_coc.slack.subcommands import CommandRequest, subcommand


def _value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value", ""))


def _ints(value: str) -> tuple[int, int]:
    first, _, second = value.partition(":")
    return (int(first) if first.isdigit() else 0, int(second) if second.isdigit() else 0)


@subcommand(
    "ask",
    "ask CASE",
    "ask an anonymous reporter a question, through the app (opens a form)",
    opens_modal=True,
)
def _ask(req: CommandRequest) -> None:
    if not req.args:
        req.respond(text=f"Which case? `{SLASH_COMMAND} ask 12`", response_type="ephemeral")
        return
    number = relay.relay_case(req.rt.ctx, req.actor, req.args.split()[0])
    req.client.views_open(trigger_id=req.trigger_id, view=ask_modal(number))


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    def can_delete() -> bool:
        return bool(getattr(rt.settings, "SLACK_ADMIN_USER_TOKEN", None))

    @app.action(Action.ASK_REPORTER.value)
    def on_ask(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            number = relay.relay_case(ctx, actor_of(body), _value(body))
            show_modal(client, body, ask_modal(number))

    @app.view(Callback.ASK_REPORTER.value)
    def on_ask_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        number = relay.ask_reporter(
            ctx, actor_of(body), str(submitted.metadata.get("case", "")), submitted.text("question")
        )
        ack(
            response_action="update",
            view=notice_modal(
                "Question sent",
                f"Sent to the reporter of case #{number} through the app. Their answer will "
                "land on the case's timeline.",
            ),
        )

    @app.action(Action.ANSWER_RELAY.value)
    def on_answer(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            case_id, event_id = _ints(_value(body))
            show_modal(client, body, answer_modal(case_id, event_id))

    @app.view(Callback.ANSWER_RELAY.value)
    def on_answer_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        meta = submitted.metadata
        relay.answer(
            ctx,
            actor_of(body),
            int(meta.get("case", 0) or 0),
            int(meta.get("event", 0) or 0),
            submitted.text("answer"),
        )
        ack(
            response_action="update",
            view=notice_modal(
                "Answer sent",
                "Thank you: your answer reached the working group, without your name.",
            ),
        )

    @app.action(Action.HIDE_MESSAGE.value)
    def on_hide(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            found = reported_message.reported_message(ctx, actor_of(body), _value(body))
            if found.hidden:
                view = already_hidden_modal(found)
            else:
                view = hide_modal(found) if can_delete() else no_token_modal(found)
            show_modal(client, body, view)

    @app.view(Callback.HIDE_MESSAGE.value)
    def on_hide_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        number = reported_message.hide_message(
            ctx,
            actor_of(body),
            str(submitted.metadata.get("case", "")),
            submitted.text("reason"),
            can_delete=can_delete(),
        )
        ack(
            response_action="update",
            view=notice_modal(
                "Message hidden",
                f"The reported message of case #{number} is being deleted; the timeline records "
                "it, with your reason, and its text stays with the case.",
            ),
        )
