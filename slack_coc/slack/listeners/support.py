"""What every listener needs: who is acting (from the payload), opening modals, and the
replies and forms the step table (`slack/step_table.py`) shares. Not a listener module."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk import WebClient

from slack_coc.context import Actor
from slack_coc.read_models import cases as queries
from slack_coc.runtime import Runtime
from slack_coc.services import decisions
from slack_coc.services.steps import StepResult
from slack_coc.slack.blocks.mail_messages import step_done_with_offer
from slack_coc.slack.blocks.messages import Rendered
from slack_coc.slack.modals import steps as step_views

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


def from_modal(body: dict[str, Any]) -> bool:
    """Whether the request came from inside an open modal (a submission, a click in it): the
    only place Slack lets `views.push` stack a modal. A click on App Home comes from a view
    too (container type "view"), but a Home tab is not a modal: Slack refuses a push there,
    and the member sees nothing happen. Every modal the app shows decides here."""
    if body.get("type") == "view_submission":
        return True
    view = body.get("view")
    return isinstance(view, dict) and view.get("type") == "modal"


def show_modal(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Push the modal onto the open one when the request came from a modal, else open it."""
    trigger_id = body["trigger_id"]
    if from_modal(body):
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


def step_reply(result: StepResult) -> Rendered:
    """What the member who took a step is told: the summary, and the offer of the message
    to the reporter that goes with it when there is one (`StepResult.offer_mail`)."""
    summary = step_summary(result)
    if result.offer_mail:
        return step_done_with_offer(summary, result.number, result.offer_mail)
    return Rendered(summary, [])


def conclude_modal(rt: Runtime, actor: Actor, ref: str | int, view: Any) -> dict[str, Any]:
    detail = queries.case_detail(rt.ctx, actor, ref, via="reconsideration")
    reported = [p for p in detail.parties if p.role == "reported"]
    with rt.ctx.read() as session:
        kinds = rt.ctx.policy_for(session, actor.team_id).violation_types
    return step_views.conclude_reconsideration_modal(view, reported, kinds)


def propose_modal(rt: Runtime, actor: Actor, ref: str | int) -> dict[str, Any]:
    detail = queries.case_detail(rt.ctx, actor, ref, via="propose")
    with rt.ctx.read() as session:
        kinds = rt.ctx.policy_for(session, actor.team_id).violation_types
    return step_views.propose_modal(detail, rt.ctx.clock.now().date(), kinds)


def vote_and_explain(
    rt: Runtime, actor: Actor, ref: str, value: str, proposal_id: int | None
) -> str:
    result = decisions.vote(rt.ctx, actor, ref, value, proposal_id)
    verdict = (
        "The proposal is adopted: the case is decided." if result.decided else "Vote recorded."
    )
    return f"Case #{result.number}: {verdict} {result.explanation}"
