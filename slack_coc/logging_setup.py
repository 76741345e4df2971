"""Structured logging: one line per event, with case numbers, never content.

Log calls name cases by number (`#12`) and code name only; report text, names and contact
details never reach a log call. As defense in depth, a filter replaces email addresses and
any value registered as confidential (`register_confidential`) before a record is written,
including in formatted arguments and exception text.

Log lines are bounded: a library may log what a request carried (Bolt logs an unhandled
request whole), and a sender controls its length. The message keeps its first
`MAX_LOG_CHARS` characters, the exception text its last `MAX_TRACE_CHARS` (where it failed);
redaction works on those windows only, so its cost is bounded too.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections import OrderedDict
from datetime import UTC, datetime
from threading import Lock
from typing import Any

REDACTED = "[redacted]"
# An address starts where a run of address characters starts (the look-behind): without it,
# a long run with no "@" was tried again from each of its characters, quadratic in its length
# (100,000 characters: ~20 s holding the interpreter lock). The parts on either side of "@"
# and of each "." use disjoint classes, so any failing attempt backtracks over its run once.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MAX_LOG_CHARS = 4000  # of a message
MAX_TRACE_CHARS = 8000  # of an exception's text
# The run of address characters at a cut (look-behind: tried from the run's start only).
_CUT_TAIL = re.compile(r"(?<![\w.+@-])[\w.+@-]+$")
_CUT_HEAD = re.compile(r"^[\w.+@-]+")
_MAX_REGISTERED = 2048
_MIN_LENGTH = 4  # shorter values would redact ordinary words
# Libraries that log request bodies (modals with report details) or SQL parameters when
# verbose: held at WARNING whatever the app's level.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "sqlalchemy.engine", "urllib3")


class _Registry:
    """Recently seen confidential values (bounded, newest kept)."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = Lock()

    def add(self, *values: str | None) -> None:
        with self._lock:
            for value in values:
                if value and len(value.strip()) >= _MIN_LENGTH:
                    self._values[value.strip()] = None
                    self._values.move_to_end(value.strip())
            while len(self._values) > _MAX_REGISTERED:
                self._values.popitem(last=False)

    def snapshot(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


confidential_values = _Registry()


def register_confidential(*values: str | None) -> None:
    """Mark values (a name, an email, a sentence of a report) as never to be logged."""
    confidential_values.add(*values)


def redact(text: str) -> str:
    return _redact(text, confidential_values.snapshot())


def _redact(text: str, values: list[str]) -> str:
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    return _EMAIL.sub("[email]", text)


def bounded_redact(text: str, limit: int = MAX_LOG_CHARS, *, keep_end: bool = False) -> str:
    """`redact` of at most `limit` characters of `text` (its start, or its end with
    `keep_end`), saying how many were left out. A registered value that crosses the cut is
    still recognised (the window redacted first reaches past the cut by the longest one), and
    the run of address characters at the cut is dropped, so no fragment of an address stays."""
    if len(text) <= limit:
        return redact(text)
    values = confidential_values.snapshot()  # longest first
    reach = len(values[0]) if values else 0
    left_out = len(text) - limit
    if keep_end:
        window = _redact(text[-(limit + reach) :], values)
        return f"[{left_out} characters left out]…{_CUT_HEAD.sub('', window[-limit:], count=1)}"
    window = _redact(text[: limit + reach], values)
    return f"{_CUT_TAIL.sub('', window[:limit], count=1)}…[{left_out} characters left out]"


class RedactingFilter(logging.Filter):
    """Renders the message once, redacts it, and drops the arguments and exception text
    that could otherwise carry the original values to a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = bounded_redact(record.getMessage())
        if record.exc_info:
            formatter = logging.Formatter()
            trace = formatter.formatException(record.exc_info)
            message += "\n" + bounded_redact(trace, MAX_TRACE_CHARS, keep_end=True)
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = message, None
        return True


class StructuredFormatter(logging.Formatter):
    """`key=value` lines, or JSON objects with `json=True`. A `case` extra (the case
    number) is carried as its own field: `logger.info("...", extra={"case": 12})`."""

    def __init__(self, as_json: bool = False) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        case = getattr(record, "case", None)
        if case is not None:
            fields["case"] = f"#{case}"
        if self.as_json:
            return json.dumps(fields, sort_keys=False)
        return " ".join(f"{k}={json.dumps(v) if ' ' in str(v) else v}" for k, v in fields.items())


class QueueDepthSummary(logging.Filter):
    """waitress warns "Task queue depth is N" for every request that waits for a thread: in a
    burst, a line per request, redacted and formatted by the process that acknowledges
    Slack (4% of its CPU on a click flood). The first warning goes through, then one an
    interval at most, saying the deepest queue and how many warnings it stands for."""

    def __init__(self, interval_s: float = 60.0) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._lock = Lock()
        self._last: float | None = None
        self._held = 0
        self._deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        depth = args[0] if args and isinstance(args[0], int) else 0
        with self._lock:
            self._deepest = max(self._deepest, depth)
            if self._last is not None and record.created - self._last < self.interval_s:
                self._held += 1
                return False
            held, deepest = self._held, self._deepest
            self._last, self._held, self._deepest = record.created, 0, 0
        if held:
            record.msg = "Task queue depth is %d (deepest %d; %d such warnings left out)"
            record.args = (depth, deepest, held)
        return True


QUEUE_LOGGER = "waitress.queue"


def configure_logging(level: str | int = "INFO", *, as_json: bool = False) -> logging.Handler:
    """Install one structured, redacting handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_slack_coc", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._slack_coc = True  # type: ignore[attr-defined]
    handler.addFilter(RedactingFilter())
    handler.setFormatter(StructuredFormatter(as_json=as_json))
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    queue = logging.getLogger(QUEUE_LOGGER)
    for old in [f for f in queue.filters if isinstance(f, QueueDepthSummary)]:
        queue.removeFilter(old)
    queue.addFilter(QueueDepthSummary())
    return handler
