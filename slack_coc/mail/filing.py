"""Filing one inbound message: a reply goes on its case's timeline, anything else opens a case.

Runs inside the poll's transaction (see poller.py). Confidential text (addresses, subject,
body, raw message, attachments) only goes into Encrypted* columns; timeline events carry
it in their encrypted note, and their `data` holds only codes and counts.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc import crypto
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseSource
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.mail_models import MailAttachment, MailDirection, MailMessage, MailStatus
from slack_coc.domain.models import Case, Member, Party
from slack_coc.mail.parse import ParsedMail, parse_message
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.services.intake import MAX_TEXT, ReportInput, log_report
from slack_coc.services.letters import find_case_tag
from slack_coc.services.timeline import record_event

log = logging.getLogger(__name__)

# Larger attachments (and raw messages) are not copied into the database: they stay in
# the mailbox, and the case says so with the mailbox UID.
MAX_STORED_BYTES = 10 * 1024 * 1024
TIMELINE_TEXT = 4000  # characters of a reply shown on the timeline


def file_message(
    session: Session,
    ctx: ServiceContext,
    team_id: str,
    raw: bytes,
    size: int,
    complete: bool,
    uidvalidity: int,
    uid: int,
) -> int:
    """Returns 1 when the message was filed on a case, 0 when it was a duplicate."""
    parsed = parse_message(raw)
    if parsed.unreadable:
        record_unfiled(session, ctx, team_id, raw, uidvalidity, uid, "could not be read")
        return 0
    if not complete:
        parsed.notes.append(
            f"The message is {size // (1024 * 1024)} MB: only its headers were read; the whole "
            f"message stays in the mailbox (UID {uid})."
        )
    digest = crypto.lookup_digest(parsed.message_id) if parsed.message_id else None
    if parsed.message_id and _find_inbound(session, team_id, parsed.message_id) is not None:
        log.info("mailbox message uid %s ignored: its Message-ID was already filed", uid)
        return 0
    mail = _store(session, ctx, team_id, parsed, raw, digest, uidvalidity, uid)
    case, by_tag = _thread_case(session, team_id, parsed)
    now = ctx.clock.now()
    if case is not None:
        if by_tag and not _known_sender(session, case, parsed.from_addr):
            parsed.notes.append(
                "This message names the case in its subject but comes from an address not "
                "seen on this case before: check who wrote it before sharing anything."
            )
        mail.notes = list(parsed.notes)
        mail.case_id = case.id
        record_event(
            session,
            case,
            "mail_received",
            now,
            actor_user_id=None,
            note=_event_note(parsed, with_body=True),
            data={"mail_id": mail.id, "attachments": len(parsed.attachments), "reply": True},
        )
        _note_problems(session, case, parsed, mail)
        _tell_shepherd(session, case, now)
        log.info("mailbox message uid %s filed as a reply on case #%s", uid, case.number)
        return 1
    logged = log_report(ctx, Actor(team_id, None), _report(parsed, mail.id))
    case = session.get(Case, logged.case_id)
    assert case is not None
    mail.case_id = case.id
    record_event(
        session,
        case,
        "mail_received",
        now,
        actor_user_id=None,
        note=_event_note(parsed, with_body=False),
        data={
            "mail_id": mail.id,
            "attachments": len(parsed.attachments),
            "forwarded": parsed.forwarded,
        },
    )
    _note_problems(session, case, parsed, mail)
    log.info("mailbox message uid %s opened case #%s", uid, case.number)
    return 1


def record_unfiled(
    session: Session,
    ctx: ServiceContext,
    team_id: str,
    raw: bytes,
    uidvalidity: int,
    uid: int,
    reason: str,
) -> MailMessage:
    """Keep a message that could not be filed (raw, encrypted), so nothing is lost, and tell
    the group (no content in the notice: it may be a report)."""
    mail = MailMessage(
        team_id=team_id,
        direction=MailDirection.IN,
        status=MailStatus.RECEIVED,
        raw=_raw_text(raw) if len(raw) <= MAX_STORED_BYTES else None,
        notes=[f"This message {reason}; it stays in the mailbox (UID {uid})."],
        flags={"unfiled": True},
        mailbox_uidvalidity=uidvalidity,
        mailbox_uid=uid,
        created_at=ctx.clock.now(),
    )
    session.add(mail)
    session.flush()
    enqueue(
        session,
        team_id=team_id,
        kind=Intent.CHANNEL,
        now=mail.created_at,
        payload={"template": "mail_unreadable", "mail_id": mail.id, "uid": uid},
    )
    log.warning("mailbox message uid %s %s: kept as mail record %s", uid, reason, mail.id)
    return mail


def _find_inbound(session: Session, team_id: str, message_id: str) -> MailMessage | None:
    return session.scalar(
        select(MailMessage)
        .where(
            MailMessage.team_id == team_id,
            MailMessage.message_id_digest.in_(crypto.lookup_digests(message_id)),
            MailMessage.direction == MailDirection.IN,
        )
        .limit(1)
    )


def _thread_case(session: Session, team_id: str, parsed: ParsedMail) -> tuple[Case | None, bool]:
    """The case this message answers: by threading headers, else by the `[CoC #12]` tag
    (then True: a tag is easy to copy, so the sender is checked)."""
    digests = [d for i in parsed.thread_ids for d in crypto.lookup_digests(i)]
    if digests:
        case_id = session.scalar(
            select(MailMessage.case_id)
            .where(
                MailMessage.team_id == team_id,
                MailMessage.message_id_digest.in_(digests),
                MailMessage.case_id.is_not(None),
            )
            .order_by(MailMessage.id)
            .limit(1)
        )
        if case_id is not None:
            return session.get(Case, case_id), False
    number = find_case_tag(parsed.subject)
    if number is not None:
        case = session.scalar(select(Case).where(Case.team_id == team_id, Case.number == number))
        return case, case is not None
    return None, False


def _known_sender(session: Session, case: Case, address: str | None) -> bool:
    """Whether `address` is the reporter's or wrote (or received) mail on this case before."""
    if not address:
        return False
    wanted = address.strip().lower()
    contacts = session.scalars(select(Party.contact).where(Party.case_id == case.id))
    if any((c or "").strip().lower() == wanted for c in contacts):
        return True
    for sender, recipients in session.execute(
        select(MailMessage.from_addr, MailMessage.to_addrs).where(MailMessage.case_id == case.id)
    ):
        if (sender or "").lower() == wanted or wanted in [r.lower() for r in recipients or []]:
            return True
    return False


