"""Outgoing mail records: the types the compose modal and the service share, and the steps
that run inside a mail service's transaction (store the message, queue or record it, ask a
reviewer, note recipient changes). See services/mail.py for the use cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc import crypto
from slack_coc.context import ServiceContext
from slack_coc.domain.enums import CaseState, PartyRole
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.domain.mail_models import MailDirection, MailMessage, MailStatus
from slack_coc.domain.models import Case, Deadline, Member, Party
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import find_member, may_see
from slack_coc.services.letters import TEMPLATES, tag_subject
from slack_coc.services.relay import relay_mail
from slack_coc.services.timeline import record_event

ACK_TEMPLATES = {"acknowledgement": "acknowledge", "acknowledgement_local": "keep_on_file"}
ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
MAX_BODY = 50_000
# The templates' "[write your message here]" / "[describe ...]" slots must be filled in.
PLACEHOLDER = re.compile(r"\[(write|describe) [^\][]*\]", re.IGNORECASE)


@dataclass(frozen=True)
class MailDraft:
    """What the compose modal shows, for the member to edit."""

    case_number: int
    template: str
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    completes_step: str | None  # "acknowledge" / "keep_on_file" when sending takes that step
    relay: bool = False  # an anonymous reporter: sent through the relay, no address


@dataclass(frozen=True)
class SentMail:
    mail_id: int
    case_number: int
    status: str  # MailStatus: queued, sent_by_hand, awaiting_review
    to: list[str]
    cc: list[str]
    subject: str
    body: str  # the final text (to copy, when sent by hand)
    step_taken: str | None = None


@dataclass
class OutgoingMail:
    """A member's edited message, as submitted from the compose modal."""

    template: str
    to: list[str]
    subject: str
    body: str
    review_by: str | None = None  # a member's Slack user id
    extra_cc: list[str] = field(default_factory=list)
    relay: bool = False  # set by the service for an anonymous reporter: no address needed

    def validate(self) -> None:
        if self.template not in TEMPLATES:
            raise InvalidInput("Please pick a template.", field="template")
        self.to = [] if self.relay else parse_addresses(self.to, "to")
        self.extra_cc = parse_addresses(self.extra_cc, "cc", required=False)
        self.subject = " ".join(self.subject.split())  # one line: no header injection
        if not self.subject:
            raise InvalidInput("Please write a subject.", field="subject")
        if len(self.subject) > 250:
            raise InvalidInput("Please keep the subject under 250 characters.", field="subject")
        if not self.body.strip():
            raise InvalidInput("Please write the message.", field="body")
        if len(self.body) > MAX_BODY:
            raise InvalidInput(f"Please keep the message under {MAX_BODY} characters.", "body")
        if PLACEHOLDER.search(self.body) or PLACEHOLDER.search(self.subject):
            raise InvalidInput(
                "Please replace the [bracketed] placeholder with your own words.", field="body"
            )


def parse_addresses(values: list[str], field_name: str, *, required: bool = True) -> list[str]:
    """Addresses from inputs that may hold several, separated by commas or new lines."""
    found: list[str] = []
    for value in values:
        for piece in re.split(r"[,;\n]", value or ""):
            address = piece.strip()
            if not address:
                continue
            if "<" in address and address.endswith(">"):
                address = address[address.rindex("<") + 1 : -1].strip()
            if not ADDRESS.match(address):
                raise InvalidInput(
                    "That email address doesn't look right (expected name@example.org).",
                    field=field_name,
                )
            found.append(address)
    if required and not found:
        raise InvalidInput("Please give at least one recipient.", field=field_name)
    return list(dict.fromkeys(found))


