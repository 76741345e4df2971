"""Rendering reporter templates (docs/process.md "Messages to the reporter") into subject and body.

Each template file starts with a `Subject:` line, then a blank line, then the body. The case
tag `[CoC #12]` is added to every subject here, once, so that replies find their case even
when a mail client drops the threading headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATE_DIR = Path(__file__).with_name("letter_templates")

# Template name -> label shown in the compose modal, in docs/process.md order.
TEMPLATES: dict[str, str] = {
    "acknowledgement": "Acknowledgement (decision needed)",
    "acknowledgement_local": "Acknowledgement (already handled locally, kept on file)",
    "shepherd_assigned": "Shepherd assigned",
    "proposed_resolution": "Proposed resolution (asks for feedback)",
    "final_outcome": "Final outcome",
    "update": "Update (a delay, or news)",
    "free_form": "Free-form message",
    # To a reported person, never the reporter: behaviour, impact, expected change,
    # consequences (docs/process.md "Messages to the reporter", last paragraph).
    "reported_person": "To a reported person (behaviour, impact, change, consequences)",
}
# Sent by the app itself, not offered in the modal.
SYSTEM_TEMPLATES = ("board_all_chairs", "board_escalation", "board_summary")

DEFAULTS: dict[str, Any] = {
    "reporter_name": None,
    "shepherd_name": None,
    "group_name": "Code of Conduct working group",
    "signature": "The Code of Conduct working group",
    "mailbox_address": "conduct@example.org",
    "respond_by": "the end of next week",
    "resolution_by": None,
    "proposed_resolution": None,
    "outcome": None,
    "case_number": None,
    "code_name": None,
}

_TAG = re.compile(r"\[CoC\s*#(\d+)\]", re.IGNORECASE)

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    undefined=StrictUndefined,
    autoescape=False,  # plain-text mail
    keep_trailing_newline=True,
)


class UnknownTemplate(ValueError):
    pass


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body: str


def subject_tag(case_number: int) -> str:
    return f"[CoC #{case_number}]"


def tag_subject(subject: str, case_number: int) -> str:
    """The subject with exactly one case tag, first."""
    bare = _TAG.sub("", subject).strip()
    bare = re.sub(r"\s{2,}", " ", bare)
    return f"{subject_tag(case_number)} {bare}".strip()


def find_case_tag(subject: str | None) -> int | None:
    """The case number of a `[CoC #12]` tag in a subject, if any."""
    match = _TAG.search(subject or "")
    return int(match.group(1)) if match else None


def render(template: str, case_number: int, **context: Any) -> RenderedMail:
    if template not in TEMPLATES and template not in SYSTEM_TEMPLATES:
        raise UnknownTemplate(f"unknown mail template {template!r}")
    values = {**DEFAULTS, "case_number": case_number, **context}
    text = _env.get_template(f"{template}.j2").render(**values)
    head, _, body = text.partition("\n")
    if not head.startswith("Subject:"):
        raise UnknownTemplate(f"template {template!r} must start with a Subject: line")
    return RenderedMail(
        subject=tag_subject(head.removeprefix("Subject:").strip(), case_number),
        body=body.strip() + "\n",
    )
