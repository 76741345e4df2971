"""What every listener needs: who is acting (from the payload), opening modals, and the
step table shared by buttons and `/coc` subcommands. Not a listener module itself."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from slack_coc.domain.enums import Trigger
from slack_coc.domain.errors import NotFound
from slack_coc.runtime import Runtime
from slack_coc.services import cases, decisions, prompts, queries
from slack_coc.services.context import Actor
from slack_coc.services.steps import StepResult
from slack_coc.slack.views import steps as step_views

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
USER_ID = re.compile(r"^@?([UW][A-Z0-9]{2,})$")


def actor_of(body: dict[str, Any]) -> Actor:
    """The acting user and their workspace, from any payload shape (the team id comes from
    the payload: the same user id from another workspace is another person)."""
    team = body.get("team")
    team_id = (
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else None)
        or (body.get("user") or {}).get("team_id")
        or (body.get("view") or {}).get("team_id")
        or ""
    )
    user = body.get("user")
    user_id = body.get("user_id") or (user.get("id") if isinstance(user, dict) else user)
    if not user_id and isinstance(body.get("event"), dict):
        user_id = body["event"].get("user")
    return Actor(str(team_id), str(user_id) if user_id else None)


def parse_user(token: str) -> str | None:
    """`<@U123|ana>`, `<@U123>`, `U123` or `@U123` -> `U123`; anything else None."""
    match = USER_MENTION.fullmatch(token.strip()) or USER_ID.fullmatch(token.strip())
    return match.group(1) if match else None


def show_modal(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal, or push it onto the open one when the click came from a modal."""
    trigger_id = body["trigger_id"]
    if (body.get("container") or {}).get("type") == "view" or body.get("type") == "view_submission":
        client.views_push(trigger_id=trigger_id, view=view)
    else:
        client.views_open(trigger_id=trigger_id, view=view)


def step_summary(result: StepResult) -> str:
    drill = "DRILL · " if result.drill else ""
    if result.from_state is result.to_state:
        return f"{drill}Case #{result.number} ({result.code_name}): recorded."
    return (
        f"{drill}Case #{result.number} ({result.code_name}) is now {result.to_state.label.lower()}."
    )


# Steps a click takes at once: (ctx, actor, ref) -> StepResult.
DIRECT_STEPS: dict[Trigger, Callable[..., StepResult]] = {
    Trigger.ACKNOWLEDGE: cases.acknowledge,
    Trigger.KEEP_ON_FILE: cases.keep_on_file,
    Trigger.ASSIGN_SHEPHERD: cases.assign_shepherd,  # "Take as shepherd": the clicker
    Trigger.START_DISCUSSION: cases.start_discussion,
    Trigger.START_ACTIONS: cases.start_actions,
}


def step_modal(rt: Runtime, actor: Actor, trigger: Trigger, ref: str | int) -> dict[str, Any]:
    """The modal for a step that needs input, after checking the step is possible now
    (a stale button is refused here, before anything opens)."""
    ctx = rt.ctx
    today = ctx.clock.now().date()
    if trigger in (Trigger.DECIDE,):
        detail = queries.case_detail(ctx, actor, ref, via="vote")
        if detail.proposal_id is None:
            raise NotFound(f"Case #{detail.view.number} has no open proposal to vote on.")
        return step_views.vote_modal(detail, detail.proposal_id)
    view = prompts.step_prompt(ctx, actor, ref, trigger)
    builders: dict[Trigger, Callable[[], dict[str, Any]]] = {
        Trigger.CHANGE_SHEPHERD: lambda: step_views.assign_shepherd_modal(view, actor.user_id),
        Trigger.ASSIGN_SHEPHERD: lambda: step_views.assign_shepherd_modal(view, actor.user_id),
        Trigger.RECORD_FEEDBACK: lambda: step_views.feedback_modal(view),
        Trigger.RESOLVE: lambda: step_views.resolve_modal(view, today),
        Trigger.REQUEST_RECONSIDERATION: lambda: step_views.request_reconsideration_modal(view),
        Trigger.CONCLUDE_RECONSIDERATION: lambda: step_views.conclude_reconsideration_modal(view),
        Trigger.REOPEN: lambda: step_views.reopen_modal(view),
        Trigger.ESCALATE_TO_BOARD: lambda: step_views.escalate_modal(view),
        Trigger.BOARD_DECIDE: lambda: step_views.board_decision_modal(view),
    }
    return builders[trigger]()


def propose_modal(rt: Runtime, actor: Actor, ref: str | int) -> dict[str, Any]:
    detail = queries.case_detail(rt.ctx, actor, ref, via="propose")
    return step_views.propose_modal(detail, rt.ctx.clock.now().date())


def vote_and_explain(
    rt: Runtime, actor: Actor, ref: str, value: str, proposal_id: int | None
) -> str:
    result = decisions.vote(rt.ctx, actor, ref, value, proposal_id)
    verdict = (
        "The proposal is adopted: the case is decided." if result.decided else "Vote recorded."
    )
    return f"Case #{result.number}: {verdict} {result.explanation}"
