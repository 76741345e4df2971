"""The reporting shortcuts, open to anyone in the workspace (not only members).

`report_concern` (global) opens the reporter form; `report_message` (on a message) opens it
with the message's link, author and time attached. The message's author is never told."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_coc.runtime import Runtime
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import Shortcut
from slack_coc.slack.modals.report import report_concern_modal

log = logging.getLogger(__name__)
MAX_EVIDENCE = 1500


def reported_message_of(body: dict[str, Any], client: WebClient) -> dict[str, str]:
    """What the form keeps about the reported message (permalink when Slack gives one)."""
    message = _mapping(body.get("message"))
    channel = str(_mapping(body.get("channel")).get("id") or "")
    ts = str(body.get("message_ts") or message.get("ts") or "")
    found = {"channel": channel, "ts": ts, "author": str(message.get("user") or "")}
    # The text as reported, kept (encrypted) with the case as evidence should the message be
    # edited or hidden later; cut to fit the form's private_metadata (3,000 characters).
    found["text"] = str(message.get("text") or "")[:MAX_EVIDENCE]
    if not (channel and ts):
        # A message action without its message (Slack does not send one; a forger may): the
        # form opens without a message attached rather than asking Slack about nothing.
        return {k: v for k, v in found.items() if v}
    try:
        found["permalink"] = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except (SlackApiError, KeyError):
        log.info("no permalink for a reported message")  # the form still has channel and ts
    return {k: v for k, v in found.items() if v}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def register(app: App, rt: Runtime) -> None:
    @app.shortcut(Shortcut.REPORT_CONCERN.value)
    def on_report_concern(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with reported(body, client, None):
            client.views_open(trigger_id=body["trigger_id"], view=report_concern_modal())

    @app.shortcut(Shortcut.REPORT_MESSAGE.value)
    def on_report_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with reported(body, client, None):
            message = reported_message_of(body, client)
            client.views_open(trigger_id=body["trigger_id"], view=report_concern_modal(message))
