"""Logging a failure without its message: the exception's type and where it happened.

An exception's text can quote what was submitted (a database error shows the row's values, a
decoding error the bytes it met, a KeyError the key), and a report's details must never
reach a log line. So failures are logged with `log_failure`, never `log.exception` or
`exc_info=`: the type names of the exception and of its causes, and the stack frames (file,
line, function, source line: the program's text, never the data). The redacting filter in
`logging_setup` stays as a second line of defence, not as the one that has to work.
"""

from __future__ import annotations

import logging
import sys
import traceback

_MAX_CHAIN = 5  # causes followed (`raise ... from`, or raised while handling another)


def describe(error: BaseException) -> str:
    """`Type` (caused by `Type`...) and the frames, with no message text anywhere."""
    names: list[str] = []
    current: BaseException | None = error
    while current is not None and len(names) < _MAX_CHAIN:
        names.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    head = names[0] + "".join(f" (caused by {name})" for name in names[1:])
    return f"{head}\n{frames}".rstrip()


def log_failure(
    logger: logging.Logger,
    message: str,
    *args: object,
    error: BaseException | None = None,
    level: int = logging.ERROR,
) -> None:
    """Log `message % args` and the failure being handled (or `error`) as type and frames.
    `args` are the caller's own values (ids, numbers), never submitted content."""
    failure = error if error is not None else sys.exc_info()[1]
    if failure is None:
        logger.log(level, message, *args)
        return
    logger.log(level, message + ": %s", *args, describe(failure))
