"""waitress warns once per request that waits for a thread; in a burst the web process
would spend its CPU logging. One warning an interval goes through, with the deepest queue."""

from __future__ import annotations

import logging

import pytest

from slack_coc.logging_setup import QUEUE_LOGGER, configure_logging


def _warn(depth: int, at: float) -> None:
    logger = logging.getLogger(QUEUE_LOGGER)
    record = logger.makeRecord(
        QUEUE_LOGGER, logging.WARNING, __file__, 1, "Task queue depth is %d", (depth,), None
    )
    record.created = at
    logger.handle(record)


def test_a_burst_of_queue_warnings_is_one_line_then_a_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = configure_logging("INFO")
    try:
        for depth in range(1, 51):
            _warn(depth, at=1000.0 + depth / 100)
        first = capsys.readouterr().err.splitlines()
        assert len(first) == 1 and "Task queue depth is 1" in first[0]

        _warn(3, at=1000.0 + 61)
        later = capsys.readouterr().err.splitlines()
        assert len(later) == 1
        assert "Task queue depth is 3 (deepest 50; 49 such warnings left out)" in later[0]

        handler = configure_logging("INFO")  # again: no second filter is stacked
        _warn(4, at=1000.0 + 200)
        assert len(capsys.readouterr().err.splitlines()) == 1
    finally:
        logging.getLogger().removeHandler(handler)
