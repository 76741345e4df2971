"""Thread notes: one timeline entry per case event, in the card's thread. Who, what, state
change and safe facts; never the event's free-text note, which may hold report content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_coc.domain.enums import CaseState
from slack_coc.slack.blocks.messages import Rendered, message, user

EVENT_LABELS = {
    "logged": "A report was logged",
    "recused": "A member recused from this case",
    "recusal_lifted": "A recusal was lifted",
    "acknowledge": "acknowledged",
    "keep_on_file": "kept it on file (handled locally)",
    "assign_shepherd": "assigned a shepherd",
    "change_shepherd": "changed the shepherd",
    "start_discussion": "started the discussion",
    "proposed": "proposed a decision",
    "voted": "voted",
    "decide": "the decision was adopted",
    "escalate_to_board": "escalated to the board",
    "board_decide": "recorded the board's decision",
    "board_notified": "notified the board",
    "record_feedback": "recorded the reporter's feedback",
    "start_actions": "started carrying out actions",
    "resolve": "resolved the case",
    "request_reconsideration": "requested reconsideration",
    "conclude_reconsideration": "concluded the reconsideration",
    "reopen": "reopened the case",
    "emergency_action": "recorded an emergency action",
    "emergency_reviewed": "reviewed the emergency action",
    "resolution_delayed": "moved the resolution target",
    "people_merged": "merged duplicate person records",
    "person_added": "added a person to the case",
    "person_changed": "corrected a person on the case",
    "person_removed": "removed a person from the case",
    "personal_data_expunged": "expunged personal data (retention)",
    "relay_question": "asked the reporter a question (through the app)",
    "relay_answer": "The reporter answered (through the app)",
    "relayed_to_reporter": "sent the reporter a message (through the app)",
    "message_hidden": "hid the reported message",
}
# Event data keys that are facts safe for the channel (dates, codes), shown in the note.
SAFE_EVENT_DATA = ("new_date", "review_date", "rule", "result", "vote", "source")
MEMBER_EVENT_DATA = ("shepherd",)  # member user ids, shown as mentions
# Who logged a report may be its reporter; who recused is nobody's business: no actor shown.
ANONYMOUS_EVENTS = {"logged", "recused", "recusal_lifted", "relay_answer"}


@dataclass(frozen=True)
class ThreadNote:
    kind: str
    actor_user_id: str | None
    from_state: str | None
    to_state: str | None
    data: dict[str, Any]
    drill: bool = False  # a practice case: every note says so


def thread_note(note: ThreadNote) -> Rendered:
    """A timeline entry for the card's thread: who, what, state change. Never the event's
    free-text note (it may hold report content)."""
    what = EVENT_LABELS.get(note.kind, note.kind.replace("_", " "))
    if note.kind in ANONYMOUS_EVENTS:
        text = what
    else:
        who = user(note.actor_user_id) if note.actor_user_id else "The app"
        text = f"{who} {what}"
    states = [_state_label(s) for s in (note.from_state, note.to_state) if s]
    if len(states) == 2 and states[0] != states[1]:
        text += f" · {states[0]} → {states[1]}"
    elif note.to_state and not note.from_state:
        text += f" · {_state_label(note.to_state)}"
    facts = [f"{k}: {user(note.data[k])}" for k in MEMBER_EVENT_DATA if note.data.get(k)]
    facts += [
        f"{k.replace('_', ' ')}: {note.data[k]}"
        for k in SAFE_EVENT_DATA
        if isinstance(note.data.get(k), str | int) and not isinstance(note.data.get(k), bool)
    ]
    if facts:
        text += f" ({'; '.join(facts)})"
    return message(f"DRILL · {text}" if note.drill else text)


def _state_label(value: str) -> str:
    try:
        return CaseState(value).label
    except ValueError:
        return value
