"""The background work of a process: the inbox (stored commands and clicks) and the outbox
(everything to send), each drained by its own pump thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.slack.delivery import OutboxPump, Pump
from slack_coc.slack.outbound import ClientSource

# Given where Slack clients come from, every outbox deliverer (`wiring.outbox_handlers`).
HandlersFor = Callable[[ClientSource], dict[str, Any]]


def start_pumps(
    rt: Runtime,
    handlers_for: HandlersFor,
    *,
    inbox: bool = True,
    client: WebClient | None = None,
    inbox_idle: float = 0.25,
    outbox_idle: float = 5.0,
) -> list[Pump]:
    """Start the pumps. `inbox=False` where nothing is stored (Socket Mode); `client` is the
    Web API client to deliver with (by default the inbox app's); `handlers_for` gives the
    outbox's deliverers for it."""
    from slack_coc.slack.app import Role, build_app
    from slack_coc.slack.deferral import InboxPump
    from slack_coc.slack.oauth import client_source

    pumps: list[Pump] = []
    if inbox:
        app = build_app(rt, role=Role.INBOX)
        client = client or app.client
        pumps.append(InboxPump(rt, app, idle_seconds=inbox_idle))
    if client is None:
        raise ValueError("start_pumps needs a client when there is no inbox")
    handlers = handlers_for(client_source(rt, client))
    pumps.insert(0, OutboxPump(rt, handlers, idle_seconds=outbox_idle))
    for pump in pumps:
        pump.start()
    return pumps


def stop_pumps(pumps: list[Pump]) -> None:
    for pump in reversed(pumps):
        pump.stop()
