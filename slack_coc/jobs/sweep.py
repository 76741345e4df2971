"""The due-work sweep behind `slack-coc tick`, `slack-coc worker` and `serve`'s scheduler.

One sweep: deadline and rota notices (written to the outbox under unique keys), outbox
delivery, the mailbox poll (when IMAP_URL is set), retention. Each step runs on its own and
a failing step is logged and reported without stopping the others; every step is idempotent,
so overlapping sweeps, restarts and two workers never double-send.

Outbox handlers come from the modules in `HANDLER_PROVIDERS`: each may expose
`outbox_handlers(rt) -> {intent kind: handler}` (or `build_handlers(rt)`); a module not
installed yet is skipped.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_coc.clock import FrozenClock
from slack_coc.failures import log_failure
from slack_coc.jobs.outbox import Handler, OutboxDispatcher
from slack_coc.services.deadlines import sweep_due

if TYPE_CHECKING:
    from slack_coc.runtime import Runtime

log = logging.getLogger(__name__)

HANDLER_PROVIDERS = ("slack_coc.slack.outbound", "slack_coc.mail.outbound", "slack_coc.mail.sender")


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


def outbox_handlers(rt: Runtime) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for name in HANDLER_PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        factory = getattr(module, "outbox_handlers", None) or getattr(
            module, "build_handlers", None
        )
        if factory is None:
            continue
        try:
            provided = factory(rt)
        except Exception as exc:  # e.g. SMTP_URL unset: that channel stays queued
            log.info("no outbox handlers from %s: %s", name, exc)
            continue
        for kind, handler in (provided or {}).items():
            handlers.setdefault(kind, handler)
    return handlers


def default_handlers(rt: Runtime) -> dict[str, Handler]:
    """The Slack handlers (on the bot token's client) plus every provider's (mail...)."""
    try:
        from slack_coc.slack.delivery import default_handlers as slack_and_others
    except ImportError:  # the Slack delivery layer is not installed: providers only
        return outbox_handlers(rt)
    from slack_coc.slack.blocks import rota_messages  # noqa: F401  (registers cover templates)
    from slack_coc.slack.oauth import WorkspaceClients, uses_oauth

    # The bot token's client, or (OAuth distribution) each workspace's installed token.
    configured = rt.settings.SLACK_BOT_TOKEN or uses_oauth(rt)
    return dict(slack_and_others(rt, WorkspaceClients(rt) if configured else None))


def run_sweep(
    rt: Runtime,
    now: datetime | None = None,
    *,
    handlers: dict[str, Handler] | None = None,
    deliver: bool = True,
) -> SweepResult:
    """Run every due job once at `now` (default: the runtime's clock)."""
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
        chosen = handlers if handlers is not None else default_handlers(rt)
        dispatcher = OutboxDispatcher(ctx, chosen)
        delivered = 0
        for _round in range(50):  # drain, but never loop forever on a flood
            sent = step("outbox", dispatcher.deliver_due) or 0
            delivered += sent
            if not sent or dispatcher.rate_limited:
                break
        result.delivered = delivered
    if rt.settings.IMAP_URL:
        poller = _optional("slack_coc.mail.poller", "poll_once")
        if poller is not None:
            result.mail_polled = step("mailbox", lambda: poller(rt))
    retention = _optional("slack_coc.services.retention", "sweep")
    if retention is not None:
        result.retention = step("retention", lambda: _call_retention(retention, rt))
    return result


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _call_retention(retention: Any, rt: Runtime) -> Any:
    first = next(iter(inspect.signature(retention).parameters), "ctx")
    return retention(rt if first in ("rt", "runtime") else rt.ctx)
