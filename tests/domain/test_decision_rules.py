"""Decision rules as pure functions (docs/process.md "Decisions")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_coc.domain.decisions import effective_rule, evaluate, is_deadlocked
from slack_coc.domain.enums import DecisionRule, VoteValue

A, OBJ, X = VoteValue.AGREE, VoteValue.OBJECT, VoteValue.ABSTAIN
PROPOSER = 1
ELIGIBLE = {1, 2, 3, 4, 5, 6}


def test_one_agree_is_not_enough_under_two_members() -> None:
    assert not evaluate(DecisionRule.TWO_MEMBERS, PROPOSER, {2: A}, ELIGIBLE).met


def test_two_distinct_members_other_than_proposer_meet_two_members() -> None:
    result = evaluate(DecisionRule.TWO_MEMBERS, PROPOSER, {2: A, 3: A}, ELIGIBLE)
    assert result.met and result.agreeing == {2, 3}


def test_proposer_vote_does_not_count_for_two_members() -> None:
    assert not evaluate(DecisionRule.TWO_MEMBERS, PROPOSER, {1: A, 2: A}, ELIGIBLE).met


def test_recused_members_votes_are_ignored() -> None:
    eligible = ELIGIBLE - {3}
    assert not evaluate(DecisionRule.TWO_MEMBERS, PROPOSER, {2: A, 3: A}, eligible).met


def test_severe_switches_two_members_to_majority_but_never_lowers() -> None:
    assert effective_rule("two_members", severe=True) is DecisionRule.MAJORITY
    assert effective_rule("two_members", severe=False) is DecisionRule.TWO_MEMBERS
    assert effective_rule("consensus_two_thirds", severe=True) is DecisionRule.CONSENSUS_TWO_THIRDS


def test_majority_needs_more_than_half_of_non_conflicted() -> None:
    # proposer + 2 = 3 of 6: not more than half
    assert not evaluate(DecisionRule.MAJORITY, PROPOSER, {2: A, 3: A}, ELIGIBLE).met
    assert evaluate(DecisionRule.MAJORITY, PROPOSER, {2: A, 3: A, 4: A}, ELIGIBLE).met


def test_consensus_needs_everyone_and_no_objection() -> None:
    votes = {2: A, 3: A, 4: X, 5: A}
    waiting = evaluate(DecisionRule.CONSENSUS_TWO_THIRDS, PROPOSER, votes, ELIGIBLE)
    assert not waiting.met and "waiting" in waiting.explanation
    done = evaluate(DecisionRule.CONSENSUS_TWO_THIRDS, PROPOSER, {**votes, 6: A}, ELIGIBLE)
    assert done.met and done.applied == "consensus"


def test_consensus_fails_on_one_objection_then_two_thirds_applies() -> None:
    three_of_six = {2: A, 3: A, 4: OBJ, 5: X, 6: X}
    result = evaluate(DecisionRule.CONSENSUS_TWO_THIRDS, PROPOSER, three_of_six, ELIGIBLE)
    assert not result.met and result.applied == "two-thirds"
    four_of_six = {2: A, 3: A, 4: OBJ, 5: A, 6: X}
    result = evaluate(DecisionRule.CONSENSUS_TWO_THIRDS, PROPOSER, four_of_six, ELIGIBLE)
    assert result.met and result.applied == "two-thirds"


def test_deadlock_after_policy_time_only_when_not_met() -> None:
    t0 = datetime(2026, 11, 23, tzinfo=UTC)
    assert not is_deadlocked(t0, t0 + timedelta(days=6, hours=23), 7, met=False)
    assert is_deadlocked(t0, t0 + timedelta(days=7), 7, met=False)
    assert not is_deadlocked(t0, t0 + timedelta(days=8), 7, met=True)
