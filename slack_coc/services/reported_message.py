"""Acting on a message reported with "Report this message": hide it (docs/anonymity.md).

Slack lets only the author or a workspace admin delete a message; the app can do it when the
workspace's admins gave it an admin user token (SLACK_ADMIN_USER_TOKEN). The deletion is a
timeline event naming the member and their reason, and the text as reported stays with the
case (encrypted) as evidence. Without the token the member is told what to ask the admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import require_case_access
from slack_coc.services.timeline import case_changed, record_event

MAX_REASON = 2000


@dataclass(frozen=True)
class ReportedMessage:
    number: int
    permalink: str | None
    hidden: bool


def _message(case: Case) -> dict[str, Any]:
    found = (case.details or {}).get("reported_message")
    if not isinstance(found, dict) or not (found.get("channel") and found.get("ts")):
        raise NotPermitted(
            f'Case #{case.number} was not reported with "Report this message": there is no '
            "message to hide."
        )
    return found


def reported_message(ctx: ServiceContext, actor: Actor, ref: str | int) -> ReportedMessage:
    """The case's reported message, for a member who may see the case."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        found = _message(case)
        return ReportedMessage(case.number, found.get("permalink"), bool(found.get("hidden_at")))


def hide_message(
    ctx: ServiceContext, actor: Actor, ref: str | int, reason: str, *, can_delete: bool
) -> int:
    """Delete the reported message (through the outbox, with the admin user token), record who
    and why, and keep the text as evidence. Returns the case number."""
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("Please say why the message is hidden.", field="reason")
    if len(why) > MAX_REASON:
        raise InvalidInput(f"Please keep the reason under {MAX_REASON} characters.", "reason")
    if not can_delete:
        raise NotPermitted(
            "This workspace has given the app no admin token to delete messages: ask the "
            "workspace's admins to delete it (the button explains how)."
        )
    now = ctx.clock.now()
    with ctx.transaction() as session:
        _member, case = require_case_access(session, actor, ref, for_update=True)
        found = dict(_message(case))
        if found.get("hidden_at"):
            raise NotPermitted(f"The message of case #{case.number} is already hidden.")
        evidence = found.get("text") or "(its text was not available when it was reported)"
        event = record_event(
            session,
            case,
            "message_hidden",
            now,
            actor_user_id=actor.user_id,
            note=f"Why: {why}\nThe message as reported: {evidence}",
            data={},
        )
        found["hidden_at"] = now.isoformat()
        found["hidden_by"] = actor.user_id
        case.details = {**(case.details or {}), "reported_message": found}
        enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.DELETE_MESSAGE,
            now=now,
            case_id=case.id,
            payload={"channel": found["channel"], "ts": found["ts"]},
            dedupe_key=f"hide:{event.id}",
        )
        case_changed(session, case, now)
        return case.number
