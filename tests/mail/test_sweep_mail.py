"""The sweep (`slack-coc tick`) polls the mailbox and delivers mail intents over SMTP."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.services import mail as mail_service
from slack_coc.services.mail import OutgoingMail
from slack_coc.wiring import outbox_handlers, run_sweep
from tests.conftest import actor
from tests.mail.conftest import Mailbox, make_runtime
from tests.mail.messages import plain
from tests.mail.servers import SmtpServer


def test_tick_files_mail_and_sends_the_answer(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    smtp_server: SmtpServer,
    roster: list[str],
) -> None:
    rt = make_runtime(engine, clock, IMAP_URL=mailbox.url, SMTP_URL=smtp_server.url)
    assert "mail" in outbox_handlers(rt)
    assert "mail" not in outbox_handlers(make_runtime(engine, clock, SMTP_URL=None))

    mailbox.append(plain("a report by mail"))
    first = run_sweep(rt)
    assert first.ok and first.mail_polled == 1
    assert run_sweep(rt).mail_polled == 0  # a second tick files nothing new

    draft = mail_service.compose(rt.ctx, actor("U0BEN0002"), 1)
    mail_service.send_mail(
        rt.ctx,
        actor("U0BEN0002"),
        1,
        OutgoingMail(draft.template, draft.to, draft.subject, draft.body),
        smtp_enabled=True,
    )
    run_sweep(rt)
    run_sweep(rt)
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].message["To"] == "rae@example.net"
