"""`/coc` subcommands for the lifecycle steps. Each takes the case first (`12`, `#12` or a
code name); steps that need more than a line of text open their modal."""

from __future__ import annotations

from slack_bolt import App

from slack_coc.domain.enums import RecusalReason, Trigger
from slack_coc.read_models import prompts
from slack_coc.runtime import Runtime
from slack_coc.services import cases, chairs_only, conflicts, decisions, emergency, retaliation
from slack_coc.services.steps import StepResult
from slack_coc.slack.ids import SLASH_COMMAND
from slack_coc.slack.listeners.support import (
    parse_user,
    propose_modal,
    step_modal,
    step_reply,
    step_summary,
    vote_and_explain,
)
from slack_coc.slack.modals import steps as step_views
from slack_coc.slack.subcommands import CommandRequest, subcommand


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


def _step_done(req: CommandRequest, result: StepResult) -> None:
    reply = step_reply(result)
    req.respond(text=reply.text, blocks=reply.blocks or None, response_type="ephemeral")


def _open_step(req: CommandRequest, trigger: Trigger, ref: str) -> None:
    req.client.views_open(
        trigger_id=req.trigger_id, view=step_modal(req.rt, req.actor, trigger, ref)
    )


@subcommand("ack", "ack CASE", "acknowledge a new report (you become first responder)")
def _ack(req: CommandRequest) -> None:
    if ref := _need_case(req, "ack CASE"):
        _step_done(req, cases.acknowledge(req.rt.ctx, req.actor, ref))


@subcommand("keep", "keep CASE", "keep on file a report already handled locally")
def _keep(req: CommandRequest) -> None:
    if ref := _need_case(req, "keep CASE"):
        _step_done(req, cases.keep_on_file(req.rt.ctx, req.actor, ref))


@subcommand("shepherd", "shepherd CASE [@member]", "take a case as shepherd, or name its shepherd")
def _shepherd(req: CommandRequest) -> None:
    usage = "shepherd CASE [@member]"
    if not (ref := _need_case(req, usage)):
        return
    _, rest = _split(req)
    who, _, reason = rest.partition(" ")
    user_id = parse_user(who) if who else None
    if who and user_id is None:
        _say(req, f"`{who[:40]}` is not a Slack user. Usage: `{SLASH_COMMAND} {usage}`")
        return
    # "shepherd 12" takes a case nobody shepherds; naming a member says whom the typist
    # wants, whoever shepherds it now.
    seen = cases.ANY_SHEPHERD if user_id else None
    result = cases.assign_shepherd(
        req.rt.ctx, req.actor, ref, user_id, seen_shepherd=seen, reason=reason.strip() or None
    )
    _say(req, step_summary(result))


@subcommand("discuss", "discuss CASE", "start the group's discussion")
def _discuss(req: CommandRequest) -> None:
    if ref := _need_case(req, "discuss CASE"):
        _say(req, step_summary(cases.start_discussion(req.rt.ctx, req.actor, ref)))


@subcommand("propose", "propose CASE", "propose a decision (opens a form)", opens_modal=True)
def _propose(req: CommandRequest) -> None:
    if ref := _need_case(req, "propose CASE"):
        req.client.views_open(trigger_id=req.trigger_id, view=propose_modal(req.rt, req.actor, ref))


@subcommand("vote", "vote CASE agree|object|abstain", "vote on the open proposal")
def _vote(req: CommandRequest) -> None:
    usage = "vote CASE agree|object|abstain"
    if not (ref := _need_case(req, usage)):
        return
    _, value = _split(req)
    if not value:
        _open_step(req, Trigger.DECIDE, ref)
        return
    _say(req, vote_and_explain(req.rt, req.actor, ref, value.split()[0].lower(), None))


@subcommand("feedback", "feedback CASE [text]", "record the reporter's feedback on the resolution")
def _feedback(req: CommandRequest) -> None:
    usage = "feedback CASE [text]"
    if not (ref := _need_case(req, usage)):
        return
    _, text = _split(req)
    if not text:
        _open_step(req, Trigger.RECORD_FEEDBACK, ref)
        return
    _say(req, step_summary(cases.record_feedback(req.rt.ctx, req.actor, ref, text)))


@subcommand("actions", "actions CASE", "start carrying out the decided actions")
def _actions(req: CommandRequest) -> None:
    if ref := _need_case(req, "actions CASE"):
        _say(req, step_summary(cases.start_actions(req.rt.ctx, req.actor, ref)))


