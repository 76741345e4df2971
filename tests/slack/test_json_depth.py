"""The JSON depth check that runs on every request before Bolt parses it (signed or not)."""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlencode

from slack_coc.slack.http import MAX_JSON_DEPTH, _too_deep
from slack_coc.slack.json_depth import form_payloads, nested_deeper_than

FORM = "application/x-www-form-urlencoded"


def _nested(depth: int, inner: str = "1") -> str:
    return '{"a":' * depth + inner + "}" * depth


def _form(payload: str, **other: str) -> bytes:
    return urlencode({**other, "payload": payload}).encode()


def test_depth_is_counted_exactly_at_the_limit() -> None:
    assert not nested_deeper_than(_nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)
    assert nested_deeper_than(_nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)
    mixed = "[" * 40 + _nested(MAX_JSON_DEPTH - 40) + "]" * 40
    assert not nested_deeper_than(mixed, MAX_JSON_DEPTH)
    assert nested_deeper_than("[" + mixed + "]", MAX_JSON_DEPTH)


def test_brackets_inside_strings_do_not_count() -> None:
    """A narrative may hold any number of brackets: it must never be refused for them."""
    narrative = "[[[{{{ " * 200 + 'he said \\"[[[[\\" ' + "}}}]]]" * 3
    payload = json.dumps({"view": {"state": {"values": {"narrative": {"value": narrative}}}}})
    assert not nested_deeper_than(payload, MAX_JSON_DEPTH)
    assert not _too_deep(_form(payload), FORM)
    assert not _too_deep(payload.encode(), "application/json")


def test_a_form_is_measured_on_its_payload_only() -> None:
    """A slash command's text is plain text: brackets typed there are not JSON."""
    assert not _too_deep(urlencode({"command": "/coc", "text": "[" * 500}).encode(), FORM)
    assert _too_deep(_form(_nested(MAX_JSON_DEPTH + 1), text="x"), FORM)
    # Lower-case escapes and unencoded brackets are decoded alike.
    deep = _nested(MAX_JSON_DEPTH + 1)
    assert _too_deep(("payload=" + quote(deep, safe="").lower()).encode(), FORM)
    assert _too_deep(("payload=" + deep).encode(), FORM)
    assert form_payloads("a=1&payload=%7B%22x%22%3A%5B%5D%7D&b=2") == ['{"x"%3A[]}']


def test_malformed_json_is_measured_by_its_open_brackets() -> None:
    assert nested_deeper_than("[" * 100_000, MAX_JSON_DEPTH)
    assert nested_deeper_than("[" * 70 + "}" * 70, MAX_JSON_DEPTH)  # 70 never closed
    assert not nested_deeper_than("[" * 10 + "}" * 60, MAX_JSON_DEPTH)  # the parser's 400
    assert not nested_deeper_than('"unterminated' + "[" * 70, MAX_JSON_DEPTH)  # in the string


def test_escaped_quotes_are_measured_within_slacks_deadline() -> None:
    """The old tokenizer retried a failed string match from every quote: a 32 kB body of
    escaped quotes with brackets after it took 7 s (a megabyte, hours), before the signature
    was checked. The largest body the app reads is now measured well inside Slack's 3 s."""
    pairs = 1_048_576 // 2 - 100
    body = ('"' + '\\"' * pairs + "[{" * 40).encode()
    started = time.perf_counter()
    assert not _too_deep(body, "application/json")
    assert not _too_deep(_form(body.decode()), FORM)
    assert time.perf_counter() - started < 3.0