def _store(
    session: Session,
    ctx: ServiceContext,
    team_id: str,
    parsed: ParsedMail,
    raw: bytes,
    digest: str | None,
    uidvalidity: int,
    uid: int,
) -> MailMessage:
    now = ctx.clock.now()
    notes = list(parsed.notes)
    if len(raw) > MAX_STORED_BYTES:
        notes.append(
            f"The raw message is too large to keep here; it stays in the mailbox (UID {uid})."
        )
    mail = MailMessage(
        team_id=team_id,
        direction=MailDirection.IN,
        status=MailStatus.RECEIVED,
        message_id_digest=digest,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references_header=" ".join(parsed.references) or None,
        subject=parsed.subject,
        from_addr=parsed.from_addr,
        to_addrs=parsed.to,
        cc_addrs=parsed.cc,
        body=parsed.body,
        raw=_raw_text(raw) if len(raw) <= MAX_STORED_BYTES else None,
        flags={
            "forwarded": parsed.forwarded,
            "malformed": parsed.malformed,
            "attachments": len(parsed.attachments),
        },
        mailbox_uidvalidity=uidvalidity,
        mailbox_uid=uid,
        created_at=now,
    )
    session.add(mail)
    session.flush()
    for attachment in parsed.attachments:
        keep = len(attachment.data) <= MAX_STORED_BYTES
        if not keep:
            notes.append(
                f"An attachment of {len(attachment.data) // (1024 * 1024)} MB is too large to "
                f"keep here; it stays in the mailbox (UID {uid})."
            )
        session.add(
            MailAttachment(
                team_id=team_id,
                mail_id=mail.id,
                filename=attachment.filename,
                content_type=attachment.content_type[:127],
                size=len(attachment.data),
                content_b64=base64.b64encode(attachment.data).decode() if keep else None,
                created_at=now,
            )
        )
    mail.notes = list(notes)  # a copy: later notes are assigned anew, so the change is seen
    parsed.notes = notes
    return mail


def _raw_text(raw: bytes) -> str:
    # Raw mail is bytes; surrogateescape would not survive the text column, latin-1 does.
    return raw.decode("latin-1")


def _report(parsed: ParsedMail, mail_id: int) -> ReportInput:
    account = parsed.body.strip() or "(The message has no readable text; see the raw message.)"
    if parsed.subject:
        account = f"Subject: {parsed.subject}\n\n{account}"
    if len(account) > MAX_TEXT:
        account = account[: MAX_TEXT - 80] + "\n\n[truncated here; the full message is kept]"
    report = ReportInput(
        account=account,
        source=CaseSource.EMAIL.value,
        reporter_name=parsed.from_name,
        reporter_contact=parsed.from_addr,
        handled_locally=parsed.forwarded,
        raw_mail_id=mail_id,
    )
    try:
        report.validate()
    except InvalidInput:
        report.reporter_contact = None  # an address intake cannot use; the raw mail has it
        report.validate()
    return report


def _event_note(parsed: ParsedMail, *, with_body: bool) -> str:
    """Sender and subject; a reply's text too (a new case's text is its account already),
    shortened for the timeline: the whole message is kept with the mail record."""
    lines = [f"Subject: {parsed.subject}" if parsed.subject else "(no subject)"]
    if parsed.from_addr:
        name = f"{parsed.from_name} " if parsed.from_name else ""
        lines.append(f"From: {name}<{parsed.from_addr}>")
    if parsed.attachments:
        lines.append(f"Attachments: {len(parsed.attachments)}")
    if with_body:
        body = parsed.body.strip() or "(no readable text)"
        if len(body) > TIMELINE_TEXT:
            body = body[:TIMELINE_TEXT] + " [...] (the whole message is kept)"
        lines += ["", body]
    return "\n".join(lines)


def _note_problems(session: Session, case: Case, parsed: ParsedMail, mail: MailMessage) -> None:
    """Each problem with a message is a timeline note of its own, so nobody misses it."""
    for note in parsed.notes:
        record_event(
            session,
            case,
            "mail_note",
            mail.created_at,
            actor_user_id=None,
            note=note,
            data={"mail_id": mail.id, "forwarded": parsed.forwarded, "malformed": parsed.malformed},
        )


def _tell_shepherd(session: Session, case: Case, now: datetime) -> None:
    """A DM to the shepherd (or the group's channel when there is none): no content in it."""
    shepherd = session.get(Member, case.shepherd_id) if case.shepherd_id else None
    payload = {"template": "mail_reply_received", "case_number": case.number}
    if shepherd is not None and shepherd.active:
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.DM,
            now=now,
            recipient=shepherd.user_id,
            case_id=case.id,
            payload=payload,
        )
    else:
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.CHANNEL,
            now=now,
            case_id=case.id,
            payload=payload,
        )
