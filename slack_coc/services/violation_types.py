"""Types of violation recorded per reported person at a decision (policy `violation_types`;
docs/records.md "Types of violations")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from slack_coc.domain.enums import Outcome
from slack_coc.domain.errors import InvalidInput


class TypedOutcome(Protocol):
    """What is checked of a proposed outcome (`decisions.OutcomeInput`)."""

    @property
    def party_id(self) -> int | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def violation_types(self) -> Sequence[str]: ...


NOT_A_VIOLATION = {Outcome.NOT_A_VIOLATION.value, Outcome.OUT_OF_SCOPE.value}


def validate_types(outcomes: Sequence[TypedOutcome], known: Sequence[str]) -> None:
    """The kinds of behaviour must be the policy's; none for "not a violation"."""
    for o in outcomes:
        unknown = [t for t in o.violation_types if t not in known]
        if unknown:
            raise InvalidInput(
                f"Unknown type of behaviour {unknown[0]!r}: choose from the policy's list.",
                field=f"violation_{o.party_id}" if o.party_id else "violation_case",
            )
        if o.violation_types and o.outcome in NOT_A_VIOLATION:
            raise InvalidInput(
                "An outcome that is not a violation (or out of scope) has no type of behaviour.",
                field=f"violation_{o.party_id}" if o.party_id else "violation_case",
            )
