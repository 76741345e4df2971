"""Log lines are bounded whatever a sender puts in a request, and redaction still holds at
the cut. (The email pattern's linear time is shown over HTTP in
tests/robustness/test_long_strings.py: a unit test does not time things.)"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from slack_coc.logging_setup import (
    MAX_LOG_CHARS,
    MAX_TRACE_CHARS,
    RedactingFilter,
    StructuredFormatter,
    bounded_redact,
    confidential_values,
    redact,
    register_confidential,
)


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(StructuredFormatter(as_json=True))
    logger = logging.getLogger("slack_coc.test_log_lines")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        confidential_values.clear()


def test_a_long_message_is_cut_and_says_how_much_was_left_out(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.warning("Unhandled request (%s)", {"type": "x" * 100_000})
    (line,) = stream.getvalue().splitlines()
    assert len(line) < MAX_LOG_CHARS + 200
    assert "Unhandled request" in line and "characters left out]" in line


def test_an_exception_keeps_its_end_where_it_failed(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    try:
        raise ValueError("y" * 50_000 + " ZQXTAILEND")
    except ValueError:
        logger.exception("failed")
    out = stream.getvalue()
    assert len(out) < MAX_LOG_CHARS + MAX_TRACE_CHARS + 400
    assert "ZQXTAILEND" in out and "characters left out]" in out


def test_no_fragment_of_an_address_or_a_registered_value_survives_the_cut() -> None:
    register_confidential("ZQXCUT confidential person")
    try:
        for head in range(MAX_LOG_CHARS - 30, MAX_LOG_CHARS + 5):
            text = "a " * (head // 2) + " ZQXCUT confidential person and who@example.org end"
            out = bounded_redact(text)
            assert "ZQXCUT" not in out and "who@" not in out and "example.org" not in out
    finally:
        confidential_values.clear()
    for cut in range(1, 30):
        text = "who@example.org " + "b " * ((MAX_LOG_CHARS - cut) // 2)
        out = bounded_redact(text, keep_end=True)
        assert "who" not in out and "example" not in out


def test_addresses_are_still_found() -> None:
    text = "to who@example.org, <x.y+z@sub.example.co.uk>; a-b_c@d-e.org. not@this nor this@"
    assert redact(text) == "to [email], <[email]>; [email]. not@this nor this@"
    long_local = "p" * 5_000 + "@example.org"
    assert redact(long_local) == "[email]"
