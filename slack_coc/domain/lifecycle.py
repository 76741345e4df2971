"""The case lifecycle: a pytransitions machine built per operation around one case.

The state lives in `Case.state`; the machine is a view on it. Transitions never do I/O:
their callbacks only append to `CaseFlow.recorded`, which the service turns into
timeline events in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from transitions import EventData, Machine

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep

S = CaseState
T = Trigger

# (trigger, sources, destination, guards). "=" as destination is an internal step.
TRANSITIONS: list[tuple[Trigger, tuple[CaseState, ...], CaseState | None, tuple[str, ...]]] = [
    (T.ACKNOWLEDGE, (S.RECEIVED,), S.ACKNOWLEDGED, ()),
    (T.KEEP_ON_FILE, (S.RECEIVED,), S.RESOLVED, ("handled_locally",)),
    (T.ASSIGN_SHEPHERD, (S.ACKNOWLEDGED,), S.SHEPHERDED, ("has_shepherd",)),
    (T.CHANGE_SHEPHERD, (S.SHEPHERDED, S.DISCUSSED), S.SHEPHERDED, ("has_shepherd",)),
    (T.START_DISCUSSION, (S.SHEPHERDED,), S.DISCUSSED, ()),
    (T.DECIDE, (S.DISCUSSED,), S.DECIDED, ("decision_rule_met",)),
    (T.ESCALATE_TO_BOARD, (S.DISCUSSED,), S.ESCALATED, ("deadlocked",)),
    (T.BOARD_DECIDE, (S.ESCALATED,), S.DECIDED, ()),
    (T.RECORD_FEEDBACK, (S.DECIDED,), None, ()),
    (T.START_ACTIONS, (S.DECIDED,), S.ACTIONS_ONGOING, ()),
    (T.RESOLVE, (S.DECIDED, S.ACTIONS_ONGOING), S.RESOLVED, ("has_resolution",)),
    (T.REQUEST_RECONSIDERATION, (S.RESOLVED,), S.RECONSIDERATION, ()),
    (T.CONCLUDE_RECONSIDERATION, (S.RECONSIDERATION,), S.RESOLVED, ()),
    (T.REOPEN, (S.RESOLVED,), S.ACKNOWLEDGED, ()),
]

GUARD_MESSAGES = {
    "handled_locally": "only a report already handled by local representatives can be kept on file",
    "has_shepherd": "a shepherd must be named",
    "decision_rule_met": "the decision rule is not met yet",
    "deadlocked": "escalation to the board opens when a proposal has had no decision "
    "for the policy time",
    "has_resolution": "resolving needs the outcome (actions taken) and a review date",
}


# Guards met by the form the step's button opens (who shepherds; what was done and when to
# review): the UI offers these steps before the input exists; `fire` still checks them.
INPUT_GUARDS = frozenset({"has_shepherd", "has_resolution"})


class CaseLike(Protocol):
    number: int
    state: str
    handled_locally: bool
    shepherd_id: int | None
    resolution_notes: str | None
    review_date: Any


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need that is not on the case row (computed by the service)."""

    decision_rule_met: bool = False
    deadlocked: bool = False


@dataclass(frozen=True)
class Recorded:
    trigger: Trigger
    from_state: CaseState
    to_state: CaseState


