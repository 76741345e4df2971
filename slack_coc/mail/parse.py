"""Reading one inbound RFC 822 message with the standard library (`email`, modern policy).

Never raises: whatever is wrong with a message (damaged MIME, unknown charset, no sender)
becomes a note in words on the result, and the text is a best effort. The caller keeps the
raw message, so nothing is lost even when this reading is poor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html import unescape
from html.parser import HTMLParser

FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|tr|wg|rv)\s*:", re.IGNORECASE)
FORWARD_MARKERS = (
    "---------- forwarded message",
    "begin forwarded message",
    "-----original message-----",
    "-------- original message",
    "-------- forwarded message",
)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Real mail nests a handful of multiparts (a forward of a signed message with alternatives);
# the standard library walks parts recursively and raised RecursionError near 500 levels.
MAX_MIME_DEPTH = 32


@dataclass
class ParsedAttachment:
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str | None = None
    from_addr: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    body: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    forwarded: bool = False
    malformed: bool = False
    # Not readable at all (too deeply nested): filed nowhere; the group is told and the raw
    # message is kept for a member to look at.
    unreadable: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers: In-Reply-To first, then References."""
        ids = ([self.in_reply_to] if self.in_reply_to else []) + self.references
        return list(dict.fromkeys(ids))


def parse_message(raw: bytes) -> ParsedMail:
    result = ParsedMail()
    try:
        message = message_from_bytes(raw, policy=policy.default)
    except RecursionError:
        return _unreadable(result)
    except Exception as exc:  # the parser is lenient; this is a last resort
        result.malformed = True
        result.notes.append(f"The message could not be read as email ({type(exc).__name__}).")
        result.body = raw.decode("utf-8", errors="replace")
        return result
    _read_headers(message, result)
    if _too_deep(message):
        return _unreadable(result)
    _read_parts(message, result)
    defects = _all_defects(message)
    if defects:
        result.malformed = True
        names = ", ".join(sorted({type(d).__name__ for d in defects}))
        result.notes.append(
            f"The message's MIME structure is damaged ({names}); the text is a best effort "
            "and the raw message is kept."
        )
    if not result.body.strip() and not result.attachments:
        result.notes.append("The message has no readable text.")
    result.forwarded = result.forwarded or _looks_forwarded(result)
    if result.forwarded:
        result.notes.append(
            "This looks like a report forwarded by local representatives: already handled? "
            "Please confirm (Keep on file) or acknowledge it as a new report."
        )
    return result


def _unreadable(result: ParsedMail) -> ParsedMail:
    result.unreadable = result.malformed = True
    result.notes.append(
        f"The message could not be read: its MIME structure is nested more than "
        f"{MAX_MIME_DEPTH} levels deep. The raw message is kept (encrypted)."
    )
    return result


def _too_deep(message: Message) -> bool:
    """Nesting depth, measured without recursion (the walk below recurses per level)."""
    stack: list[tuple[Message, int]] = [(message, 1)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_MIME_DEPTH:
            return True
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return False


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a header the modern policy cannot parse
        value = None
        raw = dict(message.raw_items()).get(name) if hasattr(message, "raw_items") else None
        if raw is not None:
            value = str(raw)
    return None if value is None else str(value).strip()


def _read_headers(message: Message, result: ParsedMail) -> None:
    result.subject = _header(message, "Subject") or ""
    sender = _header(message, "From")
    if sender:
        name, addr = parseaddr(sender)
        result.from_name = name or None
        result.from_addr = addr if "@" in addr else None
    if not result.from_addr:
        result.notes.append(
            "The message has no usable sender address (From:); a reply by mail is not possible."
        )
    for header, target in (("To", result.to), ("Cc", result.cc)):
        value = _header(message, header)
        if value:
            target.extend(a for _n, a in getaddresses([value]) if "@" in a)
    result.message_id = _first_id(_header(message, "Message-ID"))
    if result.message_id is None:
        result.notes.append("The message has no Message-ID.")
    result.in_reply_to = _first_id(_header(message, "In-Reply-To"))
    result.references = MESSAGE_ID.findall(_header(message, "References") or "")


def _first_id(value: str | None) -> str | None:
    if not value:
        return None
    found = MESSAGE_ID.search(value)
    return found.group(0) if found else f"<{value.strip('<> ')}>"


def _read_parts(message: Message, result: ParsedMail) -> None:
    plain: list[str] = []
    html: list[str] = []
    for part in _leaves(message):
        ctype = part.get_content_type()
        if ctype == "message/rfc822" or _is_attachment(part):
            if ctype == "message/rfc822":
                result.forwarded = True
                inner = _forwarded_text(part)
                if inner:
                    plain.append("---------- Forwarded message ----------\n" + inner)
            result.attachments.append(_attachment(part, result))
            continue
        if ctype == "text/plain":
            plain.append(_text(part, result))
        elif ctype == "text/html":
            html.append(html_to_text(_text(part, result)))
    result.body = "\n\n".join(t.strip() for t in (plain or html) if t.strip())


def _leaves(part: Message) -> list[Message]:
    """The parts that hold content; a forwarded message (message/rfc822) counts as one."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return [part]
    payload = part.get_payload()
    children = payload if isinstance(payload, list) else []
    return [leaf for child in children if isinstance(child, Message) for leaf in _leaves(child)]


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (
        bool(part.get_filename()) and not part.get_content_type().startswith("text/")
    )


def _attachment(part: Message, result: ParsedMail) -> ParsedAttachment:
    data: object
    try:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            data = first.as_bytes() if isinstance(first, Message) else None
        else:
            data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        payload = part.get_payload()
        data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    try:
        filename = part.get_filename()
    except Exception:
        filename = None
        result.notes.append("An attachment's file name could not be read.")
    return ParsedAttachment(filename, part.get_content_type(), data)


def _text(part: Message, result: ParsedMail) -> str:
    """Decode a text part with its declared charset, falling back without losing text."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
            pass
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeError):
        result.notes.append(
            f"Text declared as {charset!r} could not be decoded as such; shown as Latin-1."
        )
        return data.decode("latin-1", errors="replace")


def _forwarded_text(part: Message) -> str:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return ""
    lines = [f"{h}: {_header(inner, h)}" for h in ("From", "Date", "Subject") if inner.get(h)]
    sub = ParsedMail()
    _read_parts(inner, sub)
    return "\n".join([*lines, "", sub.body]).strip()


def _all_defects(message: Message) -> list[object]:
    found: list[object] = []
    for part in message.walk():
        found.extend(getattr(part, "defects", []))
    return found


def _looks_forwarded(result: ParsedMail) -> bool:
    if FORWARD_SUBJECT.match(result.subject):
        return True
    lowered = result.body.lower()
    return any(marker in lowered for marker in FORWARD_MARKERS)


class _HtmlText(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "hr", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.chunks)
    except Exception:
        text = unescape(re.sub(r"<[^>]+>", " ", html))
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
