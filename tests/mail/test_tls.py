"""imaps://, imap:// with STARTTLS, and smtps://, with real certificate checks (a throwaway CA
trusted through SSL_CERT_FILE). An untrusted certificate reads as "offline", never as a
silent fallback to plain text."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.jobs.delivery_errors import RetryLater
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.mail.poller import poll_once
from slack_coc.mail.sender import SmtpTarget, check_smtp, make_mail_handler, send_message
from slack_coc.services import mail as mail_service
from slack_coc.services.mail import OutgoingMail
from tests.conftest import actor
from tests.factories import new_case
from tests.mail.conftest import Mailbox, make_runtime
from tests.mail.messages import plain
from tests.mail.servers import (
    IMAP_PASSWORD,
    IMAP_USER,
    Dovecot,
    SmtpServer,
    _Collector,
    free_port,
    run_dovecot,
)
from tests.mail.tls import TlsFiles, make_tls_files


@pytest.fixture
def tls_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="coc-tls-"))
    root.chmod(0o755)  # Dovecot's own processes read the passwd file and mail below it
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def tls(tls_root: Path) -> TlsFiles:
    (tls_root / "certs").mkdir()
    return make_tls_files(tls_root / "certs")


@pytest.fixture
def tls_dovecot(tls_root: Path, tls: TlsFiles) -> Iterator[Dovecot]:
    with run_dovecot(tls_root / "dovecot", tls) as server:
        yield server


def test_imaps_and_starttls_with_a_trusted_certificate(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    roster: list[str],
    tls: TlsFiles,
    tls_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))
    tls_dovecot.append(plain("by imaps"))
    imaps = f"imaps://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{tls_dovecot.imaps_port}/INBOX"
    assert poll_once(make_runtime(engine, clock, IMAP_URL=imaps)) == 1
    tls_dovecot.append(plain("by imap with STARTTLS"))
    starttls = f"imap://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{tls_dovecot.port}/INBOX"
    assert poll_once(make_runtime(engine, clock, IMAP_URL=starttls)) == 1
    logins = [
        line
        for line in (tls_dovecot.root / "dovecot.log").read_text().splitlines()
        if "Login: user=<conduct>" in line
    ]
    # The helper's own appends log in over plain text; both polls came over TLS.
    assert sum(", TLS," in line for line in logins) == 2


def test_untrusted_certificate_is_offline_not_plain_text(
    engine: Engine,
    clock: FrozenClock,
    tls_dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent-ca.pem")
    tls_dovecot.append(plain("waits"))
    imaps = f"imaps://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{tls_dovecot.imaps_port}/INBOX"
    caplog.set_level(logging.WARNING)
    assert poll_once(make_runtime(engine, clock, IMAP_URL=imaps)) == 0
    assert "offline" in caplog.text and "SSL" in caplog.text


def test_smtps_delivers_with_a_trusted_certificate_and_retries_without(
    ctx: ServiceContext,
    clock: FrozenClock,
    roster: list[str],
    tls: TlsFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = SmtpServer(free_port(), _Collector(), tls=tls)
    server.start()
    try:
        new_case(ctx, reporter_contact="rae@example.net")
        draft = mail_service.compose(ctx, actor("U0BEN0002"), 1)
        mail_service.send_mail(
            ctx,
            actor("U0BEN0002"),
            1,
            OutgoingMail(draft.template, draft.to, draft.subject, draft.body),
            smtp_enabled=True,
        )
        assert server.url.startswith("smtps://")
        dispatcher = OutboxDispatcher(
            ctx, {"mail": make_mail_handler(server.url, ctx.mailbox_address, clock)}
        )
        monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent-ca.pem")
        assert dispatcher.deliver_due() == 0 and server.received == []
        monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca))
        clock.advance(minutes=5)
        dispatcher.deliver_due()
        assert len(server.received) == 1
    finally:
        server.stop()


def test_imap_without_starttls_is_refused_unless_the_url_says_tls_off(
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The test Dovecot offers no STARTTLS: a plain imap:// URL must not log in over plain
    text (it used to fall back silently); only the explicit `?tls=off` may."""
    mailbox.append(plain("waits for TLS"))
    strict = mailbox.url.removesuffix("?tls=off")
    assert strict.startswith("imap://") and "tls=off" not in strict
    caplog.set_level(logging.WARNING)
    assert poll_once(make_runtime(engine, clock, IMAP_URL=strict)) == 0
    assert "STARTTLS" in caplog.text
    assert poll_once(make_runtime(engine, clock, IMAP_URL=mailbox.url)) == 1


def test_smtp_without_starttls_is_refused_unless_the_url_says_tls_off(
    smtp_server: SmtpServer,
) -> None:
    strict = smtp_server.url.removesuffix("?tls=off")
    assert strict.startswith("smtp://") and "tls=off" not in strict
    reason = check_smtp(SmtpTarget.from_url(strict))
    assert reason is not None and "STARTTLS" in reason
    with pytest.raises(RetryLater, match="STARTTLS"):
        send_message(SmtpTarget.from_url(strict), EmailMessage())
    assert smtp_server.received == []
    assert check_smtp(SmtpTarget.from_url(smtp_server.url)) is None
