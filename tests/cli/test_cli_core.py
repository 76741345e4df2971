"""CLI: one clear line and a non-zero exit on bad input; nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.db import make_engine, make_session_factory
from slack_coc.domain.models import Member
from tests.conftest import TEST_KEY

TEAM = "T0TEAM0001"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    for name in ("COC_TEAM_ID", "SLACK_BOT_TOKEN", "COC_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", TEST_KEY)
    assert run_cli(app, ["db", "upgrade"]) == 0
    return db


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(app, args)
    out = capsys.readouterr()
    return code, out.out, out.err


def member_count(db: Path) -> int:
    engine = make_engine(f"sqlite:///{db}")
    with make_session_factory(engine)() as s:
        count = s.scalar(select(func.count()).select_from(Member)) or 0
    engine.dispose()
    return count


def test_members_add_list_remove(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli(["members", "add", "U0ANA0001", "--name", "Ana", "--chair", "--team", TEAM], capsys)[0]
        == 0
    )
    code, out, _ = cli(["members", "list"], capsys)  # the only workspace is found
    assert code == 0 and "U0ANA0001\tAna\t(chair)" in out
    assert cli(["members", "remove", "U0ANA0001"], capsys)[0] == 0
    assert "no members yet" in cli(["members", "list"], capsys)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["members", "add", "nobody", "--name", "X", "--team", TEAM], "is not a Slack user id"),
        (["members", "add", "U0ANA0001", "--name", " ", "--team", TEAM], "display name"),
        (["members", "remove", "U0GHOST01", "--team", TEAM], "is not a member"),
        (["members", "list"], "which workspace?"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _out, err = cli(args, capsys)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert member_count(cli_env) == 0


def test_duplicate_member_refused_and_nothing_changes(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(["members", "add", "U0ANA0001", "--name", "Ana", "--team", TEAM], capsys)
    code, _out, err = cli(
        ["members", "add", "U0ANA0001", "--name", "Other", "--team", TEAM], capsys
    )
    assert code == 1 and "already a member" in err
    assert member_count(cli_env) == 1


def test_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", TEST_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    code, _out, err = cli(["members", "list", "--team", TEAM], capsys)
    assert code == 1 and err.startswith("error: DATABASE_URL: the database does not answer")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "not-a-token", "SLACK_BOT_TOKEN: must start with xoxb-"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL: must be an SQLAlchemy URL"),
        ("COC_POLICY_FILE", "/nonexistent/policy.toml", "COC_POLICY_FILE: no such file"),
        ("COC_CHANNEL_ID", "general", "COC_CHANNEL_ID: must be a Slack channel id"),
        ("COC_ENCRYPTION_KEYS", "short", "COC_ENCRYPTION_KEYS: each key must be"),
    ],
)
def test_malformed_setting_stops_with_the_variable_named(
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    code, _out, err = cli(["members", "list", "--team", TEAM], capsys)
    assert code == 1
    assert expected in err and len(err.strip().splitlines()) == 1


def test_console_script_runs_and_explains_itself(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slack_coc", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0
    for command in ("db", "members", "cases", "serve", "check", "tick", "oncall", "records"):
        assert command in result.stdout


def test_missing_dev_key_warns_once_then_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COC_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'dev.db'}")
    code, _out, err = cli(["db", "upgrade"], capsys)
    assert code == 0 and "COC_ENCRYPTION_KEYS is not set" in err
    assert (tmp_path / "dev.db.key").exists()
    code, _out, err = cli(["db", "upgrade"], capsys)
    assert code == 0 and err == ""


def test_check_explains_what_to_configure_then_says_ready(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "COC_CHANNEL_ID", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    code, out, _err = cli(["check"], capsys)
    assert code == 1 and "SLACK_BOT_TOKEN" in out and "To get going" in out
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")  # offline: not verified
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("COC_CHANNEL_ID", "C0COCGROUP")
    code, out, _err = cli(["check"], capsys)
    assert code == 0 and out.rstrip().endswith("ready: slack-coc serve")
