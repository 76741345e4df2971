"""How the outbox pump sees a due item before claiming it, and which items go in order or
are held together: a case's card, thread notes and channel posts one after another; one
person's DMs; one person's App Home; the same Slack call held by a 429."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import NamedTuple

from slack_coc.queues.outbox import Intent


class Due(NamedTuple):
    """A due item as the pump sees it before claiming it."""

    id: int
    kind: str
    team_id: str
    case_id: int | None
    recipient: str | None
    created_at: datetime

    @property
    def team_homes(self) -> bool:
        """Every member's App Home: rendered per member, the costliest item by far."""
        return self.kind == Intent.HOME and self.recipient is None


def order_key(kind: str, team_id: str, case_id: int | None, recipient: str | None) -> Hashable:
    """Items with the same key are delivered in order, one at a time: a case's card, thread
    notes and channel posts; one person's DMs; one person's App Home."""
    if case_id is not None and kind != Intent.DM:
        return ("case", case_id)
    return (kind, team_id, recipient or "")


def rate_key(kind: str, team_id: str, recipient: str | None) -> Hashable:
    """The Slack call an item makes: each kind is one method (card: chat.postMessage or
    chat.update in the group channel; DM: chat.postMessage to one person; Home:
    views.publish), so a 429 on one item holds the others with the same key."""
    return (team_id, kind, recipient if kind == "dm" else "")
