"""The due-work sweep behind `slack-coc tick`, `slack-coc worker` and `serve`'s scheduler.

One sweep: deadline and rota notices (written to the outbox under unique keys), outbox
delivery, the mailbox poll (when IMAP_URL is set), retention. Each step runs on its own and
a failing step is logged and reported without stopping the others; every step is idempotent,
so overlapping sweeps, restarts and two workers never double-send.

The deliverers and the mailbox poll are passed in: `slack_coc.wiring` composes them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_coc.clock import FrozenClock
from slack_coc.failures import log_failure
from slack_coc.jobs.outbox import Handler, OutboxDispatcher
from slack_coc.services import retention
from slack_coc.services.deadlines import sweep_due

if TYPE_CHECKING:
    from slack_coc.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    notices: int = 0
    delivered: int = 0
    mail_polled: int | None = None
    retention: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [f"{self.notices} notices", f"{self.delivered} delivered"]
        if self.mail_polled is not None:
            parts.append(f"{self.mail_polled} mails filed")
        if self.errors:
            parts.append(f"{len(self.errors)} step(s) failed: {'; '.join(self.errors)}")
        return ", ".join(parts)


def run_sweep(
    rt: Runtime,
    now: datetime | None = None,
    *,
    handlers: dict[str, Handler],
    poll_mail: Callable[[], int] | None = None,
    deliver: bool = True,
) -> SweepResult:
    """Run every due job once at `now` (default: the runtime's clock), delivering with
    `handlers` and reading the mailbox with `poll_mail` when there is one."""
    ctx = rt.ctx
    if now is not None:
        if isinstance(ctx.clock, FrozenClock):
            ctx.clock.set(now)
        else:
            ctx.clock = FrozenClock(now)
    result = SweepResult()

    def step(name: str, job: Any) -> Any:
        try:
            return job()
        except Exception as exc:
            log_failure(log, "sweep step %s failed", name)
            result.errors.append(f"{name}: {type(exc).__name__}")  # no text: it may quote content
            return None

    report = step("deadlines", lambda: sweep_due(ctx))
    if report is not None:
        result.notices = report.deadline_notices + report.rota_notices
        if report.failures:
            result.errors.append(f"deadlines: {report.failures} notice(s) could not be planned")
    if deliver:
        dispatcher = OutboxDispatcher(ctx, handlers)
        delivered = 0
        for _round in range(50):  # drain, but never loop forever on a flood
            sent = step("outbox", dispatcher.deliver_due) or 0
            delivered += sent
            if not sent or dispatcher.rate_limited:
                break
        result.delivered = delivered
    if poll_mail is not None:
        result.mail_polled = step("mailbox", poll_mail)
    result.retention = step("retention", lambda: retention.sweep(ctx, limit=retention.SWEEP_BATCH))
    return result
