"""What a deliverer (an outbox handler) raises when an item cannot go now: the dispatcher
(`jobs/outbox.py`) decides from it when the item is tried again, or that it is dropped."""

from __future__ import annotations


class RetryLater(Exception):
    """`scope`: what Slack limited (its method and channel) when it answered 429; None when
    unknown (the whole workspace is taken to be limited)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, scope: str | None = None
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.scope = scope


class NotYet(Exception):
    """The item cannot go until someone acts (the workspace has no channel until a chair runs
    `/coc setup`): tried again after `seconds`, no attempt counted, never parked or lost."""

    def __init__(self, reason: str, seconds: float = 300) -> None:
        super().__init__(reason)
        self.seconds = seconds


class DropMessage(Exception):
    """The intent no longer applies (e.g. the recipient was recused meanwhile)."""
