"""`/coc cover [YYYY-MM-DD]`, the "Take this week" button, and `/coc delay CASE DATE reason`.

`/coc oncall` (this week's and next week's pair) lives in `commands.py`; asking for cover
is its own subcommand so each handler stays one service call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services.deadlines import delay_resolution
from slack_coc.services.mail import reporter_reachable
from slack_coc.services.rota import mark_away
from slack_coc.services.rota_cover import accept_cover, request_cover
from slack_coc.services.rota_swap import answer_swap, request_swap
from slack_coc.slack.blocks.mail_messages import step_done_with_offer
from slack_coc.slack.blocks.rota_messages import COVER_ACCEPT, SWAP_ACCEPT, SWAP_DECLINE
from slack_coc.slack.errors import reported
from slack_coc.slack.format import slack_date
from slack_coc.slack.ids import SLASH_COMMAND, Action, Callback
from slack_coc.slack.listeners.support import actor_of, parse_user, show_modal
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.member_forms import away_modal
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.subcommands import CommandRequest, subcommand

DELAY_USAGE = "delay CASE YYYY-MM-DD reason"


def _say(req: CommandRequest, text: str) -> None:
    req.respond(text=text, response_type="ephemeral")


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@subcommand("cover", "cover [YYYY-MM-DD]", "ask the others to take your on-call slot for a week")
def _cover(req: CommandRequest) -> None:
    day = None
    if req.args:
        day = _date(req.args.split()[0])
        if day is None:
            _say(req, f"Usage: `{SLASH_COMMAND} cover [YYYY-MM-DD]` (the Monday of the week)")
            return
    view = request_cover(req.rt.ctx, req.actor, day)
    _say(
        req,
        f"Asked {len(view.asked_user_ids)} member(s) to cover your *{view.slot}* slot for the "
        f"week from {slack_date(view.week_starts_at)}. The first to accept takes it; "
        "you'll both be told.",
    )


SWAP_USAGE = "swap @member [YOUR-WEEK] [THEIR-WEEK]"


@subcommand("swap", SWAP_USAGE, "ask a member to swap on-call weeks with you")
def _swap(req: CommandRequest) -> None:
    tokens = req.args.split()
    who = parse_user(tokens[0]) if tokens else None
    days = [_date(t) for t in tokens[1:3]]
    if who is None or any(d is None for d in days):
        _say(
            req,
            f"Usage: `{SLASH_COMMAND} {SWAP_USAGE}` (weeks as YYYY-MM-DD, the day they start; "
            "without them, your next duty week and theirs).",
        )
        return
    view = request_swap(
        req.rt.ctx,
        req.actor,
        who,
        days[0] if days else None,
        days[1] if len(days) > 1 else None,
    )
    _say(
        req,
        f"Asked <@{view.other_user_id}> to swap your *{view.requester_slot}* week from "
        f"{slack_date(view.requester_week)} for their *{view.other_slot}* week from "
        f"{slack_date(view.other_week)}. You'll both be told when they answer.",
    )


@subcommand("delay", DELAY_USAGE, "as shepherd, move a case's resolution target (with a reason)")
def _delay(req: CommandRequest) -> None:
    ref, _, rest = req.args.partition(" ")
    day_text, _, reason = rest.strip().partition(" ")
    day = _date(day_text)
    if not ref or day is None or not reason.strip():
        _say(req, f"Usage: `{SLASH_COMMAND} {DELAY_USAGE}`")
        return
    due = delay_resolution(req.rt.ctx, req.actor, ref, day, reason)
    summary = (
        f"The resolution target of {ref if ref.startswith('#') else '#' + ref} is now "
        f"{slack_date(due)}. The group has been told (without your reason)."
    )
    number = reporter_reachable(req.rt.ctx, req.actor, ref)
    if number is None:
        _say(req, summary)
        return
    # The reporter may be told too, with the "update" message (edited first).
    reply = step_done_with_offer(summary, number, "update")
    req.respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def register(app: App, rt: Runtime) -> None:
    register_away(app, rt)

    def swap_answer(accept: bool) -> Any:
        def handle(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
            ack()
            with reported(body, client, respond):
                actions = body.get("actions") or [{}]
                request_id = int(str(actions[0].get("value") or "0") or 0)
                view = answer_swap(rt.ctx, actor_of(body), request_id, accept=accept)
                respond(
                    text="Swapped: the rota is updated."
                    if accept
                    else f"Declined; <@{view.requester_user_id}> has been told.",
                    replace_original=True,
                )

        return handle

    app.action(SWAP_ACCEPT)(swap_answer(True))
    app.action(SWAP_DECLINE)(swap_answer(False))

    @app.action(COVER_ACCEPT)
    def take_cover(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with reported(body, client, respond):
            actions = body.get("actions") or [{}]
            request_id = int(str(actions[0].get("value") or "0") or 0)
            taken = accept_cover(rt.ctx, actor_of(body), request_id)
            respond(
                text=f"Thank you: you now cover the *{taken.slot}* slot for the week from "
                f"{slack_date(taken.week_starts_at)}.",
                replace_original=True,
            )


def register_away(app: App, rt: Runtime) -> None:
    @app.action(Action.MARK_AWAY.value)
    def open_away(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with reported(body, client, respond):
            show_modal(client, body, away_modal(rt.ctx.clock.now().date()))

    @app.view(Callback.MARK_AWAY.value)
    def on_away(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        first, last = submitted.date("from"), submitted.date("to")
        if first is None or last is None:
            field = "from" if first is None else "to"
            ack(response_action="errors", errors={field: "Pick a date."})
            return
        away = mark_away(rt.ctx, actor_of(body), first, last)
        ack(
            response_action="update",
            view=notice_modal(
                "Away", f"You are away from {away.starts_on} to {away.ends_on} (included)."
            ),
        )
