"""Decision rules: when does a proposal become the group's decision?

Pure functions over member ids; the service loads votes and eligibility and passes them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from slack_coc.domain.enums import DecisionRule, VoteValue


@dataclass(frozen=True)
class RuleResult:
    met: bool
    rule: DecisionRule
    explanation: str
    # "consensus" or "two-thirds" for the combined rule; the rule's name otherwise.
    applied: str
    agreeing: frozenset[int]


def effective_rule(policy_rule: str, severe: bool) -> DecisionRule:
    """A severe or legal case raises "two members" to "majority"; it never lowers a rule."""
    rule = DecisionRule(policy_rule)
    if severe and rule is DecisionRule.TWO_MEMBERS:
        return DecisionRule.MAJORITY
    return rule


def evaluate(
    rule: DecisionRule,
    proposer_id: int,
    votes: dict[int, VoteValue],
    eligible: frozenset[int] | set[int],
) -> RuleResult:
    """Is the rule met? `votes` maps member id -> latest vote; `eligible` is the set of
    active, non-recused members (the proposer included). Votes from anyone outside
    `eligible` are ignored, so a recused member can never tip a decision."""
    eligible = frozenset(eligible)
    counted = {m: v for m, v in votes.items() if m in eligible}
    agree = frozenset(m for m, v in counted.items() if v is VoteValue.AGREE)
    objections = frozenset(m for m, v in counted.items() if v is VoteValue.OBJECT)

    if rule is DecisionRule.TWO_MEMBERS:
        others = agree - {proposer_id}
        met = len(others) >= 2
        text = f"{len(others)} of 2 members (besides the proposer) agree"
        return RuleResult(met, rule, text, "two members agree", others)

    # The proposer supports their own proposal under the counting rules.
    supporters = agree | ({proposer_id} if proposer_id in eligible else frozenset())
    supporters = supporters - objections
    total = len(eligible)
    if rule is DecisionRule.MAJORITY:
        met = total > 0 and Fraction(len(supporters), total) > Fraction(1, 2)
        text = f"{len(supporters)} of {total} non-conflicted members agree (majority needed)"
        return RuleResult(met, rule, text, "majority", supporters)

    if not objections:
        waiting = eligible - set(counted) - {proposer_id}
        if not waiting:
            return RuleResult(True, rule, "consensus: nobody objects", "consensus", supporters)
        text = f"waiting for {len(waiting)} member(s) to vote for consensus"
        return RuleResult(False, rule, text, "consensus", supporters)
    # Consensus has failed on an objection: two-thirds of non-conflicted members decides.
    met = total > 0 and Fraction(len(supporters), total) >= Fraction(2, 3)
    text = (
        f"no consensus ({len(objections)} objecting); {len(supporters)} of {total} "
        "agree (two-thirds needed)"
    )
    return RuleResult(met, rule, text, "two-thirds", supporters)


def is_deadlocked(proposed_at: datetime, now: datetime, deadlock_days: float, met: bool) -> bool:
    """No decision within the policy time after a proposal: the board may be asked."""
    return not met and now - proposed_at >= timedelta(days=deadlock_days)
