"""Mail to reporters: compose from a template, optionally have a second member review it,
send through the outbox (or record it as sent by hand when SMTP is not configured).

Every message out is a MailMessage row and a timeline event, written in the same
transaction as the outbox intent. The acknowledgement templates complete the lifecycle's
acknowledgement (or keep-on-file) step when the case is still `received`.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseState
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.domain.models import Case, Member
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services import cases
from slack_coc.services.access import require_case_access
from slack_coc.services.letters import TEMPLATES, render
from slack_coc.services.mail_outgoing import (
    MailDraft,
    OutgoingMail,
    SentMail,
    ask_review,
    case_number,
    default_recipients,
    dispatch,
    new_outgoing,
    parse_addresses,
    reporter,
    result,
    step_for,
    template_context,
)
from slack_coc.services.relay import has_relay
from slack_coc.services.reported_person import (
    REPORTED_PERSON,
    refuse_if_reporter_named,
    reported_addresses,
)
from slack_coc.services.timeline import case_changed, record_event

__all__ = [
    "MailDraft",
    "OutgoingMail",
    "SentMail",
    "acknowledge_with_message",
    "compose",
    "default_template",
    "mail_for_review",
    "parse_addresses",
    "review_mail",
    "send_mail",
]


def compose(
    ctx: ServiceContext, actor: Actor, ref: str | int, template: str | None = None
) -> MailDraft:
    """A draft from a template, for a member allowed to see the case. Nothing is stored."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        chosen = template or default_template(case)
        if chosen not in TEMPLATES:
            raise InvalidInput(f"Unknown template {chosen!r}.", field="template")
        party = reporter(session, case)
        rendered = render(chosen, case.number, **template_context(session, ctx, case, party))
        to = (
            reported_addresses(session, case)
            if chosen == REPORTED_PERSON
            else default_recipients(party)
        )
        return MailDraft(
            case_number=case.number,
            template=chosen,
            to=to,
            cc=[ctx.mailbox_address],
            subject=rendered.subject,
            body=rendered.body,
            completes_step=step_for(chosen, case),
            relay=has_relay(session, case),
        )


def reporter_reachable(ctx: ServiceContext, actor: Actor, ref: str | int) -> int | None:
    """The case number when its reporter left an address (a message can be offered)."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        reachable = bool(default_recipients(reporter(session, case))) and not case.drill
        return case.number if reachable else None


def default_template(case: Case) -> str:
    if case.state == CaseState.RECEIVED.value:
        return "acknowledgement_local" if case.handled_locally else "acknowledgement"
    if case.state == CaseState.SHEPHERDED.value:
        return "shepherd_assigned"
    if case.state == CaseState.DECIDED.value:
        return "proposed_resolution"
    if case.state == CaseState.RESOLVED.value:
        return "final_outcome"
    return "free_form"


def send_mail(
    ctx: ServiceContext, actor: Actor, ref: str | int, mail: OutgoingMail, *, smtp_enabled: bool
) -> SentMail:
    """Send (through the outbox), record as sent by hand (no SMTP), or hand to a reviewer.
    An acknowledgement template on a `received` case takes the acknowledgement step too."""
    with ctx.read() as session:
        _member, case = require_case_access(session, actor, ref)
        step = step_for(mail.template, case)
        mail.relay = has_relay(session, case)
    mail.validate()
    if step and mail.review_by:
        raise InvalidInput(
            "The acknowledgement goes out at once (the reporter is waiting); "
            "ask for a review on later messages.",
            field="review",
        )
    if step == "acknowledge":
        return acknowledge_with_message(ctx, actor, ref, mail, smtp_enabled=smtp_enabled)
    if step == "keep_on_file":
        return acknowledge_with_message(
            ctx, actor, ref, mail, smtp_enabled=smtp_enabled, keep_on_file=True
        )
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        refuse_if_reporter_named(session, case, mail.template, mail.to, mail.subject, mail.body)
        record = new_outgoing(session, ctx, case, member, mail)
        if mail.review_by:
            ask_review(session, ctx, case, member, record, mail.review_by)
        else:
            dispatch(session, ctx, case, record, actor.user_id, smtp_enabled)
        case_changed(session, case, ctx.clock.now())
        return result(record, case)


def acknowledge_with_message(
    ctx: ServiceContext,
    actor: Actor,
    ref: str | int,
    mail: OutgoingMail,
    *,
    smtp_enabled: bool,
    keep_on_file: bool = False,
) -> SentMail:
    """Acknowledge (or keep on file) and send the matching message, in one transaction."""
    mail.validate()
    sent: list[SentMail] = []

    def and_then(session: Session, member: Member, case: Case) -> None:
        record = new_outgoing(session, ctx, case, member, mail)
        dispatch(session, ctx, case, record, actor.user_id, smtp_enabled)
        sent.append(result(record, case))

    step = cases.keep_on_file if keep_on_file else cases.acknowledge
    step(ctx, actor, ref, and_then=and_then)
    return replace(sent[0], step_taken=step.__name__)


def review_mail(
    ctx: ServiceContext,
    actor: Actor,
    mail_id: int,
    *,
    approve: bool,
    smtp_enabled: bool,
    comment: str | None = None,
) -> SentMail:
    """The reviewer approves (the message goes) or sends it back to its author."""
    with ctx.transaction() as session:
        record = session.get(MailMessage, mail_id, with_for_update=True)
        if record is None or record.team_id != actor.team_id or record.case_id is None:
            raise NotFound("That message no longer exists.")
        _member, case = require_case_access(session, actor, case_number(session, record))
        if record.status != MailStatus.AWAITING_REVIEW:
            raise NotPermitted("That message is not waiting for a review any more.")
        if record.reviewer_user_id != actor.user_id:
            raise NotPermitted("Only the member asked to review this message can approve it.")
        now = ctx.clock.now()
        record.reviewed_at = now
        if approve:
            record_event(
                session,
                case,
                "mail_review_approved",
                now,
                actor_user_id=actor.user_id,
                note=(comment or "").strip() or None,
                data={"mail_id": record.id},
            )
            dispatch(session, ctx, case, record, record.author_user_id, smtp_enabled)
        else:
            record.status = MailStatus.DISCARDED
            record_event(
                session,
                case,
                "mail_review_declined",
                now,
                actor_user_id=actor.user_id,
                note=(comment or "").strip() or None,
                data={"mail_id": record.id},
            )
            if record.author_user_id:
                enqueue(
                    session,
                    team_id=case.team_id,
                    kind=Intent.DM,
                    now=now,
                    recipient=record.author_user_id,
                    case_id=case.id,
                    payload={"template": "mail_review_declined", "case_number": case.number},
                )
        case_changed(session, case, now)
        return result(record, case)


def mail_for_review(ctx: ServiceContext, actor: Actor, mail_id: int) -> SentMail:
    """The message a reviewer was asked to look at (for the review modal)."""
    with ctx.read() as session:
        record = session.get(MailMessage, mail_id)
        if record is None or record.team_id != actor.team_id or record.case_id is None:
            raise NotFound("That message no longer exists.")
        _member, case = require_case_access(session, actor, case_number(session, record))
        return result(record, case)
