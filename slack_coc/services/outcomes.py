"""SQL building blocks shared by the records export, the statistics and retention.

A reported person's outcome is the one in the case's latest decisive proposal: adopted by
the group, or escalated and then decided by the board (the board decides on that proposal).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

from slack_coc.domain.decision_models import Proposal, ProposalStatus, ProposedOutcome
from slack_coc.domain.enums import Outcome, PartyRole
from slack_coc.domain.models import Case, Party, Person

DECISIVE = (ProposalStatus.ADOPTED, ProposalStatus.ESCALATED)

# The published columns of docs/process.md "Transparency", with the outcomes each one counts.
OUTCOME_COLUMNS: dict[str, tuple[Outcome, ...]] = {
    "Not a violation": (Outcome.NOT_A_VIOLATION,),
    "Out of scope": (Outcome.OUT_OF_SCOPE,),
    "Warned": (Outcome.WARNING,),
    "Suspended": (Outcome.SUSPENSION_SHORT, Outcome.SUSPENSION_EXTENDED),
    "Banned": (Outcome.PERMANENT_BAN,),
    "Other": (Outcome.FACILITATED_COMMUNICATION, Outcome.REFERRAL, Outcome.OTHER),
    "No Action": (Outcome.NO_ACTION, Outcome.NO_IDENTIFIABLE_PERSON),
}


def latest_decisive_proposal(case_filter: ColumnElement[bool]) -> Any:
    """Subquery (case_id, proposal_id) of the latest decisive proposal of each decided case
    that matches `case_filter` (grouping only those cases' proposals)."""
    return (
        select(Proposal.case_id, func.max(Proposal.id).label("proposal_id"))
        .join(Case, Case.id == Proposal.case_id)
        .where(case_filter, Case.decided_at.is_not(None), Proposal.status.in_(DECISIVE))
        .group_by(Proposal.case_id)
        .subquery("decisive")
    )


def reported_outcomes(case_filter: ColumnElement[bool], *extra: Any) -> Select[Any]:
    """One row per reported party of the matching cases, with its decided outcome (or None)
    and its person's code name (following a merge to the surviving code name); `extra`
    columns (of Case or Party) are added to each row."""
    decisive = latest_decisive_proposal(case_filter)
    survivor = aliased(Person)
    return (
        select(
            Case.id.label("case_id"),
            Party.id.label("party_id"),
            func.coalesce(survivor.code_name, Person.code_name).label("person_code_name"),
            ProposedOutcome.outcome.label("outcome"),
            ProposedOutcome.ends_on.label("ends_on"),
            *extra,
        )
        .select_from(Party)
        .join(Case, Case.id == Party.case_id)
        .outerjoin(Person, Person.id == Party.person_id)
        .outerjoin(survivor, survivor.id == Person.merged_into_id)
        .outerjoin(decisive, decisive.c.case_id == Case.id)
        .outerjoin(
            ProposedOutcome,
            and_(
                ProposedOutcome.proposal_id == decisive.c.proposal_id,
                ProposedOutcome.party_id == Party.id,
            ),
        )
        .where(Party.role == PartyRole.REPORTED.value, case_filter)
    )


# Which cases a report reads: real ones (False), all (True: benchmarks), or the synthetic
# ones alone ("only": the demo data shown apart from the records and statistics).
Synthetic = bool | Literal["only"]


def counted(include_synthetic: Synthetic) -> ColumnElement[bool]:
    """Synthetic cases never count, except in a benchmark that asks for them, or shown apart
    as demo data; drills (practice cases) never count at all."""
    real = Case.drill.is_(False)
    if include_synthetic == "only":
        return and_(real, Case.synthetic.is_(True))
    return real if include_synthetic else and_(real, Case.synthetic.is_(False))
