"""The shepherd's bias question (services/bias.py): "no bias", "disclose a bias" (a modal),
and the group's "keep" / "pick another shepherd"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services import bias
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import Action, Callback
from slack_coc.slack.listeners.support import actor_of, show_modal
from slack_coc.slack.modals.common import Submitted, require_text
from slack_coc.slack.modals.member_forms import bias_disclose_modal
from slack_coc.slack.modals.notice import notice_modal


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def register(app: App, rt: Runtime) -> None:
    @app.action(Action.BIAS_NONE.value)
    def no_bias(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with reported(body, client, respond):
            number = bias.no_bias(rt.ctx, actor_of(body), _value(body))
            respond(
                text=f"Recorded: no bias to disclose on #{number}. Thank you.",
                replace_original=True,
            )

    @app.action(Action.BIAS_DISCLOSE.value)
    def open_disclosure(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        with reported(body, client, respond):
            show_modal(client, body, bias_disclose_modal(_value(body)))

    @app.view(Callback.BIAS_DISCLOSE.value)
    def on_disclose(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        errors = require_text(submitted, "bias")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        number = bias.disclose(
            rt.ctx, actor_of(body), str(submitted.metadata.get("case", "")), submitted.text("bias")
        )
        ack(
            response_action="update",
            view=notice_modal("Disclosed", f"Recorded on #{number}; the group has been asked."),
        )

    def answer(choice: str) -> Any:
        def handle(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            with reported(body, client, respond):
                number, _, event_id = _value(body).partition(":")
                bias.answer(rt.ctx, actor_of(body), number, int(event_id or 0), choice)
                said = "keep the shepherd" if choice == bias.KEEP else "pick another shepherd"
                respond(
                    text=f"Recorded on #{number}: {said}.",
                    response_type="ephemeral",
                    replace_original=False,
                )

        return handle

    app.action(Action.BIAS_KEEP.value)(answer(bias.KEEP))
    app.action(Action.BIAS_REPLACE.value)(answer(bias.REPLACE))
