"""Every action id, callback id and shortcut id of the app, in one place.

Renderers (cards, DMs, App Home, modals) put these ids on their elements and the listeners
match on them, so a rename happens here once.

Conventions:
- A case card button for a lifecycle step has action id `step_action(trigger)`
  ("step:acknowledge", ...) and value = the case number as text ("12").
- Vote buttons carry value "<case number>:<proposal id>" (`vote_value`).
- Modals carry `private_metadata` = the case number (and, for votes and reviews, extra ids)
  as JSON; see `slack_coc/slack/modals/`.
"""

from __future__ import annotations

from enum import StrEnum

from slack_coc.domain.enums import Trigger

STEP_PREFIX = "step:"


class Action(StrEnum):
    """Buttons and inputs that are not lifecycle steps."""

    OPEN_CASE = "case:open"  # value: case number; opens the detail modal
    EMERGENCY_ACTION = "case:emergency"  # value: case number; opens the emergency modal
    REVIEW_EMERGENCY = "case:review_emergency"  # value: "<number>:<emergency action id>"
    RECUSE = "case:recuse"  # value: case number; opens the recusal modal
    PROPOSE = "case:propose"  # value: case number; opens the proposal modal
    PEOPLE = "case:people"  # value: case number; opens the People modal
    IDENTIFY_PEOPLE = "case:identify_people"  # the same modal, offered when nobody is reported
    VOTE_AGREE = "vote:agree"  # value: vote_value(number, proposal_id)
    VOTE_OBJECT = "vote:object"
    VOTE_ABSTAIN = "vote:abstain"
    LOG_REPORT = "home:log_report"  # App Home: opens the "log a report" modal
    DECLARE_CONFLICTS = "home:declare_conflicts"  # App Home: opens the onboarding modal
    REFRESH_HOME = "home:refresh"
    MAIL_COMPOSE = "mail:compose"  # value: case number; opens the mail compose modal
    MAIL_TEMPLATE = "mail:template"  # the template picker inside the compose modal
    MAIL_REVIEW = "mail:review"  # value: "<case number>:<mail id>"
    COVER_ACCEPT = "rota:cover_accept"  # value: the cover request id
    SWAP_ACCEPT = "rota:swap_accept"  # value: the swap request id
    SWAP_DECLINE = "rota:swap_decline"  # value: the swap request id
    MARK_AWAY = "home:mark_away"  # App Home: opens the "away" form
    MERGE_CONFIRM = "records:merge_confirm"  # value: the merge to confirm
    SHOW_REPORT = "case:show_report"  # value: case number; past a content warning, in place
    ALWAYS_WARN = "home:always_warn"  # App Home: value "on" / "off"
    ASK_REPORTER = "case:ask_reporter"  # value: case number; the relay's question modal
    ANSWER_RELAY = "relay:answer"  # in a relayed DM; value "<case id>:<event id>"
    HIDE_MESSAGE = "case:hide_message"  # value: case number; hide the reported message
    BOARD_SUMMARY = "case:board_summary"  # value: case number; a chair sends it to the board
    BIAS_NONE = "bias:none"  # value: case number; the shepherd has no bias to disclose
    BIAS_DISCLOSE = "bias:disclose"  # value: case number; opens the disclosure modal
    BIAS_KEEP = "bias:keep"  # value: "<case number>:<disclosure event id>"
    BIAS_REPLACE = "bias:replace"  # value: "<case number>:<disclosure event id>"


# Clicks answered with a modal: the web process opens a "Loading" modal at once (a trigger id
# lasts three seconds) and the inbox worker replaces it with the answer. Step buttons that need
# input, and the recuse, emergency, review and propose buttons, are in the step table
# (`slack/step_table.py`) and the inbox asks it; clicks inside a modal or on App Home answer
# with a modal unless they change what is open in place.
MODAL_ACTIONS = frozenset(
    {
        Action.OPEN_CASE,
        Action.PEOPLE,
        Action.IDENTIFY_PEOPLE,
        Action.LOG_REPORT,
        Action.DECLARE_CONFLICTS,
        Action.MAIL_COMPOSE,
        Action.MAIL_REVIEW,
        Action.ASK_REPORTER,
        Action.ANSWER_RELAY,
        Action.HIDE_MESSAGE,
        Action.BIAS_DISCLOSE,
        Action.MARK_AWAY,
    }
)
IN_PLACE_ACTIONS = frozenset(
    {Action.MAIL_TEMPLATE, Action.REFRESH_HOME, Action.SHOW_REPORT, Action.ALWAYS_WARN}
)

