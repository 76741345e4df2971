"""Content warnings on a case, and a member's "always warn me" preference."""

from __future__ import annotations

from collections.abc import Iterable

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.content_warnings import FIELD, clean_warnings, warning_labels
from slack_coc.domain.models import Case, Member
from slack_coc.services.access import require_case_access, require_member
from slack_coc.services.timeline import record_event


def warnings_of(case: Case) -> list[str]:
    value = (case.details or {}).get(FIELD) or []
    return [str(v) for v in value] if isinstance(value, list) else []


def must_warn(case: Case, member: Member) -> bool:
    """Does this member see a warning before the report's text?"""
    return bool(warnings_of(case)) or member.always_warn


def current_warnings(ctx: ServiceContext, actor: Actor, ref: str | int) -> tuple[int, list[str]]:
    """(case number, the warnings set now), for a member who may see the case."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        return case.number, warnings_of(case)


def set_warnings(ctx: ServiceContext, actor: Actor, ref: str | int, values: Iterable[str]) -> int:
    """A member flags (or unflags) a report's distressing content. The kinds stay in the
    encrypted details and the encrypted timeline note; the thread only says it changed."""
    chosen = clean_warnings(values)
    now = ctx.clock.now()
    with ctx.transaction() as session:
        _member, case = require_case_access(session, actor, ref, for_update=True)
        if chosen == warnings_of(case):
            return case.number
        details = dict(case.details or {})
        if chosen:
            details[FIELD] = chosen
        else:
            details.pop(FIELD, None)
        case.details = details  # a new dict: the encrypted column sees the change
        case.updated_at = now
        record_event(
            session,
            case,
            "content_warning_set" if chosen else "content_warning_removed",
            now,
            actor_user_id=actor.user_id,
            note=", ".join(warning_labels(chosen)) or None,
        )
        return case.number


def set_always_warn(ctx: ServiceContext, actor: Actor, on: bool) -> bool:
    """App Home preference: open every report behind a warning."""
    with ctx.transaction() as session:
        member = require_member(session, actor)
        member.always_warn = on
        return on
