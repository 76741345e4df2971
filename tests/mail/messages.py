"""Builders of real RFC 822 messages for the mail tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid


def plain(
    body: str,
    *,
    subject: str = "A conduct report",
    sender: str | None = "Rae Porter <rae@example.net>",
    message_id: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    m = EmailMessage()
    if sender:
        m["From"] = sender
    m["To"] = "conduct@example.org"
    m["Subject"] = subject
    m["Message-ID"] = message_id or make_msgid(domain="example.net")
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = in_reply_to
    m.set_content(body)
    return m.as_bytes()
