"""Domain errors. Each carries a message fit to show the person who tried."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """Base class: `str(err)` is safe to show to the acting member (no report content)."""


class NotFound(DomainError):
    pass


class NotPermitted(DomainError):
    pass


class InvalidInput(DomainError):
    """Bad input; `field` names the form field (modal block id) when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(DomainError):
    """The thing exists already, or someone else changed it first."""


class IllegalStep(DomainError):
    """A lifecycle trigger that the current state does not allow."""

    def __init__(
        self, case_number: int, state: str, trigger: str, allowed: Iterable[str], detail: str = ""
    ) -> None:
        self.case_number = case_number
        self.state = state
        self.trigger = trigger
        self.allowed = sorted(allowed)
        allowed_text = ", ".join(self.allowed) or "none"
        message = (
            f"Case #{case_number} is {state}: '{trigger}' is not possible now "
            f"(possible: {allowed_text})."
        )
        if detail:
            message = detail
        super().__init__(message)


class GuardFailed(DomainError):
    """The step exists from this state, but a condition of the process is not met yet."""
