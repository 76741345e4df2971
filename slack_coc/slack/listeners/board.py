"""The board summary a chair is offered on resolution: one click sends it
(services/board_summary.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services import board_summary
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import Action
from slack_coc.slack.listeners.support import actor_of


def register(app: App, rt: Runtime) -> None:
    @app.action(Action.BOARD_SUMMARY.value)
    def send_summary(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with reported(body, client, respond):
            actions = body.get("actions") or [{}]
            number = str(actions[0].get("value") or "")
            sent = board_summary.send(rt.ctx, actor_of(body), number)
            respond(
                text=f"The board summary of #{sent.number} is on its way to the board "
                "(the group's mailbox is copied); it is on the case's timeline.",
                replace_original=False,
            )
