"""What each kind of deadline is called wherever a person sees it (cards, App Home, DMs)."""

from __future__ import annotations

DEADLINE_LABELS = {
    "ack": "first response",
    "ack_secondary": "secondary paged",
    "ack_any": "any member steps in",
    "reporter_response": "response promised to reporter",
    "resolution": "resolution target",
    "emergency_review": "review of emergency action",
    "review_date": "review",
    "suspension_end": "suspension ends",
    "deadlock": "board escalation possible",
    "feedback": "reporter's feedback",
}


def deadline_label(kind: str) -> str:
    if kind.startswith("action:"):
        return "action due"
    return DEADLINE_LABELS.get(kind, kind.replace("_", " "))
