"""`slack-coc mail check / poll / templates` against the real loopback servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from tests.conftest import TEAM
from tests.mail.conftest import Mailbox
from tests.mail.messages import plain
from tests.mail.servers import SmtpServer, free_port


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("COC_TEAM_ID", TEAM)
    for name in (
        "SLACK_BOT_TOKEN",
        "COC_ENCRYPTION_KEYS",
        "COC_POLICY_FILE",
        "IMAP_URL",
        "SMTP_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    assert run_cli(app, ["db", "upgrade"]) == 0
    return db


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(app, args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_reports_each_server(
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mailbox: Mailbox,
    smtp_server: SmtpServer,
) -> None:
    code, out, _ = _run(["mail", "check"], capsys)
    assert code == 0 and "IMAP_URL is not set" in out and "SMTP_URL is not set" in out
    monkeypatch.setenv("IMAP_URL", mailbox.url)
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    code, out, _ = _run(["mail", "check"], capsys)
    assert code == 0 and "IMAP conduct@127.0.0.1" in out and ": ok (UIDVALIDITY" in out
    assert f"SMTP 127.0.0.1:{smtp_server.port}: ok" in out
    assert smtp_server.received == []  # nothing was sent
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    code, out, err = _run(["mail", "check"], capsys)
    assert code == 1 and "not reachable" in out and err.count("\n") == 1
    assert "not-a-real-secret" not in out + err


def test_poll_files_new_mail(
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mailbox: Mailbox,
) -> None:
    code, _, err = _run(["mail", "poll"], capsys)
    assert code == 1 and "IMAP_URL is not set" in err
    monkeypatch.setenv("IMAP_URL", mailbox.url)
    mailbox.append(plain("a report"))
    assert _run(["mail", "poll"], capsys)[:2] == (0, "1 message(s) filed\n")
    assert _run(["mail", "poll"], capsys)[:2] == (0, "0 message(s) filed\n")


def test_templates_are_listed(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["mail", "templates"], capsys)
    assert code == 0 and "acknowledgement_local" in out and "final_outcome" in out
