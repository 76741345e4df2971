"""The mailbox poll against a real Dovecot on loopback."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.db import make_engine
from slack_coc.domain.mail_models import MailAttachment, MailMessage
from slack_coc.domain.models import Case, CaseEvent, Party
from slack_coc.mail import filing
from slack_coc.mail.poller import poll_once
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import cases
from tests.conftest import TEAM, actor
from tests.mail.conftest import Mailbox, make_runtime, plaintext_dump
from tests.mail.messages import plain

MARKER = "ZQXMARKER"


def _poll(engine: Engine, clock: FrozenClock, mailbox: Mailbox) -> int:
    return poll_once(make_runtime(engine, clock, IMAP_URL=mailbox.url))


def _cases(ctx: ServiceContext) -> list[Case]:
    with ctx.read() as s:
        return list(s.scalars(select(Case).order_by(Case.number)))


def _events(ctx: ServiceContext, case_id: int, kind: str | None = None) -> list[CaseEvent]:
    with ctx.read() as s:
        q = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        if kind:
            q = q.where(CaseEvent.kind == kind)
        return list(s.scalars(q))


def test_new_thread_becomes_a_case_with_the_sender_as_reporter(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mailbox.append(
        plain(
            f"He shouted at me {MARKER}.",
            subject=f"Report {MARKER}SUBJ",
            sender=f"Rae {MARKER}NAME <rae.{MARKER.lower()}@example.net>",
        )
    )
    assert _poll(engine, clock, mailbox) == 1
    [case] = _cases(ctx)
    assert case.source == "email"
    assert MARKER in case.details["account"] and f"{MARKER}SUBJ" in case.details["account"]
    with ctx.read() as s:
        reporter = s.scalar(select(Party).where(Party.case_id == case.id, Party.role == "reporter"))
        mail = s.scalar(select(MailMessage))
    assert reporter is not None and reporter.contact == f"rae.{MARKER.lower()}@example.net"
    assert reporter.name == f"Rae {MARKER}NAME"
    assert mail is not None and mail.case_id == case.id and mail.raw and MARKER in mail.raw
    assert [e.kind for e in _events(ctx, case.id)][:2] == ["logged", "mail_received"]
    # Confidentiality: the marker is nowhere in logs or unencrypted columns.
    assert MARKER not in caplog.text and MARKER.lower() not in caplog.text
    dump = plaintext_dump(engine)
    assert MARKER not in dump and MARKER.lower() not in dump


def test_each_message_is_filed_once_across_polls_and_restarts(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    mailbox.append(plain("first report"))
    mailbox.append(plain("second report"))
    assert _poll(engine, clock, mailbox) == 2
    assert _poll(engine, clock, mailbox) == 0
    # A restart: a new engine, session factory and runtime on the same database.
    fresh = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        assert _poll(fresh, clock, mailbox) == 0
    finally:
        fresh.dispose()
    mailbox.append(plain("third report"))
    assert _poll(engine, clock, mailbox) == 1
    assert [c.number for c in _cases(ctx)] == [1, 2, 3]


def test_reply_by_threading_headers_goes_on_the_timeline_and_tells_the_shepherd(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    mailbox.append(plain("the report", message_id="<first@example.net>"))
    assert _poll(engine, clock, mailbox) == 1
    cases.acknowledge(ctx, actor("U0BEN0002"), 1)
    cases.assign_shepherd(ctx, actor("U0CAT0003"), 1)
    mailbox.append(
        plain(f"more detail {MARKER}", subject="Re: something", in_reply_to="<first@example.net>")
    )
    assert _poll(engine, clock, mailbox) == 1
    [case] = _cases(ctx)
    [_received, reply] = _events(ctx, case.id, "mail_received")
    assert reply.data["reply"] is True and MARKER in (reply.note or "")
    with ctx.read() as s:
        dms = list(
            s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "dm", OutboxMessage.recipient == "U0CAT0003"
                )
            )
        )
    told = [d for d in dms if d.payload.get("template") == "mail_reply_received"]
    assert len(told) == 1
    assert told[0].payload == {"template": "mail_reply_received", "case_number": 1}


def test_reply_by_subject_tag_without_headers(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    mailbox.append(plain("the report"))
    mailbox.append(plain("an answer", subject="Re: [CoC #1] We received your report"))
    assert _poll(engine, clock, mailbox) == 2
    [case] = _cases(ctx)
    assert len(_events(ctx, case.id, "mail_received")) == 2
    with ctx.read() as s:
        notices = list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "channel")))
    assert any(n.payload.get("template") == "mail_reply_received" for n in notices)


def test_multipart_html_only_and_latin1_bodies_are_read(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    alt = EmailMessage()
    alt["From"], alt["Subject"], alt["Message-ID"] = "a@example.net", "alt", "<alt@example.net>"
    alt.set_content("plain version ALTPLAIN")
    alt.add_alternative("<p>html version</p>", subtype="html")
    alt.add_attachment(
        b"%PDF-1.4 evidence", maintype="application", subtype="pdf", filename="evidence.pdf"
    )
    html = EmailMessage()
    html["From"], html["Subject"], html["Message-ID"] = "b@example.net", "html", "<h@example.net>"
    html.set_content(
        "<html><body><p>Only &amp; HTMLONLY</p><script>x()</script></body></html>", subtype="html"
    )
    latin = (
        "From: c@example.net\r\nSubject: =?iso-8859-1?q?r=E9union?=\r\n"
        "Message-ID: <l@example.net>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Il a cri\xe9 pendant la r\xe9union.\r\n"
    ).encode("latin-1")
    for raw in (alt.as_bytes(), html.as_bytes(), latin):
        mailbox.append(raw)
    assert _poll(engine, clock, mailbox) == 3
    first, second, third = (c.details["account"] for c in _cases(ctx))
    assert "ALTPLAIN" in first and "html version" not in first
    assert "Only & HTMLONLY" in second and "x()" not in second and "<p>" not in second
    assert "Il a crié pendant la réunion." in third and "réunion" in third.splitlines()[0]
    with ctx.read() as s:
        [attachment] = s.scalars(select(MailAttachment)).all()
    assert attachment.filename == "evidence.pdf" and attachment.size == 17


def test_forwarded_local_report_is_flagged_already_handled(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    body = (
        "We handled this at the meetup; sharing for your records.\n\n"
        "---------- Forwarded message ---------\nFrom: someone\n\nThe original report."
    )
    mailbox.append(plain(body, subject="Fwd: incident at the meetup"))
    assert _poll(engine, clock, mailbox) == 1
    [case] = _cases(ctx)
    assert case.handled_locally is True
    [note] = _events(ctx, case.id, "mail_note")
    assert "already handled?" in (note.note or "")
    # The responder confirms: keep on file is now possible.
    cases.keep_on_file(ctx, actor("U0ANA0001"), 1)
    assert _cases(ctx)[0].state == "resolved"


def test_bad_mail_is_noted_and_never_blocks_the_others(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    malformed = (
        b"From: m@example.net\r\nSubject: broken\r\nMessage-ID: <m@example.net>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n'
        b"--zz\r\nContent-Type: text/plain\r\n\r\nMALFORMEDTEXT\r\n"  # no closing boundary
    )
    big = EmailMessage()
    big["From"], big["Subject"], big["Message-ID"] = "big@example.net", "big", "<big@example.net>"
    big.set_content("see the attached video BIGTEXT")
    big.add_attachment(
        b"\0" * (20 * 1024 * 1024), maintype="video", subtype="mp4", filename="video.mp4"
    )
    no_from = plain("who sent this NOFROMTEXT", sender=None, message_id="<nf@example.net>")
    original = plain("the original ORIGTEXT", message_id="<dup@example.net>")
    duplicate = plain("the same again", message_id="<dup@example.net>")
    good = plain("a good report GOODTEXT")
    for raw in (malformed, big.as_bytes(), no_from, original, duplicate, good):
        mailbox.append(raw)
    caplog.set_level(logging.INFO)
    assert _poll(engine, clock, mailbox) == 5
    accounts = [c.details["account"] for c in _cases(ctx)]
    assert len(accounts) == 5
    for marker, account in zip(
        ("MALFORMEDTEXT", "BIGTEXT", "NOFROMTEXT", "ORIGTEXT", "GOODTEXT"), accounts, strict=True
    ):
        assert marker in account
    notes = {c.number: [e.note or "" for e in _events(ctx, c.id, "mail_note")] for c in _cases(ctx)}
    assert any("MIME structure is damaged" in n for n in notes[1])
    assert any("too large to keep" in n and "UID 2" in n for n in notes[2])
    assert any("no usable sender" in n for n in notes[3])
    assert "already filed" in caplog.text and "uid 5" in caplog.text
    with ctx.read() as s:
        video = s.scalar(select(MailAttachment).where(MailAttachment.content_type == "video/mp4"))
    assert video is not None and video.size == 20 * 1024 * 1024 and video.content_b64 is None
    assert mailbox.server.count() >= 0  # the mailbox is untouched (read-only)


def test_a_message_that_fails_to_file_is_kept_and_the_rest_go_on(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = filing.file_message

    def explode_on_second(session, ctx_, team_id, raw, size, complete, uidvalidity, uid):  # type: ignore[no-untyped-def]
        if uid == 2:
            raise RuntimeError("boom")
        return real(session, ctx_, team_id, raw, size, complete, uidvalidity, uid)

    monkeypatch.setattr("slack_coc.mail.poller.file_message", explode_on_second)
    for body in ("one", f"two {MARKER}", "three"):
        mailbox.append(plain(body))
    assert _poll(engine, clock, mailbox) == 2
    assert len(_cases(ctx)) == 2
    with ctx.read() as s:
        unfiled = s.scalar(select(MailMessage).where(MailMessage.case_id.is_(None)))
    assert unfiled is not None and unfiled.raw and MARKER in unfiled.raw
    assert "uid 2 could not be filed (RuntimeError)" in caplog.text
    assert _poll(engine, clock, mailbox) == 0  # not retried forever, not duplicated


def test_mailbox_offline_is_one_clear_log_line_and_nothing_is_lost(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.mail.servers import free_port

    mailbox.append(plain("waiting in the mailbox"))
    offline = mailbox.url.replace(f":{mailbox.server.port}/", f":{free_port()}/")
    assert poll_once(make_runtime(engine, clock, IMAP_URL=offline)) == 0
    lines = [r.getMessage() for r in caplog.records if "offline" in r.getMessage()]
    assert len(lines) == 1 and "nothing was read" in lines[0]
    assert _cases(ctx) == []
    assert _poll(engine, clock, mailbox) == 1  # back online: the message is filed


def test_wrong_password_reads_as_offline(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import shutil
    import tempfile
    from pathlib import Path

    from tests.mail.servers import run_dovecot

    # Its own Dovecot: a failed login makes Dovecot slow down later logins from this address.
    root = Path(tempfile.mkdtemp(prefix="coc-dovecot-"))
    try:
        with run_dovecot(root) as server:
            bad = server.url.replace("not-a-real-secret", "wrong")
            assert poll_once(make_runtime(engine, clock, IMAP_URL=bad)) == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert "offline" in caplog.text and "AUTHENTICATIONFAILED" in caplog.text
    assert "wrong" not in caplog.text


def test_no_imap_url_does_nothing(engine: Engine, clock: FrozenClock) -> None:
    assert poll_once(make_runtime(engine, clock, IMAP_URL=None)) == 0


def test_team_is_required(
    engine: Engine, clock: FrozenClock, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    rt = make_runtime(engine, clock, IMAP_URL=mailbox.url, COC_TEAM_ID=None)
    assert poll_once(rt) == 0
    assert "COC_TEAM_ID" in caplog.text
    assert TEAM


def test_renumbered_mailbox_is_reread_without_filing_twice(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from slack_coc.domain.mail_models import MailboxCursor

    mailbox.append(plain("one"))
    mailbox.append(plain("two"))
    assert _poll(engine, clock, mailbox) == 2
    with ctx.transaction() as s:  # as if the server had rebuilt its index
        cursor = s.scalar(select(MailboxCursor))
        assert cursor is not None and cursor.last_uid == 2
        cursor.uidvalidity += 1
    mailbox.append(plain("three"))
    assert _poll(engine, clock, mailbox) == 1
    assert "renumbered" in caplog.text
    assert [c.number for c in _cases(ctx)] == [1, 2, 3]


def test_two_pollers_at_once_file_each_message_once(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    import threading

    for n in range(6):
        mailbox.append(plain(f"report {n}"))
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(_poll(engine, clock, mailbox))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(results) == 6
    assert [c.number for c in _cases(ctx)] == [1, 2, 3, 4, 5, 6]


def test_tag_from_an_unknown_sender_is_flagged(
    ctx: ServiceContext, engine: Engine, clock: FrozenClock, mailbox: Mailbox, roster: list[str]
) -> None:
    mailbox.append(plain("the report"))  # from rae@example.net
    mailbox.append(plain("me again", subject="Re: [CoC #1] hello"))
    mailbox.append(
        plain("let me see", subject="[CoC #1] curious", sender="Nosy <nosy@example.com>")
    )
    assert _poll(engine, clock, mailbox) == 3
    [case] = _cases(ctx)
    flagged = [
        e for e in _events(ctx, case.id, "mail_note") if "not seen on this case" in (e.note or "")
    ]
    assert len(flagged) == 1
    with ctx.read() as s:
        mails = list(s.scalars(select(MailMessage).order_by(MailMessage.id)))
    assert [any("not seen" in n for n in (m.notes or [])) for m in mails] == [False, False, True]
