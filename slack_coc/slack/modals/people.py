"""The People modal: who is on a case, and one form to add a person, set their role,
identify them (a Slack user, an email address or a name only), correct or remove them.

Only members who may see the case get it (`services.people.people_of` checks), like the
detail modal; names are shown as plain text so nothing in them can format or mention."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    PlainTextObject,
    SectionBlock,
    UserSelectElement,
)

from slack_coc.domain.enums import PartyRole
from slack_coc.services.people import CasePeople, PersonLine
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import (
    checkbox,
    email_input,
    modal,
    note,
    select,
    small,
    text_input,
)

NEW_PERSON = "new"
ROLE_CHOICES = [(r.value, r.label) for r in PartyRole]


def person_label(line: PersonLine) -> str:
    """How the modal names a person: role, then code name, name, email or Slack mention."""
    who = line.code_name or ""
    identity = line.name or line.email or (f"@{line.slack_user_id}" if line.slack_user_id else "")
    if identity:
        who = f"{who} ({identity})" if who else identity
    return f"{PartyRole(line.role).label}: {who or 'not identified'}"


def people_modal(people: CasePeople, done: str | None = None) -> dict[str, Any]:
    blocks: list[Block] = []
    if done:
        blocks.append(note(f":white_check_mark: {done}", "people_done"))
    blocks.append(note(f"*Case #{people.number}* · {people.code_name}", "people_case"))
    listing = "\n".join(person_label(line) for line in people.people) or "Nobody yet."
    blocks.append(
        SectionBlock(block_id="people_list", text=PlainTextObject(text=listing[:2900], emoji=False))
    )
    if not any(line.role == PartyRole.REPORTED.value for line in people.people):
        blocks.append(
            small("Nobody is identified as reported yet: add them here (a name is enough).")
        )
    if not people.editable:
        blocks.append(
            small("This case is resolved: its people change again only under reconsideration.")
        )
        return modal(
            callback_id=Callback.PEOPLE,
            title=f"People · case #{people.number}"[:24],
            blocks=blocks,
            submit=None,
            metadata={"case": people.number},
        )
    choices = [(NEW_PERSON, "A new person")] + [
        (str(line.party_id), person_label(line)[:75]) for line in people.people
    ]
    blocks += [
        select("person", "Person", choices[:100], initial=NEW_PERSON),
        select("role", "Role", ROLE_CHOICES, optional=True, hint="Required for a new person."),
        InputBlock(
            block_id="user",
            label="Identify: Slack user",
            optional=True,
            element=UserSelectElement(action_id="user", placeholder="Choose a person"),
        ),
        email_input("email", "Identify: email address"),
        text_input("name", "Identify: name", optional=True, max_length=200),
        checkbox("remove", "Remove", "Remove this person from the case"),
        small(
            "Every change is on the case's timeline, by code name. Identifying a member of "
            "the group recuses them from this case at once."
        ),
    ]
    return modal(
        callback_id=Callback.PEOPLE,
        title=f"People · case #{people.number}"[:24],
        blocks=blocks,
        submit="Save",
        close="Close",
        metadata={"case": people.number},
    )