def new_outgoing(
    session: Session, ctx: ServiceContext, case: Case, member: Member, mail: OutgoingMail
) -> MailMessage:
    now = ctx.clock.now()
    thread = latest_inbound(session, case)
    references = " ".join(
        x
        for x in ((thread.references_header if thread else None), thread and thread.message_id)
        if x
    )
    message_id = make_msgid(idstring="coc", domain=domain(ctx.mailbox_address))
    cc = list(dict.fromkeys([*mail.extra_cc, ctx.mailbox_address]))
    record = MailMessage(
        team_id=case.team_id,
        case_id=case.id,
        direction=MailDirection.OUT,
        status=MailStatus.DRAFT,
        template=mail.template,
        message_id_digest=crypto.lookup_digest(message_id),
        message_id=message_id,
        in_reply_to=thread.message_id if thread else None,
        references_header=references or None,
        subject=tag_subject(mail.subject.strip(), case.number),
        from_addr=ctx.mailbox_address,
        to_addrs=mail.to,
        cc_addrs=[a for a in cc if a not in mail.to],
        body=mail.body.rstrip() + "\n",
        author_user_id=member.user_id,
        flags={"recipients_changed": recipients_note(session, case, mail.to) is not None},
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def dispatch(
    session: Session,
    ctx: ServiceContext,
    case: Case,
    record: MailMessage,
    user_id: str | None,
    smtp_enabled: bool,
) -> None:
    """Queue the message for SMTP, or record that a member sends it by hand."""
    now = ctx.clock.now()
    to = list(record.to_addrs or [])
    changes = recipients_note(session, case, to)
    note = "\n".join(
        x
        for x in (changes, f"To: {', '.join(to)}", f"Subject: {record.subject}", "", record.body)
        if x is not None
    )
    if case.drill:
        # A practice case never mails anyone: the draft stays on the timeline only.
        record.status = MailStatus.DISCARDED
        record_event(
            session,
            case,
            "mail_not_sent_drill",
            now,
            actor_user_id=user_id,
            note=note,
            data={"mail_id": record.id, "template": record.template},
        )
        return
    if relay_mail(session, ctx, case, record, user_id):
        record.status = MailStatus.SENT
        record.sent_at = now
        return
    if smtp_enabled:
        outbox_id = enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.MAIL,
            now=now,
            case_id=case.id,
            recipient=None,
            payload={
                "mail_id": record.id,
                "case_number": case.number,
                "template": record.template,
                "to": to,
                "cc": list(record.cc_addrs or []),
                "subject": record.subject,
                "body": record.body,
                "message_id": record.message_id,
                "in_reply_to": record.in_reply_to,
                "references": record.references_header,
            },
            dedupe_key=f"mail:{record.id}",
        )
        record.status = MailStatus.QUEUED
        record.outbox_id = outbox_id
        kind = "mail_sent"
    else:
        record.status = MailStatus.SENT_BY_HAND
        record.sent_by_hand = True
        record.sent_at = now
        kind = "mail_sent_by_hand"
    record_event(
        session,
        case,
        kind,
        now,
        actor_user_id=user_id,
        note=note,
        data={
            "mail_id": record.id,
            "template": record.template,
            "recipients_changed": changes is not None,
        },
    )


def ask_review(
    session: Session,
    ctx: ServiceContext,
    case: Case,
    author: Member,
    record: MailMessage,
    reviewer_user_id: str,
) -> None:
    reviewer = find_member(session, case.team_id, reviewer_user_id)
    if reviewer is None or not may_see(session, reviewer, case):
        raise InvalidInput("That member can't review messages on this case.", field="review")
    if reviewer.id == author.id:
        raise InvalidInput("Ask a second member: you can't review your own message.", "review")
    now = ctx.clock.now()
    record.status = MailStatus.AWAITING_REVIEW
    record.reviewer_user_id = reviewer.user_id
    record_event(
        session,
        case,
        "mail_review_requested",
        now,
        actor_user_id=author.user_id,
        data={"mail_id": record.id, "reviewer": reviewer.user_id, "template": record.template},
    )
    enqueue_once(
        session,
        team_id=case.team_id,
        kind=Intent.DM,
        now=now,
        recipient=reviewer.user_id,
        case_id=case.id,
        payload={
            "template": "mail_review_requested",
            "case_number": case.number,
            "mail_id": record.id,
        },
        dedupe_key=f"mail-review:{record.id}",
    )


