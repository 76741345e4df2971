"""The step table: one row per step a member takes on a case (`step_rows.Step` says what a
row holds). The card buttons (`listeners/actions.py`), the `/coc` subcommands
(`listeners/step_commands.py`), the form submissions (`listeners/submissions.py`) and the
prediction of a modal answer (`modal_answers.answers_with_modal` and `answer_for`) are all
read from here: adding a step is one row plus its service function."""

from __future__ import annotations

from typing import Any

from slack_coc.context import Actor
from slack_coc.domain.enums import RecusalReason, Trigger
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.read_models import cases as queries
from slack_coc.read_models import prompts
from slack_coc.runtime import Runtime
from slack_coc.services import actions as actions_service
from slack_coc.services import cases, conflicts, decisions, emergency
from slack_coc.services import feedback as feedback_service
from slack_coc.services.decisions import OutcomeInput
from slack_coc.slack.blocks.messages import Rendered
from slack_coc.slack.ids import SLASH_COMMAND, Action, Callback, step_action
from slack_coc.slack.listeners.support import (
    conclude_modal,
    parse_user,
    propose_modal,
    step_reply,
    step_summary,
    vote_and_explain,
)
from slack_coc.slack.modals import steps as step_views
from slack_coc.slack.modals.actions import actions_modal
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.step_rows import Button, Opens, Step


def _case(s: Submitted) -> str:
    return str(s.metadata.get("case", ""))


def _prompt(rt: Runtime, actor: Actor, ref: str, trigger: Trigger | None) -> Any:
    assert trigger is not None, "a lifecycle step's form is checked for its trigger"
    return prompts.step_prompt(rt.ctx, actor, ref, trigger)


def _done(step: Any) -> Any:
    """A button done at once: `step(ctx, actor, ref)` -> the reply with its offer, if any."""
    return lambda rt, actor, ref: step_reply(step(rt.ctx, actor, ref))


def _typed_done(step: Any) -> Any:
    """A command done at once that takes only the case."""
    return lambda rt, actor, ref, _rest: step_reply(step(rt.ctx, actor, ref))


def _typed_summary(step: Any) -> Any:
    """A command done at once with the typed text: `step(ctx, actor, ref, text)`."""
    return lambda rt, actor, ref, rest: step_summary(step(rt.ctx, actor, ref, rest))


# -- shepherd ---------------------------------------------------------------------------

SHEPHERD_USAGE = "shepherd CASE [@member]"


def _shepherd_typed(rt: Runtime, actor: Actor, ref: str, rest: str) -> str:
    who, _, reason = rest.partition(" ")
    user_id = parse_user(who) if who else None
    if who and user_id is None:
        return f"`{who[:40]}` is not a Slack user. Usage: `{SLASH_COMMAND} {SHEPHERD_USAGE}`"
    # "shepherd 12" takes a case nobody shepherds; naming a member says whom the typist
    # wants, whoever shepherds it now.
    seen = cases.ANY_SHEPHERD if user_id else None
    result = cases.assign_shepherd(
        rt.ctx, actor, ref, user_id, seen_shepherd=seen, reason=reason.strip() or None
    )
    return step_summary(result)


def _shepherd_modal(rt: Runtime, actor: Actor, ref: str, trigger: Trigger | None) -> Any:
    return step_views.assign_shepherd_modal(_prompt(rt, actor, ref, trigger), actor.user_id)


def _shepherd_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    user = s.user("shepherd")
    if not user:
        raise InvalidInput("Choose the shepherd.", field="shepherd")
    result = cases.assign_shepherd(
        rt.ctx,
        actor,
        _case(s),
        user,
        # Forms opened before forms said whom they replace: as before, any shepherd.
        seen_shepherd=s.metadata.get("seen_shepherd", cases.ANY_SHEPHERD),
        bias_disclosure=s.text("bias_disclosure") or None,
        reason=s.text("reason") or None,
    )
    return step_summary(result)


# -- propose, vote, conclude --------------------------------------------------------------


def _party_outcomes(s: Submitted) -> list[OutcomeInput]:
    outcomes = []
    for party_id in s.metadata.get("parties", []):
        outcome = s.option(f"outcome_{party_id}")
        if not outcome:
            raise InvalidInput("Choose an outcome.", field=f"outcome_{party_id}")
        outcomes.append(
            OutcomeInput(
                party_id=int(party_id),
                outcome=outcome,
                ends_on=s.date(f"ends_on_{party_id}"),
                conditions=s.text(f"conditions_{party_id}") or None,
                violation_types=tuple(s.selected(f"violation_{party_id}")),
            )
        )
    return outcomes


