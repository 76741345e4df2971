"""The relay to an anonymous reporter (docs/anonymity.md).

The group talks to a reporter it does not know: a member writes on the case, the app sends it
by DM from the app to the reporter (whose Slack id only `RelayContact` holds, encrypted), with a
button to answer; the answer lands on the case's timeline attributed to "the reporter". The
group's messages to the reporter (acknowledgement, shepherd assigned, proposed resolution,
final outcome) take the same way when the reporter is anonymous (`relay_mail`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.mail_models import MailMessage
from slack_coc.domain.models import Case, CaseEvent
from slack_coc.domain.relay_models import RelayContact
from slack_coc.logging_setup import register_confidential
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import require_case_access
from slack_coc.services.timeline import case_changed, record_event

MAX_RELAY = 3000  # one Slack section
RELAY_TEMPLATE = "relay_message"
NO_RELAY = (
    "There is no way to reach this reporter in Slack through the app: the report was not made "
    'anonymously with a shortcut. Use "Message the reporter" instead.'
)


def keep_contact(session: Session, case: Case, slack_user_id: str, now: datetime) -> None:
    """At intake: the only place an anonymous reporter's Slack id is kept."""
    register_confidential(slack_user_id)
    session.add(
        RelayContact(
            team_id=case.team_id, case_id=case.id, slack_user_id=slack_user_id, created_at=now
        )
    )


def contact_of(session: Session, case_id: int) -> str | None:
    """The reporter's Slack id, for the relay and the outbox's recipient check only."""
    found = session.scalar(
        select(RelayContact.slack_user_id).where(RelayContact.case_id == case_id)
    )
    if found:
        register_confidential(found)  # a log line that carries it is redacted
    return found or None


def has_relay(session: Session, case: Case) -> bool:
    return case.anonymous and contact_of(session, case.id) is not None


def _text(text: str, field: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput("Please write the message.", field=field)
    if len(cleaned) > MAX_RELAY:
        raise InvalidInput(f"Please keep it under {MAX_RELAY} characters.", field=field)
    return cleaned


def _send(
    session: Session, case: Case, to_user: str, event: CaseEvent, text: str, now: datetime
) -> None:
    enqueue_once(
        session,
        team_id=case.team_id,
        kind=Intent.DM,
        now=now,
        case_id=case.id,
        # The reporter's id and the text travel in the encrypted payload only.
        payload={"template": RELAY_TEMPLATE, "to_user": to_user, "text": text, "event": event.id},
        dedupe_key=f"relay:{event.id}",
    )


def relay_case(ctx: ServiceContext, actor: Actor, ref: str | int) -> int:
    """The case number, if a member who may see the case can write to its reporter."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        if not has_relay(session, case):
            raise NotPermitted(NO_RELAY)
        return case.number


def ask_reporter(ctx: ServiceContext, actor: Actor, ref: str | int, text: str) -> int:
    """A member who may see the case asks the anonymous reporter something. Returns the
    case number."""
    body = _text(text, "question")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        _member, case = require_case_access(session, actor, ref, for_update=True)
        to_user = contact_of(session, case.id) if case.anonymous else None
        if to_user is None:
            raise NotPermitted(NO_RELAY)
        event = record_event(
            session,
            case,
            "relay_question",
            now,
            actor_user_id=actor.user_id,
            note=f"To the reporter: {body}",
            data={"relay": True},
        )
        _send(session, case, to_user, event, body, now)
        case_changed(session, case, now)
        return case.number


def relay_mail(
    session: Session, ctx: ServiceContext, case: Case, record: MailMessage, user_id: str | None
) -> bool:
    """A message to an anonymous reporter goes through the relay instead of mail. False when
    the case has no relay (a mail goes as before)."""
    to_user = contact_of(session, case.id) if case.anonymous else None
    if to_user is None:
        return False
    now = ctx.clock.now()
    body = (record.body or "").strip()
    event = record_event(
        session,
        case,
        "relayed_to_reporter",
        now,
        actor_user_id=user_id,
        note=f"Subject: {record.subject}\n\n{body}",
        data={"mail_id": record.id, "template": record.template, "relay": True},
    )
    text = f"{record.subject}\n\n{body}"
    _send(session, case, to_user, event, text, now)
    return True


def answer(ctx: ServiceContext, reporter: Actor, case_id: int, event_id: int, text: str) -> None:
    """The reporter answers a relayed message. Only the reporter the relay wrote to may: for
    anyone else the case does not exist."""
    body = _text(text, "answer")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        case = session.get(Case, case_id, with_for_update=True)
        if (
            case is None
            or case.team_id != reporter.team_id
            or not reporter.user_id
            or contact_of(session, case.id) != reporter.user_id
        ):
            raise NotFound("This conversation is closed.")
        asked = session.get(CaseEvent, event_id)
        record_event(
            session,
            case,
            "relay_answer",
            now,
            actor_user_id=None,
            note=f"From the reporter: {body}",
            data={
                "relay": True,
                "from": "the reporter",
                "answers": asked.id if asked and asked.case_id == case.id else None,
            },
        )
        case_changed(session, case, now)


def forget(session: Session, case_ids: list[int]) -> int:
    """Retention: the relay goes with every other identity of these cases."""
    rows = list(session.scalars(select(RelayContact).where(RelayContact.case_id.in_(case_ids))))
    for row in rows:
        session.delete(row)
    return len(rows)