@dataclass
class CaseFlow:
    case: CaseLike
    facts: CaseFacts = field(default_factory=CaseFacts)
    recorded: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._built: Machine | None = None

    @property
    def _machine(self) -> Machine:
        """Built on the first step taken: lists and cards ask `allowed()` of many cases,
        which the transition table answers without a machine (building one per case was
        most of `/coc list`'s time, found by benchmarks/run.py)."""
        if self._built is None:
            self._built = self._build()
        return self._built

    def _build(self) -> Machine:
        machine = Machine(
            model=self,
            states=[s.value for s in CaseState],
            initial=CaseState(self.case.state).value,
            auto_transitions=False,
            send_event=True,
            after_state_change="_record",
        )
        for trigger, sources, dest, guards in TRANSITIONS:
            machine.add_transition(
                trigger.value,
                [s.value for s in sources],
                dest.value if dest else None,
                conditions=[f"_guard_{g}" for g in guards],
            )
        return machine

    # The machine reads and writes the state through this property: one column, no copy.
    @property
    def state(self) -> str:
        return self.case.state

    @state.setter
    def state(self, value: str) -> None:
        self.case.state = value

    def _record(self, event: EventData) -> None:
        transition = event.transition
        if transition is None or event.event is None:
            return
        self.recorded.append(
            Recorded(
                Trigger(event.event.name),
                CaseState(transition.source),
                CaseState(transition.dest or transition.source),
            )
        )

    def _guard_handled_locally(self, _e: EventData) -> bool:
        return bool(self.case.handled_locally)

    def _guard_has_shepherd(self, _e: EventData) -> bool:
        return self.case.shepherd_id is not None

    def _guard_decision_rule_met(self, _e: EventData) -> bool:
        return self.facts.decision_rule_met

    def _guard_deadlocked(self, _e: EventData) -> bool:
        return self.facts.deadlocked

    def _guard_has_resolution(self, _e: EventData) -> bool:
        return bool(self.case.resolution_notes) and self.case.review_date is not None

    def steps_from_here(self) -> list[Trigger]:
        """Triggers defined for the current state, whether or not their guards pass."""
        state = CaseState(self.state)
        names = {t for t, sources, _dest, _guards in TRANSITIONS if state in sources}
        return [t for t in Trigger if t in names]

    def may(self, trigger: Trigger) -> bool:
        """What the machine's `may_<trigger>()` answers: a transition for `trigger` leaves
        the current state and all its guards pass (read from the same table)."""
        state = CaseState(self.state)
        return any(
            t is trigger
            and state in sources
            and all(getattr(self, f"_guard_{g}")(None) for g in guards)
            for t, sources, _dest, guards in TRANSITIONS
        )

    def allowed(self) -> list[Trigger]:
        """Exactly the steps the UI may offer now: every guard passes, except those the
        step's own form satisfies (INPUT_GUARDS)."""
        state = CaseState(self.state)
        return [
            t
            for t in self.steps_from_here()
            if all(
                g in INPUT_GUARDS or getattr(self, f"_guard_{g}")(None)
                for g in self._guards_of(t, state)
            )
        ]

    def fire(self, trigger: Trigger) -> Recorded:
        """Take one step, or raise a domain error that says why not; nothing changes then."""
        state = CaseState(self.state)
        if trigger not in self.steps_from_here():
            raise IllegalStep(
                self.case.number,
                state.label.lower(),
                trigger.value,
                [t.value for t in self.steps_from_here()],
            )
        failing = [
            g for g in self._guards_of(trigger, state) if not getattr(self, f"_guard_{g}")(None)
        ]
        if failing:
            raise GuardFailed(f"Case #{self.case.number}: {GUARD_MESSAGES[failing[0]]}.")
        before = len(self.recorded)
        self._machine  # noqa: B018  (building it adds the trigger methods to this object)
        if not getattr(self, trigger.value)():
            raise GuardFailed(f"Case #{self.case.number}: the step '{trigger.value}' was refused.")
        return self.recorded[before]

    @staticmethod
    def _guards_of(trigger: Trigger, state: CaseState) -> tuple[str, ...]:
        for t, sources, _dest, guards in TRANSITIONS:
            if t is trigger and state in sources:
                return guards
        return ()


def all_pairs() -> list[tuple[CaseState, Trigger, CaseState | None]]:
    """Every (state, trigger) pair with its destination, or None when illegal."""
    table: dict[tuple[CaseState, Trigger], CaseState] = {}
    for trigger, sources, dest, _g in TRANSITIONS:
        for source in sources:
            table[(source, trigger)] = dest or source
    return [(s, t, table.get((s, t))) for s in CaseState for t in Trigger]