def recipients_note(session: Session, case: Case, to: list[str]) -> str | None:
    """`[+ name] [- name]` against the reporter's address; None when unchanged."""
    default = set(default_recipients(reporter(session, case)))
    chosen = set(to)
    if chosen == default:
        return None
    added = [f"[+ {a}]" for a in to if a not in default]
    removed = [f"[- {a}]" for a in sorted(default - chosen)]
    return " ".join(added + removed)


def latest_inbound(session: Session, case: Case) -> MailMessage | None:
    return session.scalar(
        select(MailMessage)
        .where(
            MailMessage.case_id == case.id,
            MailMessage.direction == MailDirection.IN,
            MailMessage.message_id.is_not(None),
        )
        .order_by(MailMessage.id.desc())
        .limit(1)
    )


def reporter(session: Session, case: Case) -> Party | None:
    return session.scalar(
        select(Party)
        .where(Party.case_id == case.id, Party.role == PartyRole.REPORTER.value)
        .order_by(Party.id)
        .limit(1)
    )


def default_recipients(reporter: Party | None) -> list[str]:
    contact = (reporter.contact or "").strip() if reporter else ""
    return [contact] if ADDRESS.match(contact) else []


def template_context(
    session: Session, ctx: ServiceContext, case: Case, reporter: Party | None
) -> dict[str, object]:
    shepherd = session.get(Member, case.shepherd_id) if case.shepherd_id else None
    # Once decided, the reporter is asked for feedback by the feedback deadline.
    kind = "feedback" if case.state == CaseState.DECIDED.value else "reporter_response"
    respond_by = session.scalar(
        select(Deadline.due_at)
        .where(Deadline.case_id == case.id, Deadline.kind == kind, Deadline.met_at.is_(None))
        .order_by(Deadline.due_at)
        .limit(1)
    ) or session.scalar(
        select(Deadline.due_at)
        .where(Deadline.case_id == case.id, Deadline.kind == "reporter_response")
        .order_by(Deadline.due_at)
        .limit(1)
    )
    resolution_by = session.scalar(
        select(Deadline.due_at)
        .where(
            Deadline.case_id == case.id, Deadline.kind == "resolution", Deadline.met_at.is_(None)
        )
        .order_by(Deadline.due_at.desc())
        .limit(1)
    )
    return {
        "resolution_by": resolution_by.strftime("%A %d %B %Y") if resolution_by else None,
        "reporter_name": reporter.name if reporter and reporter.name else None,
        "shepherd_name": shepherd.display_name if shepherd else None,
        "mailbox_address": ctx.mailbox_address,
        "respond_by": respond_by.strftime("%A %d %B %Y") if respond_by else "the end of next week",
        "outcome": None,
        "proposed_resolution": None,
        "code_name": case.code_name,
    }


def step_for(template: str, case: Case) -> str | None:
    if case.state != CaseState.RECEIVED.value:
        return None
    if template == "acknowledgement_local" and not case.handled_locally:
        return None  # keep on file needs the "already handled" flag; send it as a plain mail
    return ACK_TEMPLATES.get(template)


def case_number(session: Session, record: MailMessage) -> int:
    case = session.get(Case, record.case_id) if record.case_id else None
    if case is None:
        raise NotFound("That message no longer exists.")
    return case.number


def domain(address: str) -> str:
    return address.rpartition("@")[2] or "slack-coc.invalid"


def result(record: MailMessage, case: Case) -> SentMail:
    return SentMail(
        mail_id=record.id,
        case_number=case.number,
        status=record.status,
        to=list(record.to_addrs or []),
        cc=list(record.cc_addrs or []),
        subject=record.subject or "",
        body=record.body or "",
    )