def _propose_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    outcomes = _party_outcomes(s)
    if not s.metadata.get("parties"):
        # The case names nobody as reported: one outcome for the case as a whole.
        outcomes.append(OutcomeInput(party_id=None, outcome=s.option("outcome_case") or ""))
    decisions.propose(rt.ctx, actor, _case(s), outcomes, s.text("rationale"))
    return "Proposal recorded; the group is asked to vote."


def _vote_modal(rt: Runtime, actor: Actor, ref: str, _t: Trigger | None) -> Any:
    detail = queries.case_detail(rt.ctx, actor, ref, via="vote")
    if detail.proposal_id is None:
        raise NotFound(f"Case #{detail.view.number} has no open proposal to vote on.")
    return step_views.vote_modal(detail, detail.proposal_id)


def _vote_typed(rt: Runtime, actor: Actor, ref: str, rest: str) -> str:
    return vote_and_explain(rt, actor, ref, rest.split()[0].lower(), None)


def _vote_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    value = s.option("vote")
    if not value:
        raise InvalidInput("Choose agree, object or abstain.", field="vote")
    proposal = s.metadata.get("proposal")
    return vote_and_explain(rt, actor, _case(s), value, int(proposal) if proposal else None)


def _conclude_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    result_value = s.option("result")
    if result_value not in ("upheld", "changed"):
        raise InvalidInput("Was the decision upheld or changed?", field="result")
    upheld = result_value == "upheld"
    result = cases.conclude_reconsideration(
        rt.ctx,
        actor,
        _case(s),
        upheld=upheld,
        note=s.text("note"),
        outcomes=None if upheld else _party_outcomes(s),
    )
    return step_summary(result)


# -- feedback, actions, resolve -------------------------------------------------------------


def _feedback_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    reason = s.option("none_reason")
    if reason:
        return step_summary(
            feedback_service.record_no_feedback(rt.ctx, actor, _case(s), reason, s.text("feedback"))
        )
    if not s.text("feedback"):
        raise InvalidInput(
            "Write down the feedback, or choose why there is none.", field="feedback"
        )
    return step_summary(cases.record_feedback(rt.ctx, actor, _case(s), s.text("feedback")))


def _actions_modal(rt: Runtime, actor: Actor, ref: str, trigger: Trigger | None) -> Any:
    view = _prompt(rt, actor, ref, trigger)
    today = rt.ctx.clock.now().date()
    return actions_modal(view, actions_service.case_actions(rt.ctx, actor, ref), today)


def _actions_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    new = actions_service.NewAction(s.text("what"), s.user("owner"), s.date("due_on"))
    result = actions_service.record_actions(
        rt.ctx,
        actor,
        _case(s),
        done=[int(v) for v in s.selected("done") if v.isdigit()],
        new=new,
        new_round=s.checked("new_round"),
    )
    return step_summary(result)


def _resolve_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    result = cases.resolve(
        rt.ctx,
        actor,
        _case(s),
        actions_taken=s.text("actions_taken"),
        review_date=s.date("review_date"),
        resolution_source=s.option("resolution_source") or "WG",
        suspension_ends=s.date("suspension_ends"),
    )
    return step_summary(result)


# -- recuse, emergency, review ----------------------------------------------------------------

RECUSE_REASONS = [r.value for r in RecusalReason if r is not RecusalReason.CONCERNED]
RECUSED = "You are recused from that case; you will see nothing more about it."
EMERGENCY_RECORDED = "Emergency action recorded; the group reviews it within 24 hours."


def _recuse_typed(rt: Runtime, actor: Actor, ref: str, rest: str) -> str:
    first, _, note = rest.partition(" ")
    reason, note = (first.lower(), note) if first.lower() in RECUSE_REASONS else ("other", rest)
    conflicts.recuse(rt.ctx, actor, ref, reason, note)
    return RECUSED


def _recuse_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    conflicts.recuse(rt.ctx, actor, _case(s), s.option("reason") or "", s.text("note"))
    return "You are recused from this case; you will see nothing more about it."


def _emergency_typed(rt: Runtime, actor: Actor, ref: str, rest: str) -> str:
    emergency.record_emergency_action(rt.ctx, actor, ref, rest)
    return EMERGENCY_RECORDED


def _emergency_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    emergency.record_emergency_action(rt.ctx, actor, _case(s), s.text("action"))
    return EMERGENCY_RECORDED


def _review_modal(rt: Runtime, actor: Actor, ref: str, _t: Trigger | None) -> Any:
    pending = prompts.pending_emergency_actions(rt.ctx, actor, ref)
    view = prompts.case_for_member(rt.ctx, actor, ref)
    return step_views.review_emergency_modal(view, pending)


