"""The case lifecycle against a table written out here, not read from the code: a wrong
transition in `lifecycle.TRANSITIONS` fails these tests. Legal steps move and record one
event; illegal ones raise the domain error and change nothing; what the UI offers
(`may`, `allowed`) and what `fire` does never disagree."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from slack_coc.domain.enums import CaseState, Trigger
from slack_coc.domain.errors import GuardFailed, IllegalStep
from slack_coc.domain.lifecycle import MACHINE, CaseFacts, CaseFlow, all_pairs

S, T = CaseState, Trigger

# (state, trigger) -> destination, for every legal step; every other pair is illegal.
EXPECTED: dict[tuple[CaseState, Trigger], CaseState] = {
    (S.RECEIVED, T.ACKNOWLEDGE): S.ACKNOWLEDGED,
    (S.RECEIVED, T.KEEP_ON_FILE): S.RESOLVED,
    (S.ACKNOWLEDGED, T.ASSIGN_SHEPHERD): S.SHEPHERDED,
    (S.SHEPHERDED, T.CHANGE_SHEPHERD): S.SHEPHERDED,
    (S.DISCUSSED, T.CHANGE_SHEPHERD): S.SHEPHERDED,
    (S.SHEPHERDED, T.START_DISCUSSION): S.DISCUSSED,
    (S.DISCUSSED, T.DECIDE): S.DECIDED,
    (S.DISCUSSED, T.ESCALATE_TO_BOARD): S.ESCALATED,
    (S.ESCALATED, T.BOARD_DECIDE): S.DECIDED,
    (S.DECIDED, T.RECORD_FEEDBACK): S.DECIDED,
    (S.DECIDED, T.START_ACTIONS): S.ACTIONS_ONGOING,
    (S.ACTIONS_ONGOING, T.RECORD_ACTIONS): S.ACTIONS_ONGOING,
    (S.DECIDED, T.RESOLVE): S.RESOLVED,
    (S.ACTIONS_ONGOING, T.RESOLVE): S.RESOLVED,
    (S.RESOLVED, T.REQUEST_RECONSIDERATION): S.RECONSIDERATION,
    (S.RECONSIDERATION, T.CONCLUDE_RECONSIDERATION): S.RESOLVED,
    (S.RESOLVED, T.REOPEN): S.ACKNOWLEDGED,
}

# The steps whose guard is met by the step's own form, and those whose guard is not.
NEEDS_FORM = {T.ASSIGN_SHEPHERD, T.CHANGE_SHEPHERD, T.RESOLVE}
NEEDS_FACT = {T.KEEP_ON_FILE, T.DECIDE, T.ESCALATE_TO_BOARD, T.START_ACTIONS}
# Guarded pairs the UI offers although their guards fail: only their form's input is missing.
# Resolving a decided case also waits for the reporter's feedback, which no form supplies.
OFFERED_UNMET = {
    (S.ACKNOWLEDGED, T.ASSIGN_SHEPHERD),
    (S.SHEPHERDED, T.CHANGE_SHEPHERD),
    (S.DISCUSSED, T.CHANGE_SHEPHERD),
    (S.ACTIONS_ONGOING, T.RESOLVE),
}
SETTLED = datetime(2027, 1, 2, tzinfo=UTC)


@dataclass
class FakeCase:
    state: str
    number: int = 7
    handled_locally: bool = True
    shepherd_id: int | None = 1
    resolution_notes: str | None = "warned in writing"
    review_date: Any = date(2027, 6, 1)
    feedback_settled_at: Any = SETTLED


ALL_FACTS = CaseFacts(decision_rule_met=True, deadlocked=True)
PAIRS = [(s, t) for s in CaseState for t in Trigger]


def test_the_machine_has_exactly_the_expected_transitions() -> None:
    found = {(s, t): d for s, t, d in all_pairs() if d is not None}
    assert found == EXPECTED


@pytest.mark.parametrize(("state", "trigger"), PAIRS, ids=lambda v: v.value)
def test_every_state_trigger_pair(state: CaseState, trigger: Trigger) -> None:
    case = FakeCase(state.value)
    flow = CaseFlow(case, ALL_FACTS)
    dest = EXPECTED.get((state, trigger))
    if dest is None:
        assert not flow.may(trigger)
        assert trigger not in flow.allowed()
        with pytest.raises(IllegalStep) as err:
            flow.fire(trigger)
        assert case.state == state.value
        assert flow.recorded == []
        assert f"#{case.number}" in str(err.value)
        assert state.label.lower() in str(err.value)
        assert err.value.allowed == sorted(t.value for (s, t) in EXPECTED if s is state)
    else:
        assert flow.may(trigger)
        assert trigger in flow.allowed()
        step = flow.fire(trigger)
        assert case.state == dest.value
        assert len(flow.recorded) == 1
        assert (step.from_state, step.to_state, step.trigger) == (state, dest, trigger)


GUARDED = [(s, t) for (s, t) in EXPECTED if t in NEEDS_FORM | NEEDS_FACT]


@pytest.mark.parametrize(("state", "trigger"), GUARDED, ids=lambda v: v.value)
def test_guards_refuse_and_change_nothing(state: CaseState, trigger: Trigger) -> None:
    case = FakeCase(
        state.value,
        handled_locally=False,
        shepherd_id=None,
        resolution_notes=None,
        review_date=None,
        feedback_settled_at=None,
    )
    flow = CaseFlow(case, CaseFacts())
    assert not flow.may(trigger)
    # A step whose only guard is met by its own form is offered; the others are not.
    assert (trigger in flow.allowed()) == ((state, trigger) in OFFERED_UNMET)
    with pytest.raises(GuardFailed) as err:
        flow.fire(trigger)
    assert f"#{case.number}" in str(err.value)
    assert case.state == state.value
    assert flow.recorded == []


def test_refusals_say_which_guard_failed() -> None:
    with pytest.raises(GuardFailed, match="a shepherd must be named"):
        CaseFlow(FakeCase("acknowledged", shepherd_id=None)).fire(T.ASSIGN_SHEPHERD)
    with pytest.raises(GuardFailed, match="decision rule is not met"):
        CaseFlow(FakeCase("discussed")).fire(T.DECIDE)
    with pytest.raises(GuardFailed, match="review date"):
        CaseFlow(FakeCase("decided", review_date=None)).fire(T.RESOLVE)
    with pytest.raises(GuardFailed, match="reporter's feedback"):
        CaseFlow(FakeCase("decided", feedback_settled_at=None)).fire(T.RESOLVE)
    with pytest.raises(GuardFailed, match="reporter's feedback"):
        CaseFlow(FakeCase("decided", feedback_settled_at=None)).fire(T.START_ACTIONS)
    with pytest.raises(GuardFailed, match="every action"):
        CaseFlow(FakeCase("actions_ongoing"), CaseFacts(open_actions=True)).fire(T.RESOLVE)


def test_a_decided_case_waits_for_feedback_before_anything_is_carried_out() -> None:
    waiting = CaseFlow(FakeCase("decided", feedback_settled_at=None))
    assert waiting.allowed() == [T.RECORD_FEEDBACK]
    settled = CaseFlow(FakeCase("decided"))
    assert settled.allowed() == [T.RECORD_FEEDBACK, T.START_ACTIONS, T.RESOLVE]


def test_resolve_is_offered_once_every_action_is_done() -> None:
    busy = CaseFlow(FakeCase("actions_ongoing"), CaseFacts(open_actions=True))
    assert busy.allowed() == [T.RECORD_ACTIONS]
    done = CaseFlow(FakeCase("actions_ongoing"), CaseFacts(open_actions=False))
    assert done.allowed() == [T.RECORD_ACTIONS, T.RESOLVE]


def test_offer_and_step_never_disagree() -> None:
    """For every state and every combination of guard outcomes, `may` is True exactly when
    `fire` succeeds."""
    checked = 0
    bools = (False, True)
    for state, local, shepherd, resolved, rule_met, deadlocked, heard, busy in itertools.product(
        CaseState, bools, (None, 7), bools, bools, bools, bools, bools
    ):
        base = FakeCase(
            state.value,
            handled_locally=local,
            shepherd_id=shepherd,
            resolution_notes="done" if resolved else None,
            review_date=date(2027, 1, 1) if resolved else None,
            feedback_settled_at=SETTLED if heard else None,
        )
        facts = CaseFacts(decision_rule_met=rule_met, deadlocked=deadlocked, open_actions=busy)
        for trigger in Trigger:
            may = CaseFlow(replace(base), facts).may(trigger)
            try:
                CaseFlow(replace(base), facts).fire(trigger)
                fired = True
            except (IllegalStep, GuardFailed):
                fired = False
            assert may is fired, (state, trigger)
            checked += 1
    assert checked == len(CaseState) * 128 * len(Trigger)


def test_steps_needing_a_form_are_offered_before_their_input_exists() -> None:
    acknowledged = CaseFlow(FakeCase("acknowledged", shepherd_id=None))
    assert acknowledged.allowed() == [T.ASSIGN_SHEPHERD]
    assert not acknowledged.may(T.ASSIGN_SHEPHERD)
    decided = CaseFlow(FakeCase("decided", resolution_notes=None, review_date=None))
    assert T.RESOLVE in decided.allowed()
    undecided = CaseFlow(FakeCase("discussed"), CaseFacts(decision_rule_met=False))
    assert T.DECIDE not in undecided.allowed()


def test_received_can_only_be_left_by_acknowledging() -> None:
    assert CaseFlow(FakeCase("received", handled_locally=False)).allowed() == [T.ACKNOWLEDGE]


def test_internal_feedback_step_records_once_and_stays() -> None:
    case = FakeCase("decided")
    flow = CaseFlow(case)
    flow.fire(T.RECORD_FEEDBACK)
    assert case.state == "decided" and len(flow.recorded) == 1


def test_one_flow_takes_several_steps_and_leaves_no_model_on_the_machine() -> None:
    case = FakeCase("acknowledged")
    flow = CaseFlow(case, ALL_FACTS)
    for trigger in (T.ASSIGN_SHEPHERD, T.START_DISCUSSION, T.DECIDE, T.RESOLVE):
        flow.fire(trigger)
    assert case.state == "resolved"
    assert [r.trigger for r in flow.recorded] == [
        T.ASSIGN_SHEPHERD,
        T.START_DISCUSSION,
        T.DECIDE,
        T.RESOLVE,
    ]
    assert MACHINE.models == []


def test_every_state_is_reachable_from_received() -> None:
    reachable = {S.RECEIVED}
    frontier = [S.RECEIVED]
    while frontier:
        state = frontier.pop()
        for (s, _t), dest in EXPECTED.items():
            if s is state and dest not in reachable:
                reachable.add(dest)
                frontier.append(dest)
    assert reachable == set(CaseState)
