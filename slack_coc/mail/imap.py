"""The IMAP side of the mailbox poll: `IMAP_URL` (imap:// or imaps://), read-only fetches.

The poll never changes the mailbox (SELECT read-only, BODY.PEEK): the committee's own mail
client keeps its read/unread state, and a message that could not be filed is still there.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

IMAP_TIMEOUT = 30
# Larger messages are filed from their headers only; the whole message stays in the mailbox.
MAX_FETCH_BYTES = 40 * 1024 * 1024


def tls_off(query: str) -> bool:
    """True when a mail URL's query says `tls=off` explicitly (loopback tests only)."""
    return "off" in parse_qs(query).get("tls", [])


class MailboxOffline(Exception):
    """The mailbox did not answer or refused us; the reason is safe to log."""


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    tls: bool
    username: str
    password: str
    mailbox: str
    # imap:// must upgrade with STARTTLS (credentials and reports never travel in clear);
    # only `?tls=off` in the URL allows plaintext, meant for loopback test servers.
    require_starttls: bool = True

    @classmethod
    def from_url(cls, url: str) -> ImapTarget:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ValueError("IMAP_URL must look like imaps://user:pass@host:port/INBOX")
        tls = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if tls else 143),
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            mailbox=unquote(parts.path.strip("/")) or "INBOX",
            require_starttls=not tls and not tls_off(parts.query),
        )

    @property
    def label(self) -> str:
        """Names the mailbox in logs and the cursor table (no password)."""
        return f"{self.username}@{self.host}:{self.port}/{self.mailbox}"


class Mailbox:
    """A read-only session on one mailbox."""

    def __init__(self, target: ImapTarget) -> None:
        self.target = target
        try:
            if target.tls:
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    target.host,
                    target.port,
                    ssl_context=ssl.create_default_context(),
                    timeout=IMAP_TIMEOUT,
                )
            else:
                self.conn = imaplib.IMAP4(target.host, target.port, timeout=IMAP_TIMEOUT)
                if target.require_starttls:
                    if "STARTTLS" not in self.conn.capabilities:
                        with contextlib.suppress(OSError):
                            self.conn.shutdown()
                        raise MailboxOffline(
                            "the server does not offer STARTTLS; use imaps:// or a server "
                            "with STARTTLS (`?tls=off` is for loopback tests only)"
                        )
                    self.conn.starttls(ssl_context=ssl.create_default_context())
            self.conn.login(target.username, target.password)
            typ, _data = self.conn.select(_quote(target.mailbox), readonly=True)
            if typ != "OK":
                raise MailboxOffline(f"mailbox {target.mailbox!r} cannot be opened")
            self.uidvalidity = self._uidvalidity()
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxOffline(_reason(exc)) from None

    def _uidvalidity(self) -> int:
        _typ, data = self.conn.response("UIDVALIDITY")
        if data and data[0]:
            return int(data[0])
        _typ, data = self.conn.status(_quote(self.target.mailbox), "(UIDVALIDITY)")
        match = re.search(rb"UIDVALIDITY (\d+)", data[0] if data and data[0] else b"")
        if not match:
            raise MailboxOffline("the server did not report UIDVALIDITY")
        return int(match.group(1))

    def uids_after(self, last_uid: int) -> list[int]:
        try:
            typ, data = self.conn.uid("SEARCH", f"UID {last_uid + 1}:*")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxOffline(_reason(exc)) from None
        found = [int(u) for u in (data[0] or b"").split()] if typ == "OK" and data else []
        # "n:*" always matches the highest UID, even below n: filter.
        return sorted(u for u in found if u > last_uid)

    def fetch(self, uid: int) -> tuple[bytes, int, bool]:
        """(bytes, full size, complete?) of one message; headers only if it is huge."""
        try:
            size = self._size(uid)
            part = "BODY.PEEK[]" if size <= MAX_FETCH_BYTES else "BODY.PEEK[HEADER]"
            _typ, data = self.conn.uid("FETCH", str(uid), f"({part})")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxOffline(_reason(exc)) from None
        for item in data or []:
            if isinstance(item, tuple) and len(item) == 2:
                return bytes(item[1]), size, size <= MAX_FETCH_BYTES
        return b"", size, False

    def _size(self, uid: int) -> int:
        _typ, data = self.conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        for item in data or []:
            raw = item[0] if isinstance(item, tuple) else item
            match = re.search(rb"RFC822\.SIZE (\d+)", raw or b"")
            if match:
                return int(match.group(1))
        return 0

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def _quote(mailbox: str) -> str:
    return mailbox if re.fullmatch(r"[A-Za-z0-9._/-]+", mailbox) else '"' + mailbox + '"'


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
