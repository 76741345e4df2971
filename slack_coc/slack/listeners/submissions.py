"""Modal submissions. Each one reads the form, checks required text on the server (blank or
whitespace-only -> `response_action: errors` on that input), calls one service, and only
then acks: a refusal from the service lands in the modal through the app's error handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext

from slack_coc.context import Actor
from slack_coc.domain.errors import InvalidInput
from slack_coc.read_models import prompts
from slack_coc.runtime import Runtime
from slack_coc.services import actions as actions_service
from slack_coc.services import cases, conflicts, decisions, emergency, intake
from slack_coc.services import feedback as feedback_service
from slack_coc.services.decisions import OutcomeInput
from slack_coc.slack.ids import Callback
from slack_coc.slack.listeners.support import actor_of, step_summary, vote_and_explain
from slack_coc.slack.modals.common import Submitted, require_text
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.report import parse_report

Handler = Callable[[Actor, Submitted, str], str | None]

RECEIVED_TEXT = (
    "Thank you. Your report has reached the Code of Conduct working group. "
    "We will send you a direct message confirming it and saying what happens next."
)


def _case(submitted: Submitted) -> str:
    return str(submitted.metadata.get("case", ""))


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    def submission(callback: Callback, required: tuple[str, ...], handle: Handler) -> None:
        """Register a step modal: `handle` returns the text to show in place of the modal
        (None closes it)."""

        @app.view(callback.value)
        def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            submitted = Submitted(view)
            errors = require_text(submitted, *required)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            done = handle(actor_of(body), submitted, body["user"]["id"])
            if done is None:
                ack()
            else:
                ack(response_action="update", view=notice_modal("Done", done))

    @app.view(Callback.LOG_REPORT.value)
    def on_log_report(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        actor = actor_of(body)
        report, errors = parse_report(view, member_form=True, user_id=actor.user_id or "")
        if report is None:
            ack(response_action="errors", errors=errors)
            return
        prompts.require_member_of(ctx, actor)
        logged = intake.log_report(ctx, actor, report)
        text = (
            f"Logged as case *#{logged.number}* ({logged.code_name}). "
            "Its card is in the group's channel."
        )
        ack(response_action="update", view=notice_modal("Report logged", text))

    @app.view(Callback.REPORT_CONCERN.value)
    def on_report_concern(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        actor = actor_of(body)
        report, errors = parse_report(view, member_form=False, user_id=actor.user_id or "")
        if report is None:
            ack(response_action="errors", errors=errors)
            return
        # Anyone may report, including a guest from another workspace in a shared channel:
        # the report belongs to the workspace whose working group received it.
        installed = context.authorize_result.team_id if context.authorize_result else None
        intake.log_report(ctx, Actor(installed or actor.team_id, actor.user_id), report)
        ack(response_action="update", view=notice_modal("Report received", RECEIVED_TEXT))

    def shepherd(actor: Actor, s: Submitted, _u: str) -> str:
        user = s.user("shepherd")
        if not user:
            raise InvalidInput("Choose the shepherd.", field="shepherd")
        result = cases.assign_shepherd(
            ctx,
            actor,
            _case(s),
            user,
            # Forms opened before forms said whom they replace: as before, any shepherd.
            seen_shepherd=s.metadata.get("seen_shepherd", cases.ANY_SHEPHERD),
            bias_disclosure=s.text("bias_disclosure") or None,
            reason=s.text("reason") or None,
        )
        return step_summary(result)

    def recuse(actor: Actor, s: Submitted, _u: str) -> str:
        conflicts.recuse(ctx, actor, _case(s), s.option("reason") or "", s.text("note"))
        return "You are recused from this case; you will see nothing more about it."

    def party_outcomes(s: Submitted) -> list[OutcomeInput]:
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

    def propose(actor: Actor, s: Submitted, _u: str) -> str:
        outcomes = party_outcomes(s)
        if not s.metadata.get("parties"):
            # The case names nobody as reported: one outcome for the case as a whole.
            outcomes.append(OutcomeInput(party_id=None, outcome=s.option("outcome_case") or ""))
        decisions.propose(ctx, actor, _case(s), outcomes, s.text("rationale"))
        return "Proposal recorded; the group is asked to vote."

    def vote(actor: Actor, s: Submitted, _u: str) -> str:
        value = s.option("vote")
        if not value:
            raise InvalidInput("Choose agree, object or abstain.", field="vote")
        proposal = s.metadata.get("proposal")
        return vote_and_explain(rt, actor, _case(s), value, int(proposal) if proposal else None)

    def feedback(actor: Actor, s: Submitted, _u: str) -> str:
        reason = s.option("none_reason")
        if reason:
            return step_summary(
                feedback_service.record_no_feedback(
                    ctx, actor, _case(s), reason, s.text("feedback")
                )
            )
        if not s.text("feedback"):
            raise InvalidInput(
                "Write down the feedback, or choose why there is none.", field="feedback"
            )
        return step_summary(cases.record_feedback(ctx, actor, _case(s), s.text("feedback")))

    def record_actions(actor: Actor, s: Submitted, _u: str) -> str:
        new = actions_service.NewAction(s.text("what"), s.user("owner"), s.date("due_on"))
        result = actions_service.record_actions(
            ctx,
            actor,
            _case(s),
            done=[int(v) for v in s.selected("done") if v.isdigit()],
            new=new,
            new_round=s.checked("new_round"),
        )
        return step_summary(result)

    def resolve(actor: Actor, s: Submitted, _u: str) -> str:
        result = cases.resolve(
            ctx,
            actor,
            _case(s),
            actions_taken=s.text("actions_taken"),
            review_date=s.date("review_date"),
            resolution_source=s.option("resolution_source") or "WG",
            suspension_ends=s.date("suspension_ends"),
        )
        return step_summary(result)

    def reconsider(actor: Actor, s: Submitted, _u: str) -> str:
        return step_summary(
            cases.request_reconsideration(ctx, actor, _case(s), s.text("requested_by"))
        )

    def conclude(actor: Actor, s: Submitted, _u: str) -> str:
        result_value = s.option("result")
        if result_value not in ("upheld", "changed"):
            raise InvalidInput("Was the decision upheld or changed?", field="result")
        upheld = result_value == "upheld"
        result = cases.conclude_reconsideration(
            ctx,
            actor,
            _case(s),
            upheld=upheld,
            note=s.text("note"),
            outcomes=None if upheld else party_outcomes(s),
        )
        return step_summary(result)

    def reopen(actor: Actor, s: Submitted, _u: str) -> str:
        return step_summary(cases.reopen(ctx, actor, _case(s), s.text("new_information")))

    def emergency_action(actor: Actor, s: Submitted, _u: str) -> str:
        emergency.record_emergency_action(ctx, actor, _case(s), s.text("action"))
        return "Emergency action recorded; the group reviews it within 24 hours."

    def review_action(actor: Actor, s: Submitted, _u: str) -> str:
        action_id = s.option("action_id") or ""
        if not action_id.isdigit():
            raise InvalidInput("Choose the action to review.", field="action_id")
        emergency.review_emergency_action(
            ctx, actor, _case(s), int(action_id), s.option("review_outcome") or "", s.text("note")
        )
        return "Review recorded."

    def escalate(actor: Actor, s: Submitted, _u: str) -> str:
        return step_summary(decisions.escalate_to_board(ctx, actor, _case(s), s.text("note")))

    def board(actor: Actor, s: Submitted, _u: str) -> str:
        return step_summary(decisions.board_decide(ctx, actor, _case(s), s.text("decision")))

    def declare(actor: Actor, s: Submitted, _u: str) -> str:
        count = conflicts.declare_conflicts(ctx, actor, s.selected("conflicted"))
        return (
            f"Thank you. {count} conflict(s) recorded; the cases you may see are on your App Home."
        )

    submission(Callback.ASSIGN_SHEPHERD, (), shepherd)
    submission(Callback.RECUSE, (), recuse)
    submission(Callback.PROPOSE, ("rationale",), propose)
    submission(Callback.VOTE, (), vote)
    submission(Callback.RECORD_FEEDBACK, (), feedback)
    submission(Callback.RECORD_ACTIONS, (), record_actions)
    submission(Callback.RESOLVE, ("actions_taken",), resolve)
    submission(Callback.REQUEST_RECONSIDERATION, ("requested_by",), reconsider)
    submission(Callback.CONCLUDE_RECONSIDERATION, (), conclude)
    submission(Callback.REOPEN, ("new_information",), reopen)
    submission(Callback.EMERGENCY_ACTION, ("action",), emergency_action)
    submission(Callback.REVIEW_EMERGENCY, (), review_action)
    submission(Callback.ESCALATE, (), escalate)
    submission(Callback.BOARD_DECISION, ("decision",), board)
    submission(Callback.DECLARE_CONFLICTS, (), declare)
