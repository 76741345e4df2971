"""The "Record actions" modal: the rounds so far, ticks for what is done, one new action.

Action texts may name people: they appear only here, in a modal opened by a member who may
see the case (as the case details do), never on the card or in a DM."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from slack_coc.read_models.case_views import CaseView
from slack_coc.services.actions import ActionView
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import (
    checkboxes,
    date_input,
    modal,
    note,
    small,
    text_input,
    users_input,
)
from slack_coc.slack.modals.detail import escape

OPTION_TEXT = 75  # Slack's limit on a checkbox option's text


def _line(action: ActionView) -> str:
    mark = ":white_check_mark:" if action.done else ":black_square_button:"
    due = action.due_on.isoformat()
    return f"{mark} Round {action.round}: {escape(action.what)} · <@{action.owner_user_id}> · {due}"


def actions_modal(view: CaseView, actions: list[ActionView], today: date) -> dict[str, Any]:
    head = f"{'*DRILL* · ' if view.drill else ''}*{view.ref}* {view.code_name} · {view.state.label}"
    blocks: list[Block] = [note(head, "case_head")]
    if actions:
        blocks.append(note("\n".join(_line(a) for a in actions)[:3000], "rounds"))
    else:
        blocks.append(small("No actions yet: record the first round below."))
    still_open = [a for a in actions if not a.done]
    if still_open:
        pairs = [(str(a.id), f"Round {a.round}: {a.what}"[:OPTION_TEXT]) for a in still_open]
        blocks.append(checkboxes("done", "Done", pairs[:10]))
    blocks += [
        text_input("what", "New action", multiline=True, optional=True),
        users_input("owner", "Who does it", multi=False, optional=True),
        date_input("due_on", "Due", initial=today + timedelta(days=7), optional=True),
    ]
    if actions and not still_open:
        blocks.append(checkboxes("new_round", "Round", [("yes", "Start another round")]))
    blocks.append(
        small("Resolve is offered once every action is done. Owners are reminded when due.")
    )
    return modal(
        callback_id=Callback.RECORD_ACTIONS,
        title="Record actions",
        metadata={"case": view.number},
        blocks=blocks,
        submit="Save",
    )
