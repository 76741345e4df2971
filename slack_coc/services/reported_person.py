"""Mail to a reported person never reveals the reporter (docs/process.md "Messages to the
reporter", last paragraph).

A message with the "reported_person" template, or any message addressed to a reported
person of the case, is refused before it is stored if its subject or body contains the
reporter's name (or a word of it), contact, email address or Slack id; the refusal says
which, so the member can take it out.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.domain.enums import PartyRole
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.models import Case, Party

REPORTED_PERSON = "reported_person"
SHORTEST_NAME_WORD = 3  # "Al" would match too much; "Ana" is a name


def _parties(session: Session, case: Case, role: PartyRole) -> list[Party]:
    return list(
        session.scalars(select(Party).where(Party.case_id == case.id, Party.role == role.value))
    )


def reported_addresses(session: Session, case: Case) -> list[str]:
    """The reported people's email addresses: the default recipients of the template."""
    found = [
        (p.email or p.contact or "").strip() for p in _parties(session, case, PartyRole.REPORTED)
    ]
    return list(dict.fromkeys(a for a in found if "@" in a))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,.;:()\"'<>]+", text) if len(w) >= SHORTEST_NAME_WORD]


def reporter_mentions(session: Session, case: Case, text: str) -> str | None:
    """What of the reporter `text` contains, said for the member ("their name 'Rae'")."""
    lowered = text.casefold()
    for reporter in _parties(session, case, PartyRole.REPORTER):
        checks: list[tuple[str, str]] = []
        for value in (reporter.contact, reporter.email):
            if value and value.strip():
                checks.append(("contact", value.strip()))
        if reporter.slack_user_id:
            checks.append(("Slack handle", reporter.slack_user_id))
        if reporter.person is not None and reporter.person.display_name:
            checks.append(("name", reporter.person.display_name))
        if reporter.name and reporter.name.strip():
            checks.append(("name", reporter.name.strip()))
            checks += [("name", w) for w in _words(reporter.name)]
        for what, value in checks:
            if what == "name" and " " not in value:
                if re.search(rf"\b{re.escape(value.casefold())}\b", lowered):
                    return f"their {what} '{value}'"
            elif value.casefold() in lowered:
                return f"their {what} '{value}'"
    return None


def refuse_if_reporter_named(
    session: Session, case: Case, template: str, to: list[str], subject: str, body: str
) -> None:
    """Raise (field "body") when a message for a reported person would reveal the reporter."""
    reported = {a.casefold() for a in reported_addresses(session, case)}
    if template != REPORTED_PERSON and not any(a.casefold() in reported for a in to):
        return
    found = reporter_mentions(session, case, f"{subject}\n{body}")
    if found is not None:
        raise InvalidInput(
            f"This message goes to a reported person and contains the reporter's details "
            f"({found}). A reported person must not learn who reported: take them out and "
            "send again.",
            field="body",
        )
