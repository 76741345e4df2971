"""The case lifecycle: one pytransitions machine, built once from the table, shared by every case.

The state lives in `Case.state`; the machine reads and writes it through `CaseFlow.state`.
The machine answers both "may this step be taken?" (`may_<trigger>`, with the guards as its
conditions) and "take it", so the UI's offer and the step cannot disagree. Transitions never
do I/O: their callbacks only append to `CaseFlow.recorded`, which the service turns into
timeline events in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock
from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep

S = CaseState
T = Trigger

# (trigger, sources, destination, guards). A destination of None is an internal step.
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
    # Nothing is carried out before the reporter has heard the proposal (docs/process.md
    # "Reporter feedback"): their answer, or why there is none, is on the record first.
    (T.START_ACTIONS, (S.DECIDED,), S.ACTIONS_ONGOING, ("feedback_settled",)),
    (T.RECORD_ACTIONS, (S.ACTIONS_ONGOING,), None, ()),
    (T.RESOLVE, (S.DECIDED,), S.RESOLVED, ("feedback_settled", "has_resolution")),
    (T.RESOLVE, (S.ACTIONS_ONGOING,), S.RESOLVED, ("actions_done", "has_resolution")),
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
    "feedback_settled": "the reporter's feedback on the proposed resolution (or why there is "
    "none) must be recorded first",
    "actions_done": "every action of the current round must be marked done first",
}
GUARDS = tuple(GUARD_MESSAGES)

# Guards met by the form the step's button opens (who shepherds; what was done and when to
# review): the UI offers these steps before the input exists; `fire` still checks them.
INPUT_GUARDS = frozenset({"has_shepherd", "has_resolution"})


def _build_machine() -> Machine:
    machine = Machine(
        model=None,
        states=[s.value for s in CaseState],
        initial=CaseState.RECEIVED.value,
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


MACHINE = _build_machine()
# Probes join and leave the shared machine's model list one at a time.
_MACHINE_LOCK = Lock()


class CaseLike(Protocol):
    number: int
    state: str
    handled_locally: bool
    shepherd_id: int | None
    resolution_notes: str | None
    review_date: Any
    feedback_settled_at: Any


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need that is not on the case row (computed by the service)."""

    decision_rule_met: bool = False
    deadlocked: bool = False
    # Actions recorded in rounds (services/actions.py) and not yet marked done.
    open_actions: bool = False


@dataclass(frozen=True)
class Recorded:
    trigger: Trigger
    from_state: CaseState
    to_state: CaseState


class _Probe:
    """A model whose guards give fixed answers: asks the machine what it allows in one state
    for one combination of guard outcomes."""

    def __init__(self, passing: frozenset[str]) -> None:
        self.passing = passing
        self.state = CaseState.RECEIVED.value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_guard_"):
            guard = name.removeprefix("_guard_")
            return lambda _event: guard in self.passing
        raise AttributeError(name)

    def _record(self, _event: EventData) -> None:
        raise AssertionError("a probe never takes a step")


@lru_cache(maxsize=1024)
def _machine_allows(state: str, passing: frozenset[str]) -> frozenset[Trigger]:
    """The machine's `may_<trigger>()` answers for every trigger, in one state, when exactly
    the guards in `passing` hold. Cached per state and guard outcome: asking the machine
    for each case of a long list would bind its methods to every case."""
    probe = _Probe(passing)
    with _MACHINE_LOCK:
        MACHINE.add_model(probe, initial=state)
        try:
            return frozenset(t for t in Trigger if getattr(probe, f"may_{t.value}")())
        finally:
            MACHINE.remove_model(probe)


@lru_cache(maxsize=len(CaseState))
def _triggers_from(state: CaseState) -> tuple[Trigger, ...]:
    names = set(MACHINE.get_triggers(state.value))
    return tuple(t for t in Trigger if t.value in names)


@dataclass
class CaseFlow:
    case: CaseLike
    facts: CaseFacts = field(default_factory=CaseFacts)
    recorded: list[Recorded] = field(default_factory=list)

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

    def _guard_handled_locally(self, _e: EventData | None) -> bool:
        return bool(self.case.handled_locally)

    def _guard_has_shepherd(self, _e: EventData | None) -> bool:
        return self.case.shepherd_id is not None

    def _guard_decision_rule_met(self, _e: EventData | None) -> bool:
        return self.facts.decision_rule_met

    def _guard_deadlocked(self, _e: EventData | None) -> bool:
        return self.facts.deadlocked

    def _guard_has_resolution(self, _e: EventData | None) -> bool:
        return bool(self.case.resolution_notes) and self.case.review_date is not None

    def _guard_feedback_settled(self, _e: EventData | None) -> bool:
        return self.case.feedback_settled_at is not None

    def _guard_actions_done(self, _e: EventData | None) -> bool:
        return not self.facts.open_actions

    def _passing(self) -> frozenset[str]:
        return frozenset(g for g in GUARDS if getattr(self, f"_guard_{g}")(None))

    def steps_from_here(self) -> list[Trigger]:
        """Triggers defined for the current state, whether or not their guards pass."""
        return list(_triggers_from(CaseState(self.state)))

    def may(self, trigger: Trigger) -> bool:
        """The machine's `may_<trigger>()`: a transition for `trigger` leaves the current
        state and all its guards pass."""
        return trigger in _machine_allows(self.state, self._passing())

    def allowed(self) -> list[Trigger]:
        """Exactly the steps the UI may offer now: what the machine allows when the guards
        that the step's own form satisfies (INPUT_GUARDS) are taken as met."""
        offered = _machine_allows(self.state, self._passing() | INPUT_GUARDS)
        return [t for t in self.steps_from_here() if t in offered]

    def fire(self, trigger: Trigger) -> Recorded:
        """Take one step, or raise a domain error that says why not; nothing changes then."""
        state = CaseState(self.state)
        before = len(self.recorded)
        try:
            # The shared machine's own event, run on this model (no methods bound to it).
            taken: bool | None = MACHINE.events[trigger.value].trigger(self)
        except MachineError:
            taken = None
        if taken is None:
            raise IllegalStep(
                self.case.number,
                state.label.lower(),
                trigger.value,
                [t.value for t in self.steps_from_here()],
            )
        if not taken:
            raise GuardFailed(f"Case #{self.case.number}: {self._refusal(trigger, state)}.")
        return self.recorded[before]

    def refusal(self, trigger: Trigger) -> str:
        """Why `trigger` is refused in the current state (the first failing guard)."""
        return self._refusal(trigger, CaseState(self.state))

    def _refusal(self, trigger: Trigger, state: CaseState) -> str:
        """Why the machine refused: the first of the transition's conditions that fails."""
        for transition in MACHINE.get_transitions(trigger.value, source=state.value):
            for condition in transition.conditions:
                name = str(condition.func)
                if not getattr(self, name)(None):
                    return GUARD_MESSAGES[name.removeprefix("_guard_")]
        return f"the step '{trigger.value}' was refused"


def all_pairs() -> list[tuple[CaseState, Trigger, CaseState | None]]:
    """Every (state, trigger) pair with the machine's destination, or None when illegal."""
    pairs: list[tuple[CaseState, Trigger, CaseState | None]] = []
    for state in CaseState:
        for trigger in Trigger:
            found = MACHINE.get_transitions(trigger.value, source=state.value)
            dest = (found[0].dest or state.value) if found else None
            pairs.append((state, trigger, CaseState(dest) if dest else None))
    return pairs
