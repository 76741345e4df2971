"""Every (state, trigger) pair: legal ones move and record one event; illegal ones raise
the domain error and change nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep
from slack_coc.domain.lifecycle import INPUT_GUARDS, TRANSITIONS, CaseFacts, CaseFlow, all_pairs


@dataclass
class FakeCase:
    state: str
    number: int = 7
    handled_locally: bool = True
    shepherd_id: int | None = 1
    resolution_notes: str | None = "warned in writing"
    review_date: Any = date(2027, 6, 1)


ALL_FACTS = CaseFacts(decision_rule_met=True, deadlocked=True)


@pytest.mark.parametrize(
    ("state", "trigger", "dest"), all_pairs(), ids=lambda v: getattr(v, "value", str(v))
)
def test_every_state_trigger_pair(
    state: CaseState, trigger: Trigger, dest: CaseState | None
) -> None:
    case = FakeCase(state.value)
    flow = CaseFlow(case, ALL_FACTS)
    if dest is None:
        with pytest.raises(IllegalStep) as err:
            flow.fire(trigger)
        assert case.state == state.value
        assert flow.recorded == []
        assert f"#{case.number}" in str(err.value)
        assert state.label.lower() in str(err.value)
        assert err.value.allowed == sorted(t.value for t in flow.steps_from_here())
        assert not flow.may(trigger)
    else:
        assert flow.may(trigger)
        step = flow.fire(trigger)
        assert case.state == dest.value
        assert len(flow.recorded) == 1
        assert (step.from_state, step.to_state, step.trigger) == (state, dest, trigger)


GUARDED = [(t, s) for t, sources, _d, guards in TRANSITIONS if guards for s in sources]


@pytest.mark.parametrize(("trigger", "state"), GUARDED, ids=lambda v: v.value)
def test_guards_refuse_and_change_nothing(trigger: Trigger, state: CaseState) -> None:
    case = FakeCase(
        state.value,
        handled_locally=False,
        shepherd_id=None,
        resolution_notes=None,
        review_date=None,
    )
    flow = CaseFlow(case, CaseFacts())
    assert not flow.may(trigger)
    input_only = (
        set(dict.fromkeys(g for t, _s, _d, gs in TRANSITIONS if t is trigger for g in gs))
        <= INPUT_GUARDS
    )
    # A step whose only guard is met by its own form is offered; the others are not.
    assert (trigger in flow.allowed()) == input_only
    with pytest.raises(GuardFailed):
        flow.fire(trigger)
    assert case.state == state.value
    assert flow.recorded == []


def test_steps_needing_a_form_are_offered_before_their_input_exists() -> None:
    acknowledged = CaseFlow(FakeCase("acknowledged", shepherd_id=None))
    assert acknowledged.allowed() == [Trigger.ASSIGN_SHEPHERD]
    assert not acknowledged.may(Trigger.ASSIGN_SHEPHERD)
    decided = CaseFlow(FakeCase("decided", resolution_notes=None, review_date=None))
    assert Trigger.RESOLVE in decided.allowed()
    undecided = CaseFlow(FakeCase("discussed"), CaseFacts(decision_rule_met=False))
    assert Trigger.DECIDE not in undecided.allowed()


def test_received_can_only_be_left_by_acknowledging() -> None:
    flow = CaseFlow(FakeCase("received", handled_locally=False))
    assert flow.allowed() == [Trigger.ACKNOWLEDGE]


def test_kept_on_file_goes_straight_to_resolved() -> None:
    case = FakeCase("received", handled_locally=True)
    CaseFlow(case).fire(Trigger.KEEP_ON_FILE)
    assert case.state == "resolved"


def test_internal_feedback_step_records_once_and_stays() -> None:
    case = FakeCase("decided")
    flow = CaseFlow(case)
    flow.fire(Trigger.RECORD_FEEDBACK)
    assert case.state == "decided" and len(flow.recorded) == 1


def test_every_state_is_reachable_from_received() -> None:
    reachable = {CaseState.RECEIVED}
    frontier = [CaseState.RECEIVED]
    while frontier:
        state = frontier.pop()
        for s, _t, dest in all_pairs():
            if s is state and dest is not None and dest not in reachable:
                reachable.add(dest)
                frontier.append(dest)
    assert reachable == set(CaseState)
