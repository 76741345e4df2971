"""How deep a request's JSON nests, measured before anything parses it.

Python's JSON parser recurses once per level (a `RecursionError` near 1,000), and so does any
code that walks what it returns. Slack's payloads nest about a dozen levels, so the web app
refuses deeper ones before Bolt sees them. The check runs on every request, signed or not,
so it must cost little and never more than linear time in the body:

- a form's `payload` is not URL-decoded in Python (decoding a 13 kB view submission cost
  more than the rest of its acknowledgement); only the escapes that carry JSON's structure
  (quotes, backslashes, brackets) are turned back into characters, by `str.replace`;
- strings are skipped by one regular expression whose every path succeeds (an unterminated
  string runs to the end of the text), so it never retries from each quote: the old
  tokenizer did, and a 32 kB body of escaped quotes took 7 s;
- the depth is the number of passes that remove innermost `[]`/`{}` pairs until none is
  left, at most `limit` passes, each a C scan.
"""

from __future__ import annotations

import re

# The escapes that matter to JSON's structure; any other `%XX` stays as it is (it cannot be
# a quote, a backslash or a bracket). Each pattern starts with `%` and no replacement makes
# one, so a replacement never forms a new escape with its neighbours.
_STRUCTURE_ESCAPES = (
    ("%22", '"'),
    ("%5C", "\\"),
    ("%5c", "\\"),
    ("%5B", "["),
    ("%5b", "["),
    ("%5D", "]"),
    ("%5d", "]"),
    ("%7B", "{"),
    ("%7b", "{"),
    ("%7D", "}"),
    ("%7d", "}"),
)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def form_payloads(form: str) -> list[str]:
    """The `payload` fields of a URL-encoded form, with JSON's structure decoded."""
    payloads = []
    for field in form.split("&"):
        if field.startswith("payload="):
            value = field[len("payload=") :]
            for escape, char in _STRUCTURE_ESCAPES:
                value = value.replace(escape, char)
            payloads.append(value)
    return payloads


def nested_deeper_than(text: str, limit: int) -> bool:
    """True when the JSON in `text` nests more than `limit` levels (brackets in strings do
    not count). Malformed JSON is measured as far as its brackets pair up; what is left
    unpaired counts as nested when it holds more than `limit` opening brackets."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual case: cannot be that deep
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _level in range(limit):
        if not brackets:
            return False
        inner = _INNERMOST.sub("", brackets)
        if inner == brackets:  # nothing pairs up any more: malformed
            return brackets.count("[") + brackets.count("{") > limit
        brackets = inner
    return bool(brackets)
