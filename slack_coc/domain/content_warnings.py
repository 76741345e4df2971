"""Content warnings: kinds of distressing content a report can be flagged as containing.

The flags are stored with the report (`Case.details["content_warnings"]`, encrypted): which
kind of harm a report describes says something about it, so they never leave the detail
modal. A member who opens a flagged report sees the warning first and the text only after
choosing "Show the report"; a member who asked to be always warned sees that step on every
report (`Member.always_warn`).
"""

from __future__ import annotations

from collections.abc import Iterable

from slack_coc.domain.errors import InvalidInput

CONTENT_WARNINGS: dict[str, str] = {
    "sexual_violence": "Sexual violence",
    "self_harm": "Self-harm",
    "violence": "Violence",
    "slurs": "Slurs",
}
FIELD = "content_warnings"


def clean_warnings(values: Iterable[str]) -> list[str]:
    """Known kinds in a stable order; an unknown one is refused, naming the field."""
    given = list(dict.fromkeys(v for v in values if v))
    unknown = [v for v in given if v not in CONTENT_WARNINGS]
    if unknown:
        raise InvalidInput(f"Unknown content warning {unknown[0]!r}.", field=FIELD)
    return [key for key in CONTENT_WARNINGS if key in given]


def warning_labels(values: Iterable[str]) -> list[str]:
    return [CONTENT_WARNINGS[v] for v in values if v in CONTENT_WARNINGS]
