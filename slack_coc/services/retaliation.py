"""Retaliation is a linked case (docs/process.md "Confidentiality": retaliation against a
reporter is itself a violation, a new report linked to the first).

A case is marked, when logged or later, as retaliation against the reporter of an earlier
case. The link is shown only to a member who may see both cases (a member recused from
either sees nothing of it), is on both timelines (its number in the encrypted note only),
and the records export notes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.domain.models import Case, Member
from slack_coc.services.access import NOT_VISIBLE, load_case, may_see, require_case_access
from slack_coc.services.timeline import case_changed, record_event


@dataclass(frozen=True)
class Links:
    """What one member may see of a case's retaliation links."""

    retaliation_of: int | None = None  # this case is retaliation against #N's reporter
    retaliated_by: tuple[int, ...] = ()  # later cases that are retaliation against ours


def link(
    session: Session, member: Member, case: Case, earlier_ref: str | int, now: datetime
) -> int:
    """Inside a transaction: mark `case` as retaliation against the reporter of the earlier
    case, which the member must be able to see. Returns the earlier case's number."""
    try:
        earlier = load_case(session, case.team_id, earlier_ref)
    except NotFound:
        raise InvalidInput(NOT_VISIBLE, field="retaliation_of") from None
    if not may_see(session, member, earlier):
        raise InvalidInput(NOT_VISIBLE, field="retaliation_of")
    if earlier.id == case.id:
        raise InvalidInput("A case can't be retaliation against itself.", "retaliation_of")
    if (earlier.received_at, earlier.number) > (case.received_at, case.number):
        raise InvalidInput(
            f"#{earlier.number} came after #{case.number}: the retaliation is the later case.",
            field="retaliation_of",
        )
    case.retaliation_of_id = earlier.id
    for on, other in ((case, earlier), (earlier, case)):
        record_event(
            session,
            on,
            "retaliation_linked",
            now,
            actor_user_id=member.user_id,
            note=(
                f"Retaliation against the reporter of #{other.number}."
                if on is case
                else f"#{other.number} is retaliation against this case's reporter."
            ),
        )
    return earlier.number


def mark_retaliation(
    ctx: ServiceContext, actor: Actor, ref: str | int, earlier_ref: str | int
) -> int:
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        number = link(session, member, case, earlier_ref, now)
        case_changed(session, case, now)
        return number


# Every opened case reads it: built once (building a select costs more CPU than running it).
_LATER_CASES = (
    select(Case).where(Case.retaliation_of_id == bindparam("case_id")).order_by(Case.number)
)


def links_for(session: Session, member: Member, case: Case) -> Links:
    earlier = session.get(Case, case.retaliation_of_id) if case.retaliation_of_id else None
    later = session.scalars(_LATER_CASES, {"case_id": case.id})
    return Links(
        earlier.number if earlier is not None and may_see(session, member, earlier) else None,
        tuple(c.number for c in later if may_see(session, member, c)),
    )
