"""The `/coc` subcommand registry. Feature modules register handlers with `@subcommand`;
the `/coc` listener parses the text, finds the handler, and the help text lists them all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from slack_coc.context import Actor
from slack_coc.runtime import Runtime


@dataclass(frozen=True)
class CommandRequest:
    rt: Runtime
    actor: Actor
    args: str  # text after the subcommand name, stripped
    trigger_id: str
    channel_id: str
    client: WebClient
    # respond(text=..., blocks=...) sends an ephemeral reply via response_url.
    respond: Callable[..., Any]


Handler = Callable[[CommandRequest], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    handler: Handler
    chairs_only: bool = False
    # Answers with a modal (so the web process opens a "Loading" modal at once).
    opens_modal: bool = False
    # For a step (`slack/step_table.py`): whether it does, given the text after the name.
    opens_modal_for: Callable[[str], bool] | None = None

    def answers_with_modal(self, args: str) -> bool:
        if self.opens_modal_for is not None:
            return self.opens_modal_for(args)
        return self.opens_modal


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(
    name: str,
    usage: str,
    summary: str,
    *,
    chairs_only: bool = False,
    opens_modal: bool = False,
    opens_modal_for: Callable[[str], bool] | None = None,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in SUBCOMMANDS:
            raise ValueError(f"/coc {name} is registered twice")
        SUBCOMMANDS[name] = Subcommand(
            name, usage, summary, handler, chairs_only, opens_modal, opens_modal_for
        )
        return handler

    return register
