"""How each answer that is a modal reaches Slack: the one table that decides, per click and
per slash command (the web process's `Deferrer` reads it; nothing else guesses).

- `DIRECT`: the web process acks and the listener opens the filled modal from the request
  itself: one Slack round trip. For read-only answers built from a few rows (a case's
  details, a step's form, a list of one's open cases): well inside the trigger id's three
  seconds even when the machine is busy, and if the database is away the person is told in
  a modal and simply clicks again (nothing was asked of them, nothing is lost). While the
  web process already has several listeners in flight (`deferral.DIRECT_WHILE_BELOW`), a
  direct answer takes the `LOADING` way instead: its work would slow everyone's acks.
- `LOADING`: the request is stored in the inbox, the web process opens a "Loading" modal at
  once and the worker fills it (`views.update`): two round trips, but the trigger id cannot
  run out whatever the work costs. For answers that write (a step done from App Home, whose
  answer is a notice) or that may take longer (mail threads, the identity key).

A modal answer missing from these tables is `LOADING`: the safe choice.
"""

from __future__ import annotations

from typing import Any

from slack_coc.slack.ids import IN_PLACE_ACTIONS, MODAL_ACTIONS, Action
from slack_coc.slack.step_rows import Answer
from slack_coc.slack.step_table import BY_BUTTON, BY_NAME
from slack_coc.slack.subcommands import SUBCOMMANDS

__all__ = ["Answer", "answer_for"]

# The steps' forms (`Step.answer`, DIRECT unless the row says otherwise) are in the step table.
ACTIONS: dict[str, Answer] = {
    Action.OPEN_CASE: Answer.DIRECT,  # one case, its parties and timeline (and an access log)
    Action.LOG_REPORT: Answer.DIRECT,  # an empty form, after a membership check
    Action.DECLARE_CONFLICTS: Answer.DIRECT,  # the member's list of open cases
    Action.MAIL_COMPOSE: Answer.LOADING,  # a case's mail thread, decrypted
    Action.MAIL_REVIEW: Answer.LOADING,
}

COMMANDS: dict[str, Answer] = {
    "show": Answer.DIRECT,
    "new": Answer.DIRECT,
    "mail": Answer.LOADING,
    "identity": Answer.LOADING,
}


def answer_for(body: dict[str, Any]) -> Answer:
    """How a request already known to answer with a modal (`modal_answers.answers_with_modal`)
    answers."""
    if "command" in body:
        name = str(body.get("text") or "").strip().partition(" ")[0].lower()
        if name in BY_NAME:
            return BY_NAME[name].answer
        return COMMANDS.get(name, Answer.LOADING)
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    action_id = str(first.get("action_id", "")) if isinstance(first, dict) else ""
    if action_id in ACTIONS:
        return ACTIONS[action_id]
    row = BY_BUTTON.get(action_id)
    if row is not None and row[1].opens_modal:
        return row[0].answer  # its form; a step done at once writes: its answer follows
    return Answer.LOADING


def answers_with_modal(body: dict[str, Any]) -> bool:
    """Whether the answer to this request is a new modal (decided before any work is done)."""
    if not body.get("trigger_id") or body.get("type") == "view_submission":
        return False
    if "command" in body:
        name = str(body.get("text") or "").strip().partition(" ")[0].lower()
        sub = SUBCOMMANDS.get(name)
        args = str(body.get("text") or "").strip().partition(" ")[2]
        return sub is not None and sub.answers_with_modal(args)
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    action_id = str(first.get("action_id", "")) if isinstance(first, dict) else ""
    if action_id in MODAL_ACTIONS:
        return True
    step = BY_BUTTON.get(action_id)
    if step is not None and step[1].opens_modal:
        return True  # a step that needs input opens its form (`slack/step_table.py`)
    # On App Home and inside modals there is no response_url: any answer is a modal.
    return not body.get("response_url") and action_id not in IN_PLACE_ACTIONS
