"""Reading cases for lists, cards, App Home and the detail modal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session, joinedload

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.content_warnings import warning_labels
from slack_coc.domain.decision_models import Proposal
from slack_coc.domain.models import AccessLog, Case, CaseEvent, Member, Party, Recusal
from slack_coc.read_models.case_views import CaseView, case_views
from slack_coc.services.access import (
    require_case_access,
    require_member,
    visible_cases_query,
    visible_to,
)
from slack_coc.services.content_warnings import must_warn, warnings_of
from slack_coc.services.decisions import Standing, standing
from slack_coc.services.people import root_person
from slack_coc.services.retaliation import Links, links_for


def list_cases(
    ctx: ServiceContext, actor: Actor, *, open_only: bool = True, limit: int = 50
) -> list[CaseView]:
    with ctx.read() as session:
        member = require_member(session, actor)
        if member.conflicts_declared_at is None:
            return []
        query = visible_cases_query(chair=member.is_chair, open_only=open_only)
        cases = list(
            session.scalars(query.order_by(Case.number.desc()).limit(limit), visible_to(member))
        )
        return case_views(session, cases)


def card_view(
    ctx: ServiceContext, session: Session, case: Case, deciding: Standing | None = None
) -> CaseView:
    """The case as its card shows it, with exactly the steps the machine allows now
    (`deciding`: its proposal's standing, when the caller has read it already)."""
    deciding = deciding or standing(session, case, ctx)
    return case_views(session, [case], {case.id: deciding.facts})[0]


@dataclass(frozen=True)
class PartyDetail:
    id: int
    role: str
    person_code_name: str | None
    name: str | None
    slack_user_id: str | None
    contact: str | None


@dataclass(frozen=True)
class EventDetail:
    at: datetime
    kind: str
    actor_user_id: str | None
    from_state: str | None
    to_state: str | None
    note: str | None


@dataclass(frozen=True)
class CaseDetail:
    """Everything about a case: only for the detail modal of a member allowed to see it."""

    view: CaseView
    details: dict[str, object]
    parties: list[PartyDetail]
    timeline: list[EventDetail]
    resolution_notes: str | None
    proposal_summary: str | None = None
    proposal_id: int | None = None
    proposal_outcomes: list[tuple[int | None, str]] = field(default_factory=list)
    # Content warnings (labels). `gated`: nothing of the report was loaded; the modal shows
    # the warning and a "Show the report" button (services/content_warnings.py).
    warnings: tuple[str, ...] = ()
    gated: bool = False
    # Members recused now: (Slack user id, reason), for members who may see the case.
    recusals: list[tuple[str, str]] = field(default_factory=list)
    # Retaliation links this member may see (both cases visible to them).
    links: Links = field(default_factory=Links)


def case_detail(
    ctx: ServiceContext, actor: Actor, ref: str | int, *, via: str, reveal: bool = False
) -> CaseDetail:
    """Open a case's details; the view is recorded in the access log before they are
    returned. Behind a content warning (or for a member always warned) only the warning
    comes back until `reveal`. The details are read in a read-only unit of work and the log
    is written in a short one of its own (on SQLite a writer holds the database's one write
    lock: reading and decrypting a case under it made every Open case wait for the others)."""
    with ctx.read() as session:
        detail = _read_detail(ctx, session, actor, ref, reveal=reveal)
    with ctx.transaction() as session:
        session.add(
            AccessLog(
                team_id=detail.view.team_id,
                case_id=detail.view.id,
                user_id=actor.user_id or "",
                what=f"{via} (content warning)" if detail.gated else via,
                at=ctx.clock.now(),
            )
        )
    return detail


# Every opened case reads these: built once (building a select costs more CPU than running it).
_CASE_ID: BindParameter[int] = bindparam("case_id")
# With each party's person in the same statement (a case names several people).
_PARTIES = (
    select(Party)
    .options(joinedload(Party.person))
    .where(Party.case_id == _CASE_ID)
    .order_by(Party.id)
)
_TIMELINE = select(CaseEvent).where(CaseEvent.case_id == _CASE_ID).order_by(CaseEvent.id)
_RECUSALS_NOW = (
    select(Member.user_id, Recusal.reason)
    .join(Member, Member.id == Recusal.member_id)
    .where(Recusal.case_id == _CASE_ID, Recusal.lifted_at.is_(None))
    .order_by(Recusal.id)
)


def _read_detail(
    ctx: ServiceContext, session: Session, actor: Actor, ref: str | int, *, reveal: bool
) -> CaseDetail:
    member, case = require_case_access(session, actor, ref)
    gated = not reveal and must_warn(case, member)
    deciding = standing(session, case, ctx)
    view = card_view(ctx, session, case, deciding)
    warnings = tuple(warning_labels(warnings_of(case)))
    if gated:
        return CaseDetail(view, {}, [], [], None, warnings=warnings, gated=True)
    parties = session.scalars(_PARTIES, {"case_id": case.id})
    events = session.scalars(_TIMELINE, {"case_id": case.id})
    proposal = deciding.proposal
    return CaseDetail(
        view=view,
        details=dict(case.details or {}),
        parties=[
            PartyDetail(
                p.id,
                p.role,
                root_person(session, p.person).code_name if p.person else None,
                p.name,
                p.slack_user_id,
                p.contact,
            )
            for p in parties
        ],
        timeline=[
            EventDetail(e.at, e.kind, e.actor_user_id, e.from_state, e.to_state, e.note)
            for e in events
        ],
        resolution_notes=case.resolution_notes,
        proposal_summary=deciding.tally.explanation if deciding.tally else None,
        proposal_id=proposal.id if proposal else None,
        proposal_outcomes=[(o.party_id, o.outcome) for o in proposal.outcomes] if proposal else [],
        warnings=warnings,
        links=links_for(session, member, case),
        recusals=[
            (user_id, reason)
            for user_id, reason in session.execute(_RECUSALS_NOW, {"case_id": case.id})
        ],
    )


def latest_proposal(session: Session, case_id: int) -> Proposal | None:
    return session.scalar(
        select(Proposal).where(Proposal.case_id == case_id).order_by(Proposal.id.desc()).limit(1)
    )
