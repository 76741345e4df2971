"""Structured logging: one line per event, with case numbers, never content.

Log calls name cases by number (`#12`) and code name only; report text, names and contact
details never reach a log call. As defense in depth, a filter replaces email addresses and
any value registered as confidential (`register_confidential`) before a record is written,
including in formatted arguments and exception text.
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
    for value in confidential_values.snapshot():
        if value in text:
            text = text.replace(value, REDACTED)
    return _EMAIL.sub("[email]", text)


class RedactingFilter(logging.Filter):
    """Renders the message once, redacts it, and drops the arguments and exception text
    that could otherwise carry the original values to a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        if record.exc_info:
            formatter = logging.Formatter()
            message += "\n" + redact(formatter.formatException(record.exc_info))
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
    return handler
