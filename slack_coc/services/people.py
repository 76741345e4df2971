"""People on a case: persistent person code names, and adding, identifying, correcting or
removing a person at any time until the case is resolved (again under reconsideration).

Every change is a timeline event naming code names only (its note, encrypted, says what
changed for the detail modal). Identifying a party as a member recuses them at once
(`concerned.recuse_parties`). The same real person keeps one person code name across cases:
matched on their Slack id or email address by keyed digest; a bare name never merges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.crypto import lookup_digest, lookup_digests
from slack_coc.domain.codenames import person_code_name
from slack_coc.domain.decision_models import ProposedOutcome
from slack_coc.domain.enums import CaseState, PartyRole
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, Party, Person, Workspace
from slack_coc.services.access import require_case_access
from slack_coc.services.concerned import party_digests, recuse_parties, slack_key
from slack_coc.services.timeline import case_changed, record_event


def find_or_create_person(
    session: Session,
    team_id: str,
    now: datetime,
    *,
    slack_user_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
) -> Person:
    """Match by Slack id or email (exact identities); a bare name is only a suggestion for a
    member to confirm, so it never merges people by itself."""
    key = slack_key(team_id, slack_user_id) if slack_user_id else None
    conditions = []
    if key:
        conditions.append(Person.slack_user_digest.in_(lookup_digests(key)))
    if email:
        conditions.append(Person.email_digest.in_(lookup_digests(email)))
    if conditions:
        found = session.scalar(
            select(Person).where(Person.team_id == team_id, or_(*conditions)).order_by(Person.id)
        )
        if found is not None:
            found = root_person(session, found)
            _complete(found, slack_user_id=slack_user_id, email=email, name=name)
            return found

    def taken(names: list[str]) -> set[str]:
        used = select(Person.code_name).where(
            Person.team_id == team_id, Person.code_name.in_(names)
        )
        return set(session.scalars(used))

    person = Person(
        team_id=team_id,
        code_name=person_code_name(taken),
        slack_user_digest=lookup_digest(key) if key else None,
        email_digest=lookup_digest(email) if email else None,
        name_digest=lookup_digest(name) if name else None,
        display_name=name,
        email=email,
        slack_user_id=slack_user_id,
        created_at=now,
    )
    session.add(person)
    session.flush()
    return person


def root_person(session: Session, person: Person) -> Person:
    while person.merged_into_id is not None:
        person = session.get_one(Person, person.merged_into_id)
    return person


def _complete(
    person: Person, *, slack_user_id: str | None, email: str | None, name: str | None
) -> None:
    """A person found by one identity learns the others given with it."""
    if slack_user_id and person.slack_user_id is None:
        person.slack_user_id = slack_user_id
        person.slack_user_digest = lookup_digest(slack_key(person.team_id, slack_user_id))
    if email and person.email is None:
        person.email, person.email_digest = email, lookup_digest(email)
    if name and person.display_name is None:
        person.display_name, person.name_digest = name, lookup_digest(name)


def add_party(
    session: Session,
    case: Case,
    role: PartyRole,
    now: datetime,
    *,
    slack_user_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
    contact: str | None = None,
) -> Party:
    """A party with its digests (for recusal) and, except for the reporter, a person code
    name (the reporter stays out of the identity key)."""
    party = Party(team_id=case.team_id, case_id=case.id, role=role.value, contact=contact)
    _identify(session, case, party, now, slack_user_id=slack_user_id, email=email, name=name)
    session.add(party)
    return party


def _identify(
    session: Session,
    case: Case,
    party: Party,
    now: datetime,
    *,
    slack_user_id: str | None,
    email: str | None,
    name: str | None,
) -> None:
    party.slack_user_id, party.email, party.name = slack_user_id, email, name
    party.slack_user_digest, party.email_digest = party_digests(case.team_id, slack_user_id, email)
    if party.role == PartyRole.REPORTER.value or not (slack_user_id or email or name):
        party.person_id = None
        return
    current = session.get(Person, party.person_id) if party.person_id else None
    if (
        current is not None
        and current.slack_user_id is None
        and current.email is None
        and _known(session, case.team_id, slack_user_id, email) is None
    ):
        # A person known by name only is now identified: they keep their code name.
        _complete(current, slack_user_id=slack_user_id, email=email, name=name)
        return
    person = find_or_create_person(
        session,
        case.team_id,
        now,
        slack_user_id=slack_user_id,
        email=email,
        name=name if not (slack_user_id or email) else None,
    )
    party.person_id = person.id


def _known(
    session: Session, team_id: str, slack_user_id: str | None, email: str | None
) -> int | None:
    conditions = []
    if slack_user_id:
        conditions.append(
            Person.slack_user_digest.in_(lookup_digests(slack_key(team_id, slack_user_id)))
        )
    if email:
        conditions.append(Person.email_digest.in_(lookup_digests(email)))
    if not conditions:
        return None
    return session.scalar(
        select(Person.id).where(Person.team_id == team_id, or_(*conditions)).limit(1)
    )


# ---------------------------------------------------------------------- on a case, from Slack


@dataclass(frozen=True)
class PersonChange:
    """One change from the People modal: `party_id` None adds a person."""

    party_id: int | None
    role: str | None = None
    slack_user_id: str | None = None
    email: str | None = None
    name: str | None = None
    remove: bool = False


@dataclass(frozen=True)
class PersonLine:
    party_id: int
    role: str
    code_name: str | None
    name: str | None
    slack_user_id: str | None
    email: str | None


@dataclass(frozen=True)
class CasePeople:
    number: int
    code_name: str
    people: list[PersonLine]
    editable: bool


def _editable(case: Case) -> bool:
    return case.state != CaseState.RESOLVED.value


def people_of(ctx: ServiceContext, actor: Actor, ref: str | int) -> CasePeople:
    """The people on a case, for a member who may see it (the modal's content)."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        return _case_people(session, case)


def _case_people(session: Session, case: Case) -> CasePeople:
    parties = session.scalars(select(Party).where(Party.case_id == case.id).order_by(Party.id))
    lines = [
        PersonLine(
            p.id,
            p.role,
            root_person(session, p.person).code_name if p.person else None,
            p.name,
            p.slack_user_id,
            p.email,
        )
        for p in parties
    ]
    return CasePeople(case.number, case.code_name, lines, _editable(case))


def _role(value: str | None) -> PartyRole:
    try:
        return PartyRole(value or "")
    except ValueError:
        raise InvalidInput(
            "Choose a role: reporter, reported, witness or other affected.", field="role"
        ) from None


def _check_email(email: str | None) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    local, _, domain = text.rpartition("@")
    if not local or "." not in domain or " " in text:
        raise InvalidInput(
            "That email address doesn't look right (expected name@example.org).", field="email"
        )
    return text


def change_person(ctx: ServiceContext, actor: Actor, ref: str | int, change: PersonChange) -> str:
    """Add, re-role, identify, correct or remove one person on a case. Returns what was
    done, in code names. Identifying a member recuses them at once."""
    now = ctx.clock.now()
    email = _check_email(change.email)
    name = (change.name or "").strip() or None
    if name and len(name) > 200:
        raise InvalidInput("Please keep the name under 200 characters.", field="name")
    with ctx.transaction() as session:
        # The workspace row first (as intake and adding a member take it): a member added
        # at the same moment as a person is identified is matched by one or the other.
        session.get(Workspace, actor.team_id, with_for_update=True)
        _member, case = require_case_access(session, actor, ref, for_update=True)
        if not _editable(case):
            raise NotPermitted(
                f"Case #{case.number} is resolved: its people can change again only under "
                "reconsideration."
            )
        if change.party_id is None:
            if change.remove:
                raise InvalidInput("Choose the person to remove.", field="person")
            role = _role(change.role)
            if not (change.slack_user_id or email or name):
                raise InvalidInput(
                    "Identify the person: pick them in Slack, or give an email or a name.",
                    field="user",
                )
            party = add_party(
                session, case, role, now, slack_user_id=change.slack_user_id, email=email, name=name
            )
            session.flush()
            done, kind = f"added as {role.label.lower()}", "person_added"
        else:
            found = session.scalar(
                select(Party).where(Party.id == change.party_id, Party.case_id == case.id)
            )
            if found is None:
                raise NotFound("That person is no longer on this case.")
            party = found
            if change.remove:
                label = _label(session, party)
                if _has_outcome(session, party.id):
                    raise NotPermitted(
                        f"{label} has an outcome in a proposal of this case: they stay on its "
                        "record. Correct their role or identity instead."
                    )
                session.delete(party)
                session.flush()
                record_event(
                    session,
                    case,
                    "person_removed",
                    now,
                    actor_user_id=actor.user_id,
                    note=f"{label}: removed",
                    data={"person": label},
                )
                case_changed(session, case, now)
                return f"{label} removed from case #{case.number}."
            done, kind = _correct(session, case, party, change, email, name, now)
        label = _label(session, party)
        record_event(
            session,
            case,
            kind,
            now,
            actor_user_id=actor.user_id,
            note=f"{label}: {done}",
            data={"person": label, "role": party.role},
        )
        case_changed(session, case, now)
        recuse_parties(session, case, now, board_address=ctx.board_address)
        return f"{label} {done} on case #{case.number}."


def _correct(
    session: Session,
    case: Case,
    party: Party,
    change: PersonChange,
    email: str | None,
    name: str | None,
    now: datetime,
) -> tuple[str, str]:
    changes = []
    if change.role and change.role != party.role:
        party.role = _role(change.role).value
        changes.append(f"role now {PartyRole(party.role).label.lower()}")
    identity = (
        change.slack_user_id or party.slack_user_id,
        email or party.email,
        name or party.name,
    )
    asked = (change.slack_user_id, email, name) != (None, None, None) or bool(changes)
    if asked and (
        identity != (party.slack_user_id, party.email, party.name)
        or (party.person_id is None and party.role != PartyRole.REPORTER.value)
    ):
        _identify(
            session,
            case,
            party,
            now,
            slack_user_id=identity[0],
            email=identity[1],
            name=identity[2],
        )
        changes.append("identified")
    if not changes:
        raise InvalidInput("Nothing to change: pick a role, a Slack user, an email or a name.")
    session.flush()
    return ", ".join(changes), "person_changed"


def _label(session: Session, party: Party) -> str:
    """A person as the timeline names them: their code name, or their role."""
    if party.person_id is not None:
        person = root_person(session, session.get_one(Person, party.person_id))
        return person.code_name
    return f"the {PartyRole(party.role).label.lower()}"


def _has_outcome(session: Session, party_id: int) -> bool:
    found = session.scalar(
        select(ProposedOutcome.id).where(ProposedOutcome.party_id == party_id).limit(1)
    )
    return found is not None
