"""A message the poll cannot read (MIME nested hundreds of levels deep) is filed nowhere,
but never lost in silence: the group is told in its channel (without content) and the raw
message is kept encrypted, readable by a member with `slack-coc mail show` (issue 22)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.mail_models import MailMessage
from slack_coc.domain.models import Case
from slack_coc.mail.parse import MAX_MIME_DEPTH, parse_message
from slack_coc.mail.poller import poll_once
from slack_coc.queues.outbox_models import OutboxMessage
from tests.conftest import TEAM, TEST_KEY
from tests.mail.conftest import Mailbox, make_runtime, plaintext_dump

MARKER = "ZQXDEEPMIMEQXZ"


def nested(depth: int, text: str = MARKER) -> bytes:
    head = (
        "From: Rae <rae@example.net>\r\nSubject: deep\r\nMessage-ID: <deep@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
    )
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    inner = f"Content-Type: text/plain\r\n\r\n{text}\r\n"
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + opening + inner + closing).encode()


@pytest.mark.parametrize("depth", [MAX_MIME_DEPTH + 1, 500, 3000])
def test_parsing_a_deeply_nested_message_never_raises(depth: int) -> None:
    parsed = parse_message(nested(depth))
    assert parsed.unreadable and parsed.malformed
    assert any("could not be read" in n for n in parsed.notes)


def test_ordinary_nesting_is_read() -> None:
    parsed = parse_message(nested(6))
    assert not parsed.unreadable and MARKER in parsed.body


def test_unreadable_mail_is_kept_and_the_group_is_told(
    ctx: ServiceContext,
    engine: Engine,
    clock: FrozenClock,
    mailbox: Mailbox,
    roster: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from slack_coc.slack.blocks.messages import MessageInput
    from slack_coc.slack.blocks.messages import render as render_message

    mailbox.append(nested(500))
    poll_once(make_runtime(engine, clock, IMAP_URL=mailbox.url))
    with ctx.read() as s:
        assert list(s.scalars(select(Case))) == []
        [kept] = list(s.scalars(select(MailMessage)))
        assert kept.flags.get("unfiled") and kept.raw is not None and MARKER in kept.raw
        notices = [
            o
            for o in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "channel"))
            if o.payload.get("template") == "mail_unreadable"
        ]
        kept_id = kept.id
    assert len(notices) == 1 and notices[0].payload["mail_id"] == kept_id
    assert MARKER not in str(notices[0].payload)
    text = render_message(MessageInput("mail_unreadable", notices[0].payload)).text
    assert "could not be read" in text and f"slack-coc mail show {kept_id}" in text
    assert MARKER not in plaintext_dump(engine)  # the raw message is encrypted at rest
    # The poll moved on: the next message is filed as usual, the unreadable one not again.
    poll_once(make_runtime(engine, clock, IMAP_URL=mailbox.url))
    with ctx.read() as s:
        assert len(list(s.scalars(select(MailMessage)))) == 1
    # A member reads it from the command line.
    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    monkeypatch.setenv("COC_TEAM_ID", TEAM)
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", TEST_KEY)
    assert run_cli(app, ["mail", "show", str(kept_id)]) == 0
    out = capsys.readouterr()
    assert MARKER in out.out and "could not be read" in out.err
    assert run_cli(app, ["mail", "show", str(kept_id + 1)]) == 1