def _review_submit(rt: Runtime, actor: Actor, s: Submitted) -> str:
    action_id = s.option("action_id") or ""
    if not action_id.isdigit():
        raise InvalidInput("Choose the action to review.", field="action_id")
    emergency.review_emergency_action(
        rt.ctx, actor, _case(s), int(action_id), s.option("review_outcome") or "", s.text("note")
    )
    return "Review recorded."


def _member_form(build: Any) -> Any:
    """A form for any member who may see the case (no lifecycle step to check)."""
    return lambda rt, actor, ref, _t: build(prompts.case_for_member(rt.ctx, actor, ref))


def _step_form(build: Any) -> Any:
    """A lifecycle step's form: `build(prompt)`, after checking the step is possible."""
    return lambda rt, actor, ref, trigger: build(_prompt(rt, actor, ref, trigger))


def _text_step(step: Any, field: str) -> Any:
    """A form whose one text input goes to `step(ctx, actor, ref, text)`."""
    return lambda rt, actor, s: step_summary(step(rt.ctx, actor, _case(s), s.text(field)))


def _button(trigger: Trigger, at_once: Any = None) -> Button:
    return Button(step_action(trigger), trigger, at_once)


T = Trigger
STEPS: tuple[Step, ...] = (
    Step("ack", "ack CASE", "acknowledge a new report (you become first responder)",
         typed=_typed_done(cases.acknowledge),
         buttons=(_button(T.ACKNOWLEDGE, _done(cases.acknowledge)),)),
    Step("keep", "keep CASE", "keep on file a report already handled locally",
         typed=_typed_done(cases.keep_on_file),
         buttons=(_button(T.KEEP_ON_FILE, _done(cases.keep_on_file)),)),
    Step("shepherd", SHEPHERD_USAGE, "take a case as shepherd, or name its shepherd",
         typed=_shepherd_typed,
         # "Take as shepherd": the clicker; "Change shepherd": the form.
         buttons=(_button(T.ASSIGN_SHEPHERD, _done(cases.assign_shepherd)),
                  _button(T.CHANGE_SHEPHERD)),
         modal=_shepherd_modal, callback=Callback.ASSIGN_SHEPHERD, submit=_shepherd_submit),
    Step("discuss", "discuss CASE", "start the group's discussion",
         typed=_typed_summary(lambda ctx, actor, ref, _r: cases.start_discussion(ctx, actor, ref)),
         buttons=(_button(T.START_DISCUSSION, _done(cases.start_discussion)),)),
    Step("propose", "propose CASE", "propose a decision (opens a form)", opens=Opens.ALWAYS,
         buttons=(Button(Action.PROPOSE.value),),
         modal=lambda rt, actor, ref, _t: propose_modal(rt, actor, ref),
         callback=Callback.PROPOSE, required=("rationale",), submit=_propose_submit),
    Step("vote", "vote CASE agree|object|abstain", "vote on the open proposal",
         trigger=T.DECIDE, opens=Opens.WITHOUT_TEXT, typed=_vote_typed,
         buttons=(_button(T.DECIDE),),
         modal=_vote_modal, callback=Callback.VOTE, submit=_vote_submit),
    Step("feedback", "feedback CASE [text]", "record the reporter's feedback on the resolution",
         trigger=T.RECORD_FEEDBACK, opens=Opens.WITHOUT_TEXT,
         typed=_typed_summary(cases.record_feedback),
         buttons=(_button(T.RECORD_FEEDBACK),),
         modal=_step_form(step_views.feedback_modal), callback=Callback.RECORD_FEEDBACK,
         submit=_feedback_submit),
    Step("actions", "actions CASE", "start carrying out the decided actions",
         typed=_typed_summary(lambda ctx, actor, ref, _r: cases.start_actions(ctx, actor, ref)),
         buttons=(_button(T.START_ACTIONS, _done(cases.start_actions)),)),
    Step(None, "", "record the decided actions carried out, or add one",
         buttons=(_button(T.RECORD_ACTIONS),),
         modal=_actions_modal, callback=Callback.RECORD_ACTIONS, submit=_actions_submit),
    Step("resolve", "resolve CASE", "resolve: actions taken, outcome, review date (opens a form)",
         trigger=T.RESOLVE, opens=Opens.ALWAYS, buttons=(_button(T.RESOLVE),),
         modal=lambda rt, actor, ref, t: step_views.resolve_modal(
             _prompt(rt, actor, ref, t), rt.ctx.clock.now().date()),
         callback=Callback.RESOLVE, required=("actions_taken",), submit=_resolve_submit),
    Step("reconsider", "reconsider CASE [who asked]", "the board is asked to reconsider",
         trigger=T.REQUEST_RECONSIDERATION, opens=Opens.WITHOUT_TEXT,
         typed=_typed_summary(cases.request_reconsideration),
         buttons=(_button(T.REQUEST_RECONSIDERATION),),
         modal=_step_form(step_views.request_reconsideration_modal),
         callback=Callback.REQUEST_RECONSIDERATION, required=("requested_by",),
         submit=_text_step(cases.request_reconsideration, "requested_by")),
    Step("conclude", "conclude CASE", "record the board's reconsideration (opens a form)",
         trigger=T.CONCLUDE_RECONSIDERATION, opens=Opens.ALWAYS,
         buttons=(_button(T.CONCLUDE_RECONSIDERATION),),
         modal=lambda rt, actor, ref, t: conclude_modal(rt, actor, ref, _prompt(rt, actor, ref, t)),
         callback=Callback.CONCLUDE_RECONSIDERATION, submit=_conclude_submit),
    Step("reopen", "reopen CASE [new information]", "reopen a resolved case",
         trigger=T.REOPEN, opens=Opens.WITHOUT_TEXT, typed=_typed_summary(cases.reopen),
         buttons=(_button(T.REOPEN),), modal=_step_form(step_views.reopen_modal),
         callback=Callback.REOPEN, required=("new_information",),
         submit=_text_step(cases.reopen, "new_information")),
    Step("recuse", "recuse CASE [reason] [note]",
         "recuse yourself (reasons: " + ", ".join(RECUSE_REASONS) + ")",
         opens=Opens.WITHOUT_TEXT, typed=_recuse_typed, buttons=(Button(Action.RECUSE.value),),
         modal=_member_form(step_views.recuse_modal), callback=Callback.RECUSE,
         submit=_recuse_submit),
    Step("emergency", "emergency CASE [what you did]", "record an emergency action for review",
         opens=Opens.WITHOUT_TEXT, typed=_emergency_typed,
         buttons=(Button(Action.EMERGENCY_ACTION.value),),
         modal=_member_form(step_views.emergency_modal), callback=Callback.EMERGENCY_ACTION,
         required=("action",), submit=_emergency_submit),
    Step("review", "review CASE", "review an emergency action (opens a form)",
         opens=Opens.ALWAYS, buttons=(Button(Action.REVIEW_EMERGENCY.value),),
         modal=_review_modal, callback=Callback.REVIEW_EMERGENCY, submit=_review_submit),
    Step("escalate", "escalate CASE [note]", "escalate a deadlocked case to the board",
         trigger=T.ESCALATE_TO_BOARD, typed=_typed_summary(decisions.escalate_to_board),
         buttons=(_button(T.ESCALATE_TO_BOARD),), modal=_step_form(step_views.escalate_modal),
         callback=Callback.ESCALATE, submit=_text_step(decisions.escalate_to_board, "note")),
    Step("board", "board CASE [decision]", "record the board's decision on an escalated case",
         trigger=T.BOARD_DECIDE, opens=Opens.WITHOUT_TEXT,
         typed=_typed_summary(decisions.board_decide),
         buttons=(_button(T.BOARD_DECIDE),), modal=_step_form(step_views.board_decision_modal),
         callback=Callback.BOARD_DECISION, required=("decision",),
         submit=_text_step(decisions.board_decide, "decision")),
)  # fmt: skip

BY_NAME: dict[str, Step] = {s.name: s for s in STEPS if s.name}
BY_BUTTON: dict[str, tuple[Step, Button]] = {b.action_id: (s, b) for s in STEPS for b in s.buttons}


def _check() -> None:
    """A row that cannot work fails at import, not on a member's click."""
    for s in STEPS:
        opens_form = s.opens is not Opens.NEVER or any(b.opens_modal for b in s.buttons)
        if opens_form and (s.modal is None or s.callback is None or s.submit is None):
            raise ValueError(f"step {s.name or s.buttons}: a form needs a builder and a handler")
        if s.opens is not Opens.ALWAYS and s.name and s.typed is None:
            raise ValueError(f"/coc {s.name}: a command done at once needs `typed`")
    if len(BY_BUTTON) != sum(len(s.buttons) for s in STEPS):
        raise ValueError("a button is in two rows")


_check()


def reply_text(reply: str | Rendered) -> Rendered:
    return reply if isinstance(reply, Rendered) else Rendered(reply, [])
