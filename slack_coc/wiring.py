"""Wiring: who delivers each kind of outbox intent and what the due-work sweep runs, composed
here once for every process (`serve`, `worker`, `tick`, the WSGI entry) and passed in.

Nothing below this module looks handlers up: the queue and the sweep get them as arguments.
Every intent kind must have its deliverer here, or the process refuses to start
(`check_handlers`); only mail may be off (SMTP_URL unset: mail intents stay queued and
members are shown drafts to copy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from slack_coc.jobs import scheduler
from slack_coc.jobs.outbox import Handler
from slack_coc.jobs.sweep import SweepResult
from slack_coc.jobs.sweep import run_sweep as run_sweep_with
from slack_coc.mail.poller import poll_once
from slack_coc.mail.sender import mail_handlers
from slack_coc.queues.outbox import Intent
from slack_coc.runtime import Runtime
from slack_coc.slack import outbound
from slack_coc.slack.blocks import rota_messages  # noqa: F401  (registers the cover templates)
from slack_coc.slack.oauth import WorkspaceClients, uses_oauth

SLACK_INTENTS = frozenset(
    {
        Intent.CARD,
        Intent.THREAD,
        Intent.DM,
        Intent.CHANNEL,
        Intent.HOME,
        Intent.DELETE_MESSAGE,
    }
)
MAIL_INTENTS = frozenset({Intent.MAIL})


def all_intents() -> frozenset[str]:
    return frozenset(
        value for name, value in vars(Intent).items() if name.isupper() and isinstance(value, str)
    )


def slack_clients(rt: Runtime) -> outbound.ClientSource | None:
    """The bot token's client, or (OAuth distribution) each workspace's installed token;
    None when Slack is not configured (operators' commands on a bare database)."""
    configured = rt.settings.SLACK_BOT_TOKEN or uses_oauth(rt)
    return WorkspaceClients(rt) if configured else None


def outbox_handlers(
    rt: Runtime, clients: outbound.ClientSource | None = None
) -> dict[str, Handler]:
    """Every deliverer: Slack's on `clients` (default: `slack_clients(rt)`), and mail's
    when SMTP_URL is set."""
    handlers: dict[str, Handler] = {}
    source = clients if clients is not None else slack_clients(rt)
    if source is not None:
        handlers.update(outbound.handlers(rt, source))
    handlers.update(mail_handlers(rt))
    check_handlers(handlers, slack=source is not None, mail=bool(rt.settings.SMTP_URL))
    return handlers


def check_handlers(handlers: dict[str, Handler], *, slack: bool, mail: bool) -> None:
    """Refuse to start when an intent kind the app writes has nobody to deliver it."""
    expected = (SLACK_INTENTS if slack else frozenset()) | (MAIL_INTENTS if mail else frozenset())
    unknown = all_intents() - SLACK_INTENTS - MAIL_INTENTS
    missing = expected - set(handlers)
    if unknown or missing:
        raise RuntimeError(
            "outbox wiring: no deliverer for "
            + ", ".join(sorted(unknown | missing))
            + " (slack_coc/wiring.py)"
        )


def run_sweep(
    rt: Runtime,
    now: datetime | None = None,
    *,
    handlers: dict[str, Handler] | None = None,
    deliver: bool = True,
) -> SweepResult:
    """One sweep with this deployment's deliverers and mailbox (`slack-coc tick`)."""
    return run_sweep_with(
        rt,
        now,
        handlers=handlers if handlers is not None else outbox_handlers(rt),
        poll_mail=(lambda: poll_once(rt)) if rt.settings.IMAP_URL else None,
        deliver=deliver,
    )


def sweeper(rt: Runtime) -> Callable[[], SweepResult]:
    """The scheduler's job, every minute, in a process whose outbox pump delivers (`serve`,
    `slack-coc worker`): the sweep plans notices, reads the mailbox and expunges, and leaves
    delivery to the pump (its commits wake it; the pump also looks on its own for retries
    that came due). Delivering here too, one item at a time, competed with the pump and,
    under steady load, held the sweep (and the next deadlines) behind a queue that never
    emptied."""
    handlers = outbox_handlers(rt)
    return lambda: run_sweep(rt, handlers=handlers, deliver=False)


def start_scheduler(rt: Runtime) -> BackgroundScheduler:
    return scheduler.start(rt, sweeper(rt))


def run_scheduler_forever(rt: Runtime, *, interval_seconds: int) -> None:
    scheduler.run_forever(rt, sweeper(rt), interval_seconds=interval_seconds)
