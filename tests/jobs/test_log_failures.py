"""Failures are logged as type and frames only, never the exception's text, which can quote
what was submitted (issue 22): one helper, used wherever `log.exception` was."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from slack_coc.failures import describe, log_failure
from slack_coc.jobs import sweep
from slack_coc.runtime import Runtime
from slack_coc.slack.errors import message_for

MARKER = "ZQXSUBMITTEDTEXTQXZ"
SOURCE = Path(__file__).resolve().parents[2] / "slack_coc"


def _fails_with_content() -> None:
    try:
        {}[MARKER]
    except KeyError as inner:
        raise ValueError(f"could not store {MARKER!r}") from inner


def test_describe_names_types_and_frames_but_no_text() -> None:
    with pytest.raises(ValueError) as info:
        _fails_with_content()
    text = describe(info.value)
    assert text.startswith("ValueError (caused by KeyError)")
    assert "_fails_with_content" in text and "test_log_failures.py" in text
    assert MARKER not in text


def test_log_failure_carries_no_exception_info_for_a_handler_to_format(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    try:
        _fails_with_content()
    except ValueError:
        log_failure(logging.getLogger("slack_coc.test"), "step %s failed", "x")
    [record] = caplog.records
    assert record.exc_info is None and record.levelno == logging.ERROR
    assert MARKER not in caplog.text and "step x failed: ValueError" in caplog.text


def test_a_failing_sweep_step_logs_and_reports_no_text(
    rt: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError(f"row ({MARKER}) violates a constraint")

    monkeypatch.setattr(sweep, "sweep_due", boom)
    caplog.set_level(logging.DEBUG)
    result = sweep.run_sweep(rt, handlers={}, deliver=False)
    assert result.errors == ["deadlines: RuntimeError"]
    assert "sweep step deadlines failed: RuntimeError" in caplog.text
    assert MARKER not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)


def test_a_failing_listener_logs_no_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    try:
        _fails_with_content()
    except ValueError as error:
        message_for(error)
    assert "listener failed: ValueError" in caplog.text and MARKER not in caplog.text


def test_nothing_logs_exception_text_any_more() -> None:
    """`log.exception(...)` and `exc_info=` print the exception's text: not in the app."""
    offenders = []
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        if re.search(r"\.exception\(|exc_info\s*=", text) and path.name not in (
            "logging_setup.py",
            "failures.py",
        ):
            offenders.append(str(path.relative_to(SOURCE)))
    assert offenders == []
