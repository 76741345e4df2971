"""The background work of a process: the inbox (stored commands and clicks) and the outbox
(everything to send), each drained by its own pump thread."""

from __future__ import annotations

from slack_coc.runtime import Runtime
from slack_coc.slack.delivery import OutboxPump, Pump


def start_pumps(
    rt: Runtime, *, inbox: bool = True, inbox_idle: float = 0.25, outbox_idle: float = 5.0
) -> list[Pump]:
    """Start the pumps; `inbox=False` where nothing is stored (Socket Mode)."""
    from slack_coc.slack.app import Role, build_app
    from slack_coc.slack.inbox import InboxPump
    from slack_coc.slack.oauth import client_source

    app = build_app(rt, role=Role.INBOX)
    pumps: list[Pump] = [
        OutboxPump(rt, client=client_source(rt, app.client), idle_seconds=outbox_idle)
    ]
    if inbox:
        pumps.append(InboxPump(rt, app, idle_seconds=inbox_idle))
    for pump in pumps:
        pump.start()
    return pumps


def stop_pumps(pumps: list[Pump]) -> None:
    for pump in reversed(pumps):
        pump.stop()