@subcommand(
    "resolve",
    "resolve CASE",
    "resolve: actions taken, outcome, review date (opens a form)",
    opens_modal=True,
)
def _resolve(req: CommandRequest) -> None:
    if ref := _need_case(req, "resolve CASE"):
        _open_step(req, Trigger.RESOLVE, ref)


@subcommand("reconsider", "reconsider CASE [who asked]", "the board is asked to reconsider")
def _reconsider(req: CommandRequest) -> None:
    usage = "reconsider CASE [who asked]"
    if not (ref := _need_case(req, usage)):
        return
    _, who = _split(req)
    if not who:
        _open_step(req, Trigger.REQUEST_RECONSIDERATION, ref)
        return
    _say(req, step_summary(cases.request_reconsideration(req.rt.ctx, req.actor, ref, who)))


@subcommand(
    "conclude",
    "conclude CASE",
    "record the board's reconsideration (opens a form)",
    opens_modal=True,
)
def _conclude(req: CommandRequest) -> None:
    if ref := _need_case(req, "conclude CASE"):
        _open_step(req, Trigger.CONCLUDE_RECONSIDERATION, ref)


@subcommand("reopen", "reopen CASE [new information]", "reopen a resolved case")
def _reopen(req: CommandRequest) -> None:
    usage = "reopen CASE [new information]"
    if not (ref := _need_case(req, usage)):
        return
    _, text = _split(req)
    if not text:
        _open_step(req, Trigger.REOPEN, ref)
        return
    _say(req, step_summary(cases.reopen(req.rt.ctx, req.actor, ref, text)))


@subcommand(
    "recuse",
    "recuse CASE [reason] [note]",
    "recuse yourself (reasons: "
    + ", ".join(r.value for r in RecusalReason if r.value != "concerned")
    + ")",
)
def _recuse(req: CommandRequest) -> None:
    usage = "recuse CASE [reason] [note]"
    if not (ref := _need_case(req, usage)):
        return
    _, rest = _split(req)
    if not rest:
        view = prompts.case_for_member(req.rt.ctx, req.actor, ref)
        req.client.views_open(trigger_id=req.trigger_id, view=step_views.recuse_modal(view))
        return
    first, _, note = rest.partition(" ")
    reasons = {r.value for r in RecusalReason} - {RecusalReason.CONCERNED.value}
    reason, note = (first.lower(), note) if first.lower() in reasons else ("other", rest)
    conflicts.recuse(req.rt.ctx, req.actor, ref, reason, note)
    _say(req, "You are recused from that case; you will see nothing more about it.")


@subcommand("emergency", "emergency CASE [what you did]", "record an emergency action for review")
def _emergency(req: CommandRequest) -> None:
    usage = "emergency CASE [what you did]"
    if not (ref := _need_case(req, usage)):
        return
    _, text = _split(req)
    if not text:
        view = prompts.case_for_member(req.rt.ctx, req.actor, ref)
        req.client.views_open(trigger_id=req.trigger_id, view=step_views.emergency_modal(view))
        return
    emergency.record_emergency_action(req.rt.ctx, req.actor, ref, text)
    _say(req, "Emergency action recorded; the group reviews it within 24 hours.")


@subcommand("review", "review CASE", "review an emergency action (opens a form)", opens_modal=True)
def _review(req: CommandRequest) -> None:
    if not (ref := _need_case(req, "review CASE")):
        return
    pending = prompts.pending_emergency_actions(req.rt.ctx, req.actor, ref)
    view = prompts.case_for_member(req.rt.ctx, req.actor, ref)
    req.client.views_open(
        trigger_id=req.trigger_id, view=step_views.review_emergency_modal(view, pending)
    )


@subcommand("escalate", "escalate CASE [note]", "escalate a deadlocked case to the board")
def _escalate(req: CommandRequest) -> None:
    usage = "escalate CASE [note]"
    if not (ref := _need_case(req, usage)):
        return
    _, note = _split(req)
    _say(req, step_summary(decisions.escalate_to_board(req.rt.ctx, req.actor, ref, note)))


@subcommand("board", "board CASE [decision]", "record the board's decision on an escalated case")
def _board(req: CommandRequest) -> None:
    usage = "board CASE [decision]"
    if not (ref := _need_case(req, usage)):
        return
    _, text = _split(req)
    if not text:
        _open_step(req, Trigger.BOARD_DECIDE, ref)
        return
    _say(req, step_summary(decisions.board_decide(req.rt.ctx, req.actor, ref, text)))


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
