"""`/coc`: parse the text, find the subcommand in the registry, run it. Unknown input gets
the help text. Replies are ephemeral; report content never appears in them.

This module also registers the general subcommands: help, new, list, show, oncall."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.read_models import cases as queries
from slack_coc.read_models import prompts
from slack_coc.read_models.home import home_data
from slack_coc.runtime import Runtime
from slack_coc.services import members, rota_feed
from slack_coc.slack.errors import reported
from slack_coc.slack.format import case_line
from slack_coc.slack.ids import SLASH_COMMAND
from slack_coc.slack.listeners.support import actor_of, show_modal
from slack_coc.slack.modals.detail import case_detail_modal
from slack_coc.slack.modals.report import log_report_modal
from slack_coc.slack.subcommands import SUBCOMMANDS, CommandRequest, subcommand

LIST_LIMIT = 50
# Help lists these first, in the order a case moves; other subcommands follow by name.
HELP_ORDER = (
    "help", "new", "list", "show", "oncall", "ack", "keep", "shepherd", "discuss", "propose",
    "vote", "feedback", "actions", "resolve", "reconsider", "conclude", "reopen", "recuse",
    "emergency", "review", "escalate", "board", "severe", "lift",
)  # fmt: skip


def register(app: App, rt: Runtime) -> None:
    @app.command(SLASH_COMMAND)
    def coc(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        name, _, rest = (body.get("text") or "").strip().partition(" ")
        sub = SUBCOMMANDS.get(name.lower().strip())
        if sub is None:
            respond(text=help_text(unknown=name), response_type="ephemeral")
            return
        request = CommandRequest(
            rt=rt,
            actor=actor_of(body),
            args=rest.strip(),
            trigger_id=body.get("trigger_id", ""),
            channel_id=body.get("channel_id", ""),
            client=client,
            respond=respond,
        )
        with reported(body, client, respond):
            sub.handler(request)


def help_text(unknown: str = "") -> str:
    lines = []
    if unknown and unknown.lower() != "help":
        lines.append(f"I don't know `{SLASH_COMMAND} {unknown[:40]}`. Here is what I know:")
    else:
        lines.append(f"*{SLASH_COMMAND}* commands (cases are `12`, `#12` or a code name):")
    rank = {name: i for i, name in enumerate(HELP_ORDER)}
    for name in sorted(SUBCOMMANDS, key=lambda n: (rank.get(n, len(rank)), n)):
        sub = SUBCOMMANDS[name]
        chairs = " _(chairs)_" if sub.chairs_only else ""
        lines.append(f"• `{SLASH_COMMAND} {sub.usage}` — {sub.summary}{chairs}")
    lines.append("To report a concern yourself, use the *Report a concern* shortcut.")
    return "\n".join(lines)


def ephemeral(req: CommandRequest, text: str) -> None:
    req.respond(text=text, response_type="ephemeral")


@subcommand("help", "help", "this list")
def _help(req: CommandRequest) -> None:
    ephemeral(req, help_text())


@subcommand(
    "new",
    "new",
    "log a report received by email, in person or from local representatives",
    opens_modal=True,
)
def _new(req: CommandRequest) -> None:
    prompts.require_member_of(req.rt.ctx, req.actor)
    req.client.views_open(trigger_id=req.trigger_id, view=log_report_modal())


@subcommand("list", "list [all]", "open cases you may see (`all` includes resolved ones)")
def _list(req: CommandRequest) -> None:
    include_resolved = req.args.lower() == "all"
    views = queries.list_cases(
        req.rt.ctx, req.actor, open_only=not include_resolved, limit=LIST_LIMIT
    )
    if not views:
        ephemeral(req, "No cases to show." if include_resolved else "No open cases you may see.")
        return
    head = (
        f"*{'Cases' if include_resolved else 'Open cases'}* (newest first, at most {LIST_LIMIT}):"
    )
    ephemeral(req, "\n".join([head, *(case_line(v) for v in views)]))


@subcommand("show", "show CASE", "open a case's details (only you see them)", opens_modal=True)
def _show(req: CommandRequest) -> None:
    if not req.args:
        ephemeral(req, f"Which case? `{SLASH_COMMAND} show 12`")
        return
    detail = queries.case_detail(req.rt.ctx, req.actor, req.args.split()[0], via="/coc show")
    req.client.views_open(trigger_id=req.trigger_id, view=case_detail_modal(detail))


@subcommand("oncall", "oncall", "this week's and next week's on-call pair")
def _oncall(req: CommandRequest) -> None:
    prompts.require_member_of(req.rt.ctx, req.actor)
    data = home_data(req.rt.ctx, req.actor)

    def pair(label: str, p: Any) -> str:
        if p is None:
            return f"*{label}:* nobody scheduled."
        return f"*{label}:* primary <@{p.primary_user_id}>, secondary <@{p.secondary_user_id}>"

    feed = rota_feed.feed_link(
        req.rt.settings.COC_PUBLIC_URL, rota_feed.feed_path(req.rt.ctx, req.actor)
    )
    ephemeral(
        req,
        pair("This week", data.this_week) + "\n" + pair("Next week", data.next_week) + "\n" + feed,
    )


@subcommand("members", "members", "the working group's roster")
def _members(req: CommandRequest) -> None:
    prompts.require_member_of(req.rt.ctx, req.actor)
    roster = members.list_members(req.rt.ctx, req.actor.team_id)
    lines = [f"• <@{m.user_id}>{' (chair)' if m.is_chair else ''}" for m in roster]
    ephemeral(req, "*Members*\n" + "\n".join(lines))


__all__ = ["help_text", "register", "show_modal"]
