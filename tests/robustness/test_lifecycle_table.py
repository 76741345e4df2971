"""`CaseFlow.may()` / `allowed()` answer from the transition table without building the
pytransitions machine (a performance fix); they must agree with the machine's own
`may_<trigger>()` for every state, trigger and combination of guard facts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.lifecycle import CaseFacts, CaseFlow


@dataclass
class FakeCase:
    number: int
    state: str
    handled_locally: bool
    shepherd_id: int | None
    resolution_notes: str | None
    review_date: Any


def test_table_answers_match_the_machine() -> None:
    checked = 0
    for state, local, shepherd, resolved, rule_met, deadlocked in itertools.product(
        CaseState, (False, True), (None, 7), (False, True), (False, True), (False, True)
    ):
        case = FakeCase(1, state.value, local, shepherd, "done" if resolved else None,
                        date(2027, 1, 1) if resolved else None)  # fmt: skip
        flow = CaseFlow(case, CaseFacts(decision_rule_met=rule_met, deadlocked=deadlocked))
        machine = flow._machine  # built on demand
        for trigger in Trigger:
            by_machine = bool(getattr(flow, f"may_{trigger.value}", lambda: False)())
            assert flow.may(trigger) is by_machine, (state, trigger)
        names = set(machine.get_triggers(state.value))
        assert flow.steps_from_here() == [t for t in Trigger if t.value in names]
        checked += 1
    assert checked == len(CaseState) * 32


def test_reading_allowed_steps_does_not_touch_the_case() -> None:
    case = FakeCase(3, CaseState.DECIDED.value, False, 7, None, None)
    flow = CaseFlow(case)
    assert flow._built is None
    assert Trigger.START_ACTIONS in flow.allowed()
    assert flow._built is None  # no machine was needed
    flow.fire(Trigger.START_ACTIONS)
    assert case.state == CaseState.ACTIONS_ONGOING.value
