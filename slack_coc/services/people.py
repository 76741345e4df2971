"""Persistent person code names: the same person in a later case keeps their code name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from slack_coc.crypto import lookup_digest, lookup_digests
from slack_coc.domain.codenames import person_code_name
from slack_coc.domain.models import Person


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
    slack_key = f"{team_id}:{slack_user_id}" if slack_user_id else None
    slack_digest = lookup_digest(slack_key) if slack_key else None
    email_digest = lookup_digest(email) if email else None
    conditions = []
    if slack_key:
        conditions.append(Person.slack_user_digest.in_(lookup_digests(slack_key)))
    if email:
        conditions.append(Person.email_digest.in_(lookup_digests(email)))
    if conditions:
        found = session.scalar(
            select(Person).where(Person.team_id == team_id, or_(*conditions)).order_by(Person.id)
        )
        if found is not None:
            while found.merged_into_id is not None:
                found = session.get_one(Person, found.merged_into_id)
            return found

    def taken(candidate: str) -> bool:
        return (
            session.scalar(
                select(Person.id).where(Person.team_id == team_id, Person.code_name == candidate)
            )
            is not None
        )

    person = Person(
        team_id=team_id,
        code_name=person_code_name(taken),
        slack_user_digest=slack_digest,
        email_digest=email_digest,
        name_digest=lookup_digest(name) if name else None,
        display_name=name,
        email=email,
        slack_user_id=slack_user_id,
        created_at=now,
    )
    session.add(person)
    session.flush()
    return person
