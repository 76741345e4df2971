"""Outbound mail: templates, the compose/review/send service, and real SMTP delivery
(aiosmtpd on loopback) through the outbox."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.domain.models import Case, CaseEvent
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.mail.sender import make_mail_handler
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import conflicts
from slack_coc.services import mail as mail_service
from slack_coc.services.letters import TEMPLATES, render
from slack_coc.services.mail import OutgoingMail
from slack_coc.services.mail_outgoing import MAX_BODY
from tests.conftest import actor
from tests.factories import new_case
from tests.mail.conftest import plaintext_dump
from tests.mail.servers import SmtpServer

MARKER = "ZQXMARKER"
REPORTER = "rae@example.net"


def _dispatcher(ctx: ServiceContext, smtp: SmtpServer) -> OutboxDispatcher:
    return OutboxDispatcher(
        ctx, {"mail": make_mail_handler(smtp.url, ctx.mailbox_address, ctx.clock)}
    )


def _draft_to_mail(draft: mail_service.MailDraft, **changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "template": draft.template,
        "to": draft.to,
        "subject": draft.subject,
        "body": draft.body,
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


def _events(ctx: ServiceContext, kind: str) -> list[CaseEvent]:
    with ctx.read() as s:
        return list(s.scalars(select(CaseEvent).where(CaseEvent.kind == kind)))


def _case(ctx: ServiceContext, number: int = 1) -> Case:
    with ctx.read() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case is not None
        return case


def test_every_template_renders_with_the_case_tag() -> None:
    for name in TEMPLATES:
        rendered = render(name, 12, reporter_name="Rae", shepherd_name="Ana")
        assert rendered.subject.startswith("[CoC #12] ")
        assert rendered.subject.count("[CoC #") == 1
        assert rendered.body.strip() and "{{" not in rendered.body
    assert "assigned to Ana" in render("shepherd_assigned", 3, shepherd_name="Ana").body


def test_acknowledgement_is_sent_over_smtp_with_cc_tag_and_threading(
    ctx: ServiceContext,
    engine: Engine,
    roster: list[str],
    smtp_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    new_case(ctx, reporter_contact=REPORTER, reporter_name=f"Rae {MARKER}")
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    assert draft.template == "acknowledgement" and draft.completes_step == "acknowledge"
    assert draft.to == [REPORTER] and draft.cc == [ctx.mailbox_address]
    assert f"Dear Rae {MARKER}" in draft.body
    sent = mail_service.send_mail(
        ctx,
        actor("U0BEN0002"),
        1,
        _draft_to_mail(draft, body=draft.body + MARKER),
        smtp_enabled=True,
    )
    assert sent.status == MailStatus.QUEUED and sent.step_taken == "acknowledge"
    case = _case(ctx)
    assert case.state == "acknowledged" and case.acknowledged_at is not None
    assert len(_events(ctx, "mail_sent")) == 1
    assert _dispatcher(ctx, smtp_server).deliver_due() >= 1
    [got] = smtp_server.received
    message = got.message
    assert message["To"] == REPORTER
    assert message["Cc"] == ctx.mailbox_address
    assert sorted(got.rcpt_tos) == sorted([REPORTER, ctx.mailbox_address])
    assert message["Subject"] == "[CoC #1] We received your report"
    assert MARKER in message.get_content()
    with ctx.read() as s:
        record = s.scalar(select(MailMessage))
    assert record is not None and record.status == MailStatus.SENT
    assert message["Message-ID"] == record.message_id
    app_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("slack_coc"))
    assert "sent" in app_log and MARKER not in app_log  # (aiosmtpd, the test server, logs DATA)
    dump = plaintext_dump(engine)
    assert MARKER not in dump and REPORTER not in dump


def test_smtp_down_then_up_delivers_exactly_once(
    ctx: ServiceContext, clock: FrozenClock, roster: list[str], smtp_server: SmtpServer
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    mail_service.send_mail(ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=True)
    dispatcher = _dispatcher(ctx, smtp_server)
    smtp_server.stop()
    dispatcher.deliver_due()
    with ctx.read() as s:
        item = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mail"))
    assert item is not None and item.status == "pending" and item.attempts == 1
    assert "unreachable" in (item.last_error or "")
    smtp_server.start()
    clock.advance(minutes=5)
    dispatcher.deliver_due()
    clock.advance(minutes=5)
    dispatcher.deliver_due()
    assert len(smtp_server.received) == 1
    with ctx.read() as s:
        item = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mail"))
    assert item is not None and item.status == "sent"


def test_temporary_refusal_is_retried(
    ctx: ServiceContext, clock: FrozenClock, roster: list[str], smtp_server: SmtpServer
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    mail_service.send_mail(ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=True)
    smtp_server.handler.refuse_with = "451 4.3.0 try again later"
    dispatcher = _dispatcher(ctx, smtp_server)
    dispatcher.deliver_due()
    assert smtp_server.received == []
    smtp_server.handler.refuse_with = None
    clock.advance(minutes=5)
    dispatcher.deliver_due()
    assert len(smtp_server.received) == 1


def test_without_smtp_the_message_is_recorded_as_sent_by_hand(
    ctx: ServiceContext, roster: list[str]
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    sent = mail_service.send_mail(
        ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=False
    )
    assert sent.status == MailStatus.SENT_BY_HAND
    assert sent.subject.startswith("[CoC #1]") and "We have received your report" in sent.body
    assert sent.cc == [ctx.mailbox_address]
    assert _case(ctx).state == "acknowledged"
    assert len(_events(ctx, "mail_sent_by_hand")) == 1
    with ctx.read() as s:
        assert s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mail")) is None
        record = s.scalar(select(MailMessage))
    assert record is not None and record.sent_by_hand is True


def test_recipient_changes_are_noted_on_the_timeline(
    ctx: ServiceContext, roster: list[str]
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1, "free_form")
    mail_service.send_mail(
        ctx,
        actor("U0BEN0002"),
        1,
        _draft_to_mail(draft, to=["Other Person <other@example.net>"], body="Hello."),
        smtp_enabled=False,
    )
    [event] = _events(ctx, "mail_sent_by_hand")
    assert "[+ other@example.net] [- rae@example.net]" in (event.note or "")
    assert event.data["recipients_changed"] is True


def test_second_member_review_before_sending(
    ctx: ServiceContext, roster: list[str], smtp_server: SmtpServer
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    # An acknowledgement goes out at once; review is for later messages.
    with pytest.raises(InvalidInput) as refused:
        mail_service.send_mail(
            ctx,
            actor("U0BEN0002"),
            1,
            _draft_to_mail(mail_service.compose(ctx, actor("U0BEN0002"), 1), review_by="U0CAT0003"),
            smtp_enabled=True,
        )
    assert refused.value.field == "review"
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1, "free_form")
    draft = replace(draft, body="Dear Rae, a question for you.")
    with pytest.raises(InvalidInput):
        mail_service.send_mail(
            ctx,
            actor("U0BEN0002"),
            1,
            _draft_to_mail(draft, review_by="U0BEN0002"),
            smtp_enabled=True,
        )
    pending = mail_service.send_mail(
        ctx,
        actor("U0BEN0002"),
        1,
        _draft_to_mail(draft, review_by="U0CAT0003"),
        smtp_enabled=True,
    )
    assert pending.status == MailStatus.AWAITING_REVIEW
    with ctx.read() as s:
        asks = list(
            s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "dm", OutboxMessage.recipient == "U0CAT0003"
                )
            )
        )
    assert [a.payload["template"] for a in asks] == ["mail_review_requested"]
    _dispatcher(ctx, smtp_server).deliver_due()
    assert smtp_server.received == []  # nothing goes before the review
    with pytest.raises(NotPermitted):
        mail_service.review_mail(
            ctx, actor("U0BEN0002"), pending.mail_id, approve=True, smtp_enabled=True
        )
    approved = mail_service.review_mail(
        ctx, actor("U0CAT0003"), pending.mail_id, approve=True, smtp_enabled=True
    )
    assert approved.status == MailStatus.QUEUED
    _dispatcher(ctx, smtp_server).deliver_due()
    assert len(smtp_server.received) == 1
    with pytest.raises(NotPermitted):  # not twice
        mail_service.review_mail(
            ctx, actor("U0CAT0003"), pending.mail_id, approve=True, smtp_enabled=True
        )


def test_kept_on_file_uses_the_second_template_and_resolves(
    ctx: ServiceContext, roster: list[str]
) -> None:
    new_case(ctx, reporter_contact=REPORTER, handled_locally=True)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    assert draft.template == "acknowledgement_local" and draft.completes_step == "keep_on_file"
    assert "kept on file" not in draft.subject and "appropriate" in draft.body
    sent = mail_service.send_mail(
        ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=False
    )
    assert sent.step_taken == "keep_on_file"
    case = _case(ctx)
    assert case.state == "resolved" and case.resolution_source == "Local"


def test_a_refused_step_sends_nothing(ctx: ServiceContext, roster: list[str]) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
    mail_service.send_mail(ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=True)
    # Someone else acknowledged meanwhile: the template no longer takes the step, plain mail.
    again = mail_service.send_mail(
        ctx, actor("U0CAT0003"), 1, _draft_to_mail(draft), smtp_enabled=True
    )
    assert again.step_taken is None
    assert len(_events(ctx, "acknowledge")) == 1


def test_inputs_are_validated_with_the_field_named(ctx: ServiceContext, roster: list[str]) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1, "free_form")
    for changes, field in (
        ({}, "body"),  # the template's "[write your message here]" is still there
        ({"subject": "  "}, "subject"),
        ({"body": "\n"}, "body"),
        ({"body": "Outcome: [describe the outcome here]"}, "body"),
        ({"to": ["not an address"]}, "to"),
        ({"to": []}, "to"),
        ({"template": "nope"}, "template"),
    ):
        with pytest.raises(InvalidInput) as err:
            mail_service.send_mail(
                ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft, **changes), smtp_enabled=False
            )
        assert err.value.field == field
    assert _events(ctx, "mail_sent_by_hand") == []


def test_recused_member_and_stranger_cannot_compose(ctx: ServiceContext, roster: list[str]) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    conflicts.recuse(ctx, actor("U0DAN0004"), 1, "personal_relationship")
    with pytest.raises(NotFound):
        mail_service.compose(ctx, actor("U0DAN0004"), 1)
    with pytest.raises(NotPermitted):
        mail_service.compose(ctx, actor("U0STRANGER"), 1)


def test_board_notice_written_by_intake_is_rendered_and_sent(
    ctx: ServiceContext, engine: Engine, roster: list[str], smtp_server: SmtpServer
) -> None:
    # A report naming both chairs goes to the board (intake writes a template-only intent).
    new_case(
        ctx,
        involved_user_ids=["U0ANA0001", "U0EVE0005"],
        by="U0BEN0002",
        account=f"about the chairs {MARKER}",
    )
    _dispatcher(ctx, smtp_server).deliver_due()
    [got] = smtp_server.received
    assert got.message["To"] == "board@example.org"
    assert got.message["Subject"].startswith("[CoC #1] ")
    assert MARKER not in got.message.as_string()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_from_the_url(
    ctx: ServiceContext, clock: FrozenClock, roster: list[str]
) -> None:
    from tests.mail.servers import _Collector, free_port

    server = SmtpServer(free_port(), _Collector(), credentials=("conduct", "p@ss word"))
    server.start()
    try:
        new_case(ctx, reporter_contact=REPORTER)
        draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
        mail_service.send_mail(ctx, actor("U0BEN0002"), 1, _draft_to_mail(draft), smtp_enabled=True)
        wrong = f"smtp://conduct:nope@127.0.0.1:{server.port}?tls=off"
        OutboxDispatcher(
            ctx, {"mail": make_mail_handler(wrong, ctx.mailbox_address, clock)}
        ).deliver_due()
        assert server.received == []
        with ctx.read() as s:
            item = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mail"))
        assert (
            item is not None and item.status == "pending" and "refused" in (item.last_error or "")
        )
        right = f"smtp://conduct:p%40ss%20word@127.0.0.1:{server.port}?tls=off"
        clock.advance(minutes=5)
        OutboxDispatcher(
            ctx, {"mail": make_mail_handler(right, ctx.mailbox_address, clock)}
        ).deliver_due()
        assert server.logins == ["conduct"] and len(server.received) == 1
    finally:
        server.stop()


def test_subject_is_one_line(
    ctx: ServiceContext, roster: list[str], smtp_server: SmtpServer
) -> None:
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1, "free_form")
    mail = _draft_to_mail(draft, subject="Hello\r\nBcc: evil@example.com", body="Hi.")
    mail_service.send_mail(ctx, actor("U0BEN0002"), 1, mail, smtp_enabled=True)
    _dispatcher(ctx, smtp_server).deliver_due()
    [got] = smtp_server.received
    assert got.message["Subject"] == "[CoC #1] Hello Bcc: evil@example.com"
    assert got.message["Bcc"] is None and "evil@example.com" not in got.rcpt_tos


def test_slack_notices_about_mail_carry_no_content() -> None:
    from slack_coc.slack.blocks.messages import MessageInput
    from slack_coc.slack.blocks.messages import render as render_message

    for name in ("mail_reply_received", "mail_review_requested", "mail_review_declined"):
        rendered = render_message(MessageInput(name, {"case_number": 7, "mail_id": 3}))
        assert "#7" in rendered.text
        assert "@" not in rendered.text.replace("<@", "")


@pytest.mark.timeout(5)
def test_placeholder_check_is_linear_on_a_long_body(ctx: ServiceContext, roster: list[str]) -> None:
    """Unclosed "[write " slots: the placeholder pattern once rescanned the rest of the body
    from every "[", and ran before the length check (a 500,000-character body held the
    interpreter lock for about 20 s)."""
    new_case(ctx, reporter_contact=REPORTER)
    draft = mail_service.compose(ctx, actor("U0BEN0002"), 1, "free_form")
    unclosed = ("[write " * (MAX_BODY // 7))[:MAX_BODY]
    _draft_to_mail(draft, body=unclosed).validate()  # no placeholder: it has no "]"
    with pytest.raises(InvalidInput) as err:
        _draft_to_mail(draft, body=unclosed[:-20] + "[write this]").validate()
    assert err.value.field == "body"
    with pytest.raises(InvalidInput, match="under"):
        _draft_to_mail(draft, body=unclosed * 10).validate()
