"""A whole exchange over real servers: report by mail (Dovecot), acknowledgement out (aiosmtpd)
threaded on the report, the reporter's answer threaded back onto the same case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.models import Case, CaseEvent
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.mail.poller import poll_once
from slack_coc.mail.sender import mail_handlers
from slack_coc.services import mail as mail_service
from slack_coc.services.mail import OutgoingMail
from tests.conftest import actor
from tests.mail.conftest import Mailbox, make_runtime
from tests.mail.messages import plain
from tests.mail.servers import SmtpServer


def test_report_acknowledgement_and_answer_stay_on_one_case(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    smtp_server: SmtpServer,
    roster: list[str],
) -> None:
    rt = make_runtime(engine, clock, IMAP_URL=mailbox.url, SMTP_URL=smtp_server.url)
    mailbox.append(plain("It happened at the sprint.", message_id="<report-1@example.net>"))
    assert poll_once(rt) == 1

    draft = mail_service.compose(rt.ctx, actor("U0BEN0002"), 1)
    assert draft.to == ["rae@example.net"]
    mail_service.send_mail(
        rt.ctx,
        actor("U0BEN0002"),
        1,
        OutgoingMail(draft.template, draft.to, draft.subject, draft.body),
        smtp_enabled=bool(rt.settings.SMTP_URL),
    )
    OutboxDispatcher(rt.ctx, mail_handlers(rt)).deliver_due()
    [sent] = smtp_server.received
    assert sent.message["In-Reply-To"] == "<report-1@example.net>"
    assert "<report-1@example.net>" in sent.message["References"]
    ours = sent.message["Message-ID"]

    # The reporter answers our message; their client keeps the threading headers only.
    mailbox.append(plain("Thanks, one more thing.", subject="Re: thanks", in_reply_to=ours))
    assert poll_once(rt) == 1
    with ctx.read() as s:
        assert s.scalars(select(Case)).all()[0].number == 1
        assert len(s.scalars(select(Case)).all()) == 1
        kinds = [e.kind for e in s.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert kinds.count("mail_received") == 2 and "mail_sent" in kinds and "acknowledge" in kinds