VOTE_ACTIONS = {
    Action.VOTE_AGREE: "agree",
    Action.VOTE_OBJECT: "object",
    Action.VOTE_ABSTAIN: "abstain",
}


class Callback(StrEnum):
    """Modal callback ids (view.callback_id)."""

    LOG_REPORT = "modal:log_report"  # a member logs a report (/coc new, App Home)
    SETUP = "modal:setup"  # a chair sets the workspace's channel, chairs and policy
    REPORT_CONCERN = "modal:report_concern"  # anyone reports (shortcuts)
    CASE_DETAIL = "modal:case_detail"  # read-only: no submission
    NOTICE = "modal:notice"  # read-only: a refusal shown where no ephemeral is possible
    LOADING = "modal:loading"  # read-only: open at once, replaced by the answer (inbox)
    ASSIGN_SHEPHERD = "modal:assign_shepherd"
    RECUSE = "modal:recuse"
    PROPOSE = "modal:propose"
    PEOPLE = "modal:people"  # add, identify, correct or remove the people on a case
    VOTE = "modal:vote"
    RECORD_FEEDBACK = "modal:record_feedback"
    RECORD_ACTIONS = "modal:record_actions"
    BIAS_DISCLOSE = "modal:bias_disclose"
    MARK_AWAY = "modal:mark_away"
    RESOLVE = "modal:resolve"
    REQUEST_RECONSIDERATION = "modal:request_reconsideration"
    CONCLUDE_RECONSIDERATION = "modal:conclude_reconsideration"
    REOPEN = "modal:reopen"
    EMERGENCY_ACTION = "modal:emergency_action"
    REVIEW_EMERGENCY = "modal:review_emergency"
    ESCALATE = "modal:escalate"
    BOARD_DECISION = "modal:board_decision"
    DECLARE_CONFLICTS = "modal:declare_conflicts"
    MAIL_COMPOSE = "modal:mail_compose"
    MAIL_REVIEW = "modal:mail_review"
    IDENTITY_KEY = "records:identity_key"
    CONTENT_WARNING = "modal:content_warning"  # `/coc warn CASE`: flag distressing content
    SANCTION_CHECK = "modal:sanction_check"  # the organisers' check form (`/coc check`)
    READMISSION_REQUEST = "modal:readmission_request"  # `/coc readmission CASE`: the request
    READMISSION_REVIEW = "modal:readmission_review"  # conditions checklist and votes
    ASK_REPORTER = "modal:ask_reporter"  # a question for an anonymous reporter (relay)
    ANSWER_RELAY = "modal:answer_relay"  # the anonymous reporter's answer
    HIDE_MESSAGE = "modal:hide_message"  # why the reported message is hidden


# Report forms: checked for missing or malformed fields in the web process (errors must be in
# the ack), then stored in the inbox and acknowledged with a "Logging" view that the inbox
# worker replaces with the case number. A report is durable from the moment Slack is answered.
DEFERRED_VIEWS = frozenset({Callback.LOG_REPORT, Callback.REPORT_CONCERN})


class Shortcut(StrEnum):
    """Callback ids of the shortcuts declared in manifest.yml."""

    REPORT_CONCERN = "report_concern"  # global
    REPORT_MESSAGE = "report_message"  # message


SLASH_COMMAND = "/coc"


def step_action(trigger: Trigger) -> str:
    """The action id of a case card button that takes `trigger`."""
    return f"{STEP_PREFIX}{trigger.value}"


def trigger_of(action_id: str) -> Trigger | None:
    if not action_id.startswith(STEP_PREFIX):
        return None
    try:
        return Trigger(action_id[len(STEP_PREFIX) :])
    except ValueError:
        return None


def vote_value(case_number: int, proposal_id: int) -> str:
    return f"{case_number}:{proposal_id}"


def parse_vote_value(value: str) -> tuple[str, int | None]:
    """(case ref, proposal id or None) from a vote button value."""
    number, _, proposal = value.partition(":")
    return number, int(proposal) if proposal.isdigit() else None
