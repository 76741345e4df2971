"""`/coc` subcommands on a case. Each takes the case first (`12`, `#12` or a code name).
The steps' subcommands are registered from the step table (`slack/step_table.py`); the
others (severe, lift, open, retaliation) are written here."""

from __future__ import annotations

from slack_bolt import App

from slack_coc.runtime import Runtime
from slack_coc.services import (
    cases,
    chairs_only,
    conflicts,
    retaliation,
)
from slack_coc.slack.ids import SLASH_COMMAND
from slack_coc.slack.listeners.support import parse_user
from slack_coc.slack.step_rows import Step
from slack_coc.slack.step_table import STEPS, reply_text
from slack_coc.slack.subcommands import CommandRequest, Handler, subcommand


def register(app: App, rt: Runtime) -> None:
    """Nothing to wire: importing this module registers its subcommands."""


def _split(req: CommandRequest) -> tuple[str, str]:
    """(case ref, the rest of the text)."""
    ref, _, rest = req.args.partition(" ")
    return ref.strip(), rest.strip()


def _need_case(req: CommandRequest, usage: str) -> str | None:
    ref, _ = _split(req)
    if not ref:
        req.respond(text=f"Usage: `{SLASH_COMMAND} {usage}`", response_type="ephemeral")
        return None
    return ref


def _say(req: CommandRequest, text: str) -> None:
    req.respond(text=text, response_type="ephemeral")


def _step_command(row: Step) -> Handler:
    """`/coc <row.name> CASE [text]`: the usage without a case; the row's form when the row
    says so for this text (`Step.command_opens_modal`); else done at once with the text."""
    assert row.name is not None

    def handle(req: CommandRequest) -> None:
        if not (ref := _need_case(req, row.usage)):
            return
        _, rest = _split(req)
        if row.command_opens_modal(req.args):
            assert row.modal is not None  # checked when the table is built
            view = row.modal(req.rt, req.actor, ref, row.trigger)
            req.client.views_open(trigger_id=req.trigger_id, view=view)
            return
        assert row.typed is not None
        reply = reply_text(row.typed(req.rt, req.actor, ref, rest))
        req.respond(text=reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    return handle


for _row in STEPS:
    if _row.name:
        subcommand(_row.name, _row.usage, _row.summary, opens_modal_for=_row.command_opens_modal)(
            _step_command(_row)
        )


@subcommand("severe", "severe CASE on|off", "mark a case severe or legal (majority rule)")
def _severe(req: CommandRequest) -> None:
    usage = "severe CASE on|off"
    if not (ref := _need_case(req, usage)):
        return
    _, flag = _split(req)
    severe = flag.lower() not in ("off", "no", "false")
    cases.mark_severe(req.rt.ctx, req.actor, ref, severe)
    _say(req, "Marked severe / legal." if severe else "No longer marked severe.")


@subcommand("lift", "lift CASE @member why", "lift a member's recusal", chairs_only=True)
def _lift(req: CommandRequest) -> None:
    usage = "lift CASE @member why"
    if not (ref := _need_case(req, usage)):
        return
    _, rest = _split(req)
    who, _, why = rest.partition(" ")
    user_id = parse_user(who) if who else None
    if user_id is None:
        _say(req, f"Usage: `{SLASH_COMMAND} {usage}`")
        return
    conflicts.lift_recusal(req.rt.ctx, req.actor, ref, user_id, why)
    _say(req, "The recusal is lifted; it is on the case's timeline.")


OPEN_USAGE = "open CASE [@member ...]"


@subcommand("open", OPEN_USAGE, "open a chairs-only report to the group", chairs_only=True)
def _open(req: CommandRequest) -> None:
    if not (ref := _need_case(req, OPEN_USAGE)):
        return
    _, rest = _split(req)
    concerned = []
    for token in rest.split():
        user_id = parse_user(token)
        if user_id is None:
            _say(req, f"`{token[:40]}` is not a Slack user. Usage: `{SLASH_COMMAND} {OPEN_USAGE}`")
            return
        concerned.append(user_id)
    opened = chairs_only.open_to_group(req.rt.ctx, req.actor, ref, concerned)
    recused = f" {len(concerned)} member(s) it concerns stay recused." if concerned else ""
    _say(
        req,
        f"Case {ref if ref.startswith('#') else '#' + ref} is open to the group: {opened} "
        f"member(s) can now see it and its card is in the channel.{recused}",
    )


RETALIATION_USAGE = "retaliation CASE EARLIER"


@subcommand(
    "retaliation",
    RETALIATION_USAGE,
    "mark a case as retaliation against the reporter of an earlier case",
)
def _retaliation(req: CommandRequest) -> None:
    ref, rest = _split(req)
    earlier = rest.split()[0] if rest.split() else ""
    if not ref or not earlier:
        _say(req, f"Usage: `{SLASH_COMMAND} {RETALIATION_USAGE}`")
        return
    number = retaliation.mark_retaliation(req.rt.ctx, req.actor, ref, earlier)
    _say(
        req,
        f"Case {ref if ref.startswith('#') else '#' + ref} is linked as retaliation against the "
        f"reporter of #{number}. Only members who may see both cases see the link.",
    )
