"""Delivering `mail` outbox intents over SMTP (`SMTP_URL`: smtp:// or smtps://, auth in the URL).

The Message-ID is fixed when the intent is written, so a retry after a lost reply from the
server sends the very same message (receivers and our own poller dedupe on it). Temporary
failures (connection refused, timeouts, 4xx replies) raise `RetryLater`: the outbox tries
again with backoff and marks the item sent only after the server accepted it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from slack_coc.clock import Clock
from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.jobs.delivery_errors import RetryLater
from slack_coc.jobs.outbox import before_external_call
from slack_coc.mail.imap import tls_off
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.runtime import Runtime
from slack_coc.services.letters import render, tag_subject

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30


class MailConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None
    # smtp:// must upgrade with STARTTLS; only `?tls=off` (loopback tests) allows plaintext.
    require_starttls: bool = True

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError("SMTP_URL must look like smtp://user:pass@host:port")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            implicit_tls=implicit,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            require_starttls=not implicit and not tls_off(parts.query),
        )


def new_message_id(mailbox_address: str) -> str:
    domain = mailbox_address.rpartition("@")[2] or "slack-coc.invalid"
    return make_msgid(idstring="coc", domain=domain)


def build_message(payload: dict[str, Any], mailbox_address: str) -> EmailMessage:
    """The RFC 5322 message for a `mail` intent's payload."""
    to = [a for a in payload.get("to") or [] if a]
    cc = [a for a in payload.get("cc") or [] if a and a not in to]
    if mailbox_address not in to and mailbox_address not in cc:
        cc.append(mailbox_address)  # the committee is copied on every message
    subject, body = payload.get("subject"), payload.get("body")
    number = payload.get("case_number")
    if body is None:  # an intent written by the app (e.g. the board notice): render it now
        rendered = render(
            str(payload["template"]),
            int(number or 0),
            mailbox_address=mailbox_address,
            **{k: v for k, v in payload.items() if k in ("code_name",)},
        )
        subject, body = rendered.subject, rendered.body
    elif number is not None:
        subject = tag_subject(str(subject or ""), int(number))
    message = EmailMessage()
    message["From"] = payload.get("from") or mailbox_address
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject or ""
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = payload.get("message_id") or new_message_id(mailbox_address)
    if payload.get("in_reply_to"):
        message["In-Reply-To"] = payload["in_reply_to"]
    if payload.get("references"):
        message["References"] = payload["references"]
    message["Auto-Submitted"] = "no"
    message.set_content(str(body))
    return message


def _session(target: SmtpTarget) -> smtplib.SMTP:
    """A connected, greeted, STARTTLS-upgraded (unless `?tls=off`) and logged-in session."""
    client: smtplib.SMTP
    if target.implicit_tls:
        client = smtplib.SMTP_SSL(
            target.host, target.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
    try:
        client.ehlo()
        if target.require_starttls:
            if not client.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    "the server does not offer STARTTLS; use smtps:// or a server with "
                    "STARTTLS (`?tls=off` is for loopback tests only)"
                )
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if target.username:
            client.login(target.username, target.password or "")
    except BaseException:
        client.close()
        raise
    return client


def send_message(target: SmtpTarget, message: EmailMessage) -> None:
    """Hand one message to the SMTP server; RetryLater on anything worth retrying."""
    try:
        with _session(target) as client:
            refused = client.send_message(message)
            if refused:
                # Some recipients were refused permanently: the others got it; say so.
                log.warning("mail server refused %s recipient(s) of a message", len(refused))
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise RetryLater(f"mail server said {exc.smtp_code} (temporary)") from None
        raise PermanentMailError(f"mail server refused the message ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _msg in exc.recipients.values()}
        if all(400 <= c < 500 for c in codes):
            raise RetryLater("mail server refused the recipients for now") from None
        raise PermanentMailError("mail server refused every recipient") from None
    except smtplib.SMTPNotSupportedError:
        raise RetryLater("mail server does not offer STARTTLS (required for smtp://)") from None
    except OSError as e:  # refused, reset, timed out, disconnected (smtplib's errors too)
        raise RetryLater(f"mail server unreachable ({type(e).__name__})") from None


def check_smtp(target: SmtpTarget) -> str | None:
    """Connect and log in without sending; None when that worked, else the reason."""
    try:
        with _session(target):
            pass
    except smtplib.SMTPResponseException as exc:
        return f"refused ({exc.smtp_code})"
    except smtplib.SMTPNotSupportedError:
        return "no STARTTLS offered (required for smtp://; use smtps:// or fix the server)"
    except OSError as exc:
        return f"not reachable ({type(exc).__name__})"
    return None


class PermanentMailError(Exception):
    """The server refused the message for good; the outbox parks it after its attempts."""


MailHandler = Callable[[Session, OutboxMessage], None]


def make_mail_handler(smtp_url: str, mailbox_address: str, clock: Clock) -> MailHandler:
    """The outbox handler for `mail` intents. Register it as `handlers["mail"]`."""
    target = SmtpTarget.from_url(smtp_url)

    def deliver(session: Session, item: OutboxMessage) -> None:
        message = build_message(dict(item.payload or {}), mailbox_address)
        before_external_call()  # SQLite: hold no database lock while waiting on SMTP
        send_message(target, message)
        mail_id = (item.payload or {}).get("mail_id")
        record = session.get(MailMessage, mail_id) if mail_id else None
        if record is not None:
            record.status = MailStatus.SENT
            record.sent_at = clock.now()
        log.info("mail for case id %s sent (outbox item %s)", item.case_id, item.id)

    return deliver


def mail_handlers(rt: Runtime) -> dict[str, MailHandler]:
    """`{"mail": handler}` when SMTP_URL is set, else `{}` (mail intents then stay pending)."""
    if not rt.settings.SMTP_URL:
        return {}
    handler = make_mail_handler(rt.settings.SMTP_URL, rt.settings.COC_MAILBOX_ADDRESS, rt.ctx.clock)
    return {"mail": handler}
