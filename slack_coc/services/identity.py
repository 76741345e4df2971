"""The identity key (chairs only), merging person code names, and the access log.

The identity key maps each person code name to the real identity behind it, with how many
reports name them and the highest consequence so far. Opening it is logged like opening a
case. Merging two code names that turn out to be the same person is a member's confirmed
decision: recorded on the timeline of every case involved, never done automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.decision_models import Proposal, ProposalStatus, ProposedOutcome
from slack_coc.domain.enums import Outcome, PartyRole
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import AccessLog, Case, Member, Party, Person, Recusal
from slack_coc.services.access import require_case_access, require_chair, require_member
from slack_coc.services.timeline import record_event


@dataclass(frozen=True)
class IdentityEntry:
    code_name: str
    names: tuple[str, ...]
    emails: tuple[str, ...]
    slack_user_ids: tuple[str, ...]
    report_count: int
    highest_consequence: str | None
    merged_code_names: tuple[str, ...]


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    user_id: str
    what: str


@dataclass(frozen=True)
class MergeResult:
    kept: str
    merged: str
    cases: tuple[int, ...]


def identity_key(ctx: ServiceContext, actor: Actor) -> list[IdentityEntry]:
    """Chairs only; the opening is recorded in the access log."""
    with ctx.transaction() as session:
        chair = require_chair(session, actor)
        require_declared(chair)
        session.add(
            AccessLog(
                team_id=actor.team_id,
                case_id=None,
                user_id=actor.user_id or "",
                what="identity key",
                at=ctx.clock.now(),
            )
        )
        return _identity_key(session, actor.team_id, chair.id)


def require_declared(member: Member) -> None:
    """A member who has not yet declared conflicts on open cases sees no case data."""
    if member.conflicts_declared_at is None:
        raise NotPermitted(
            "Please declare your conflicts on the open cases first (App Home), then try again."
        )


def _identity_key(session: Session, team_id: str, chair_id: int) -> list[IdentityEntry]:
    """Leaves out everyone named in a case the chair is recused from."""
    recused_cases = select(Recusal.case_id).where(
        Recusal.member_id == chair_id, Recusal.lifted_at.is_(None)
    )
    hidden = set(
        session.scalars(
            select(func.coalesce(Person.merged_into_id, Person.id))
            .join(Party, Party.person_id == Person.id)
            .where(Party.case_id.in_(recused_cases))
        )
    )
    people = [
        p
        for p in session.scalars(
            select(Person).where(Person.team_id == team_id).order_by(Person.code_name)
        )
        if (p.merged_into_id or p.id) not in hidden
    ]
    groups: dict[int, list[Person]] = {}
    for person in people:
        groups.setdefault(person.merged_into_id or person.id, []).append(person)
    counts, highest = _report_counts(session, team_id)
    entries = []
    for root_id, members in groups.items():
        root = next((p for p in members if p.id == root_id), None)
        if root is None:
            continue
        entries.append(
            IdentityEntry(
                code_name=root.code_name,
                names=_distinct(p.display_name for p in members),
                emails=_distinct(p.email for p in members),
                slack_user_ids=_distinct(p.slack_user_id for p in members),
                report_count=counts.get(root_id, 0),
                highest_consequence=highest.get(root_id),
                merged_code_names=tuple(sorted(p.code_name for p in members if p.id != root_id)),
            )
        )
    return sorted(entries, key=lambda e: e.code_name)


def _distinct(values: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))  # type: ignore[attr-defined]


def _report_counts(session: Session, team_id: str) -> tuple[dict[int, int], dict[int, str]]:
    person_key = func.coalesce(Person.merged_into_id, Person.id)
    counts = {
        int(k): int(n)
        for k, n in session.execute(
            select(person_key, func.count(func.distinct(Party.case_id)))
            .join(Person, Person.id == Party.person_id)
            .join(Case, Case.id == Party.case_id)
            .where(
                Party.team_id == team_id,
                Party.role == PartyRole.REPORTED.value,
                Case.synthetic.is_(False),
            )
            .group_by(person_key)
        )
    }
    highest: dict[int, str] = {}
    rows = session.execute(
        select(person_key, ProposedOutcome.outcome)
        .join(Party, Party.id == ProposedOutcome.party_id)
        .join(Person, Person.id == Party.person_id)
        .join(Proposal, Proposal.id == ProposedOutcome.proposal_id)
        .join(Case, Case.id == Proposal.case_id)
        .where(
            Party.team_id == team_id,
            Proposal.status.in_((ProposalStatus.ADOPTED, ProposalStatus.ESCALATED)),
            Case.decided_at.is_not(None),
            Case.synthetic.is_(False),
        )
    )
    for key, outcome in rows:
        current = highest.get(int(key))
        if current is None or Outcome(outcome).severity > Outcome(current).severity:
            highest[int(key)] = outcome
    return counts, {k: Outcome(v).label for k, v in highest.items()}


def _person_by_code(session: Session, team_id: str, code_name: str) -> Person:
    person = session.scalar(
        select(Person).where(
            Person.team_id == team_id, func.lower(Person.code_name) == code_name.strip().lower()
        )
    )
    if person is None:
        raise NotFound(f"No person code name {code_name.strip()!r}.")
    while person.merged_into_id is not None:
        person = session.get_one(Person, person.merged_into_id)
    return person


def merge_people(
    ctx: ServiceContext, actor: Actor, keep: str, merge: str, *, confirmed: bool
) -> MergeResult:
    """A member confirms that two code names are the same person (same name or email): the
    second is merged into the first. Recorded on every case of either."""
    if not confirmed:
        raise InvalidInput(
            "Merge only when you have confirmed it is the same person (same name or email).",
            field="confirmed",
        )
    now = ctx.clock.now()
    with ctx.transaction() as session:
        member = require_member(session, actor)
        require_declared(member)
        kept = _person_by_code(session, actor.team_id, keep)
        merged = _person_by_code(session, actor.team_id, merge)
        if kept.id == merged.id:
            raise InvalidInput("Those code names are already the same person.", field="merge")
        _require_sees_every_case(session, member, (kept.id, merged.id))
        for person in session.scalars(select(Person).where(Person.merged_into_id == merged.id)):
            person.merged_into_id = kept.id
        merged.merged_into_id = kept.id
        session.flush()
        survivor = aliased(Person)
        case_ids = sorted(
            set(
                session.scalars(
                    select(Party.case_id)
                    .join(Person, Person.id == Party.person_id)
                    .outerjoin(survivor, survivor.id == Person.merged_into_id)
                    .where(or_(Person.id == kept.id, survivor.id == kept.id))
                )
            )
        )
        numbers = []
        for case_id in case_ids:
            case = session.get_one(Case, case_id)
            numbers.append(case.number)
            record_event(
                session,
                case,
                "people_merged",
                now,
                actor_user_id=actor.user_id,
                data={"kept": kept.code_name, "merged": merged.code_name},
                to_thread=False,
            )
        return MergeResult(kept.code_name, merged.code_name, tuple(numbers))


def _require_sees_every_case(session: Session, member: Member, roots: tuple[int, ...]) -> None:
    """Merging joins two people's histories: only a member who may see every case either
    appears in (a chair included: a chair recused from one is refused too). The refusal
    does not say which case."""
    survivor = aliased(Person)
    case_ids = set(
        session.scalars(
            select(Party.case_id)
            .join(Person, Person.id == Party.person_id)
            .outerjoin(survivor, survivor.id == Person.merged_into_id)
            .where(or_(Person.id.in_(roots), survivor.id.in_(roots)))
        )
    )
    if not case_ids:
        return
    recused = session.scalar(
        select(Recusal.id)
        .where(
            Recusal.member_id == member.id,
            Recusal.case_id.in_(case_ids),
            Recusal.lifted_at.is_(None),
        )
        .limit(1)
    )
    if recused is not None:
        raise NotPermitted(
            "You can't merge these code names: you may not see every case they appear in. "
            "Ask a member who may see all of them."
        )


def merge_suggestions(ctx: ServiceContext, actor: Actor) -> list[tuple[str, str]]:
    """Pairs of code names recorded under the same name, for a member to confirm or not."""
    with ctx.read() as session:
        require_member(session, actor)
        other = aliased(Person)
        rows = session.execute(
            select(Person.code_name, other.code_name)
            .join(
                other,
                and_(
                    other.team_id == Person.team_id,
                    other.name_digest == Person.name_digest,
                    other.id > Person.id,
                ),
            )
            .where(
                Person.team_id == actor.team_id,
                Person.name_digest.is_not(None),
                Person.merged_into_id.is_(None),
                other.merged_into_id.is_(None),
            )
            .order_by(Person.code_name)
        )
        return [(a, b) for a, b in rows]


def access_log(ctx: ServiceContext, actor: Actor, ref: str | int) -> list[AccessEntry]:
    """Who opened a case's details, and when (chairs only), including workspace-wide
    records exports made while the case existed."""
    with ctx.read() as session:
        member, case = require_case_access(session, actor, ref)
        if not member.is_chair:
            raise NotPermitted("Only a chair of the working group can see who opened a case.")
        rows = session.execute(
            select(AccessLog.at, AccessLog.user_id, AccessLog.what)
            .where(
                AccessLog.team_id == actor.team_id,
                or_(
                    AccessLog.case_id == case.id,
                    and_(
                        AccessLog.case_id.is_(None),
                        AccessLog.what == "records export",
                        AccessLog.at >= case.received_at,
                    ),
                ),
            )
            .order_by(AccessLog.at, AccessLog.id)
        )
        return [AccessEntry(at, user, what) for at, user, what in rows]
