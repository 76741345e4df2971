"""The organisers' check: "is this attendee under a current sanction?"

An event organiser asks (through a chair, or themselves when a chair has listed them); the
answer is "yes, contact the working group" or "no record", never the case, its code name,
its outcome or its text. Every check is logged (`SanctionCheck`) on the person's records.

A current sanction is a decided outcome of suspension or ban for a reported person (through
the person's code name, following merges) whose end date has not passed (a ban has none),
and that a recorded readmission has not ended. Drills and synthetic cases never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.crypto import lookup_digest, lookup_digests
from slack_coc.domain.enums import Outcome
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case, Member, Party, Person, Workspace
from slack_coc.domain.sanction_models import (
    CheckAnswer,
    Readmission,
    ReadmissionStatus,
    SanctionCheck,
)
from slack_coc.services.access import find_member, require_chair
from slack_coc.services.intake import ensure_workspace
from slack_coc.services.outcomes import reported_outcomes

SANCTIONS = (
    Outcome.SUSPENSION_SHORT.value,
    Outcome.SUSPENSION_EXTENDED.value,
    Outcome.PERMANENT_BAN.value,
)
ANSWERS = {
    CheckAnswer.YES: "Yes, contact the working group.",
    CheckAnswer.NO_RECORD: "No record.",
}
ORGANISERS = "organisers"  # Workspace.settings key: user ids of listed event organisers


@dataclass(frozen=True)
class Subject:
    """Who is asked about: a Slack user of this workspace, or an email address."""

    slack_user_id: str | None = None
    email: str | None = None

    def key(self, team_id: str) -> str:
        return f"{team_id}:{self.slack_user_id}" if self.slack_user_id else (self.email or "")


@dataclass(frozen=True)
class CheckResult:
    answer: str

    @property
    def text(self) -> str:
        return ANSWERS[self.answer]


def find_person(session: Session, team_id: str, subject: Subject) -> Person | None:
    """The person's surviving code name, or None: never creates one."""
    if subject.slack_user_id:
        column, values = Person.slack_user_digest, lookup_digests(subject.key(team_id))
    elif subject.email:
        column, values = Person.email_digest, lookup_digests(subject.email)
    else:
        return None
    found = session.scalar(
        select(Person).where(Person.team_id == team_id, column.in_(values)).order_by(Person.id)
    )
    while found is not None and found.merged_into_id is not None:
        found = session.get(Person, found.merged_into_id)
    return found


def same_person_ids(session: Session, person: Person) -> set[int]:
    """The person and every code name merged into it (at any depth)."""
    ids = {person.id}
    frontier = {person.id}
    while frontier:
        frontier = (
            set(session.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier)))) - ids
        )
        ids |= frontier
    return ids


def under_current_sanction(
    session: Session, team_id: str, person_ids: set[int], today: date
) -> bool:
    their_cases = select(Party.case_id).where(Party.person_id.in_(person_ids))
    condition = and_(
        Case.team_id == team_id,
        Case.drill.is_(False),
        Case.synthetic.is_(False),
        Case.id.in_(their_cases),
    )
    readmitted = set(
        session.scalars(
            select(Readmission.party_id).where(
                Readmission.team_id == team_id,
                Readmission.person_id.in_(person_ids),
                Readmission.status == ReadmissionStatus.READMITTED,
            )
        )
    )
    for row in session.execute(reported_outcomes(condition, Party.person_id)):
        if row.person_id not in person_ids or row.party_id in readmitted:
            continue
        if row.outcome in SANCTIONS and (row.ends_on is None or row.ends_on >= today):
            return True
    return False


def may_check(session: Session, actor: Actor) -> Member | None:
    """A chair (returned), or an organiser a chair has listed (None). Anyone else is refused."""
    member = find_member(session, actor.team_id, actor.user_id)
    if member is not None and member.is_chair:
        return member
    workspace = session.get(Workspace, actor.team_id)
    listed = (workspace.settings or {}).get(ORGANISERS, []) if workspace else []
    if actor.user_id and actor.user_id in listed:
        return None
    raise NotPermitted(
        "Only a chair of the working group, or an event organiser a chair has listed, can "
        "check whether someone is under a current sanction."
    )


def check(
    ctx: ServiceContext, actor: Actor, subject: Subject, on_behalf_of: str | None = None
) -> CheckResult:
    """Answer yes / no record, and log the check on the person's records."""
    if not subject.slack_user_id and not (subject.email and "@" in subject.email):
        raise InvalidInput("Whom should I check? Pick a person or give an email.", "subject")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        may_check(session, actor)
        person = find_person(session, actor.team_id, subject)
        sanctioned = person is not None and under_current_sanction(
            session, actor.team_id, same_person_ids(session, person), now.date()
        )
        answer = CheckAnswer.YES if sanctioned else CheckAnswer.NO_RECORD
        session.add(
            SanctionCheck(
                team_id=actor.team_id,
                person_id=person.id if person else None,
                subject_digest=lookup_digest(subject.key(actor.team_id)),
                checked_by_user_id=actor.user_id or "",
                on_behalf_of=(on_behalf_of or "").strip()[:500] or None,
                answer=answer,
                at=now,
            )
        )
        return CheckResult(answer)


@dataclass(frozen=True)
class CheckLogEntry:
    at: datetime
    checked_by_user_id: str
    person_code_name: str | None  # None: nobody the group knows
    answer: str


def check_log(
    ctx: ServiceContext, actor: Actor, code_name: str | None = None, limit: int = 50
) -> list[CheckLogEntry]:
    """The checks made, newest first (chairs): the person's records of who asked."""
    with ctx.read() as session:
        require_chair(session, actor)
        query = (
            select(SanctionCheck, Person.code_name)
            .outerjoin(Person, Person.id == SanctionCheck.person_id)
            .where(SanctionCheck.team_id == actor.team_id)
        )
        if code_name:
            person = session.scalar(
                select(Person).where(
                    Person.team_id == actor.team_id, Person.code_name.ilike(code_name.strip())
                )
            )
            if person is None:
                raise InvalidInput(f"No person has the code name {code_name.strip()!r}.", "code")
            query = query.where(SanctionCheck.person_id.in_(same_person_ids(session, person)))
        rows = session.execute(query.order_by(SanctionCheck.id.desc()).limit(limit))
        return [CheckLogEntry(c.at, c.checked_by_user_id, name, c.answer) for c, name in rows]


def set_organiser(ctx: ServiceContext, actor: Actor, user_id: str, listed: bool) -> list[str]:
    """A chair lists (or unlists) an event organiser who may run the check themselves."""
    with ctx.transaction() as session:
        require_chair(session, actor)
        workspace = ensure_workspace(session, actor.team_id, ctx)
        settings = dict(workspace.settings or {})
        current = [u for u in settings.get(ORGANISERS, []) if u != user_id]
        if listed:
            current.append(user_id)
        settings[ORGANISERS] = current
        workspace.settings = settings
        return current


def organisers(ctx: ServiceContext, actor: Actor) -> list[str]:
    with ctx.read() as session:
        require_chair(session, actor)
        workspace = session.get(Workspace, actor.team_id)
        return list((workspace.settings or {}).get(ORGANISERS, [])) if workspace else []


__all__ = ["CheckAnswer", "CheckResult", "Subject", "check", "check_log"]
