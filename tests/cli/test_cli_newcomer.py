"""Errors a newcomer meets say what to do, in one line: a database without the schema, an
unknown workspace, an unknown revision; `db downgrade base` asks first; `check` asks Slack
(the fake) whether the bot token works."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.context import SchemaMissing, ServiceContext
from tests.conftest import TEST_KEY
from tests.fakeslack.server import FakeSlack

TEAM = "T0TEAM0001"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SQLite file: the schema is not there until `db upgrade`."""
    db = tmp_path / "new.db"
    db.touch()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", TEST_KEY)
    for name in (
        "COC_TEAM_ID",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_API_URL",
        "SLACK_CLIENT_ID",
        "COC_CHANNEL_ID",
        "COC_POLICY_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    return db


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(app, args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "args",
    [
        ["members", "list", "--team", TEAM],
        ["members", "add", "U0ANA0001", "--name", "Ana", "--team", TEAM],
        ["cases", "list", "--team", TEAM],
        ["records", "export", "--team", TEAM],
    ],
)
def test_a_database_without_the_schema_says_run_db_upgrade(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _out, err = cli(args, capsys)
    assert code == 1
    assert err.strip().splitlines() == [
        "error: The case database has no tables yet: run `slack-coc db upgrade`."
    ]


def test_an_unknown_team_is_refused_once_the_database_knows_one(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(["db", "upgrade"], capsys)[0] == 0
    assert cli(["members", "add", "U0ANA0001", "--name", "Ana", "--team", TEAM], capsys)[0] == 0
    code, _out, err = cli(["members", "list", "--team", "T0TYPO0001"], capsys)
    assert code == 1
    assert err.strip() == f"error: --team: unknown workspace T0TYPO0001; this database knows {TEAM}"
    monkeypatch.setenv("COC_TEAM_ID", "T0TYPO0002")
    code, _out, err = cli(["members", "list"], capsys)
    assert code == 1 and "COC_TEAM_ID: unknown workspace T0TYPO0002" in err
    code, out, _err = cli(["members", "list", "--team", TEAM], capsys)
    assert code == 0 and "U0ANA0001" in out


def test_db_downgrade_to_an_unknown_revision_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["db", "upgrade"], capsys)[0] == 0
    code, _out, err = cli(["db", "downgrade", "nope"], capsys)
    assert code == 1
    assert err.strip() == "error: db downgrade nope: Can't locate revision identified by 'nope'"


def test_db_downgrade_base_asks_first(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(["db", "upgrade"], capsys)[0] == 0
    assert cli(["members", "add", "U0ANA0001", "--name", "Ana", "--team", TEAM], capsys)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, err = cli(["db", "downgrade", "base"], capsys)
    assert code == 1 and "Drop every table" in out and "Aborted." in err
    assert "U0ANA0001" in cli(["members", "list"], capsys)[1]  # nothing dropped
    code, out, _err = cli(["db", "downgrade", "base", "--yes"], capsys)
    assert code == 0 and out.strip() == "database at base"
    assert "run `slack-coc db upgrade`" in cli(["members", "list", "--team", TEAM], capsys)[2]


def test_check_verifies_the_bot_token_with_auth_test(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_slack: FakeSlack,
) -> None:
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake_slack.token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("COC_CHANNEL_ID", "C0COCGROUP")
    code, out, _err = cli(["check"], capsys)
    assert code == 0, out
    assert "✓ SLACK_BOT_TOKEN works: workspace" in out and f"({fake_slack.team_id})" in out
    assert [c.method for c in fake_slack.calls("auth.test")] == ["auth.test"]

    fake_slack.fail("auth.test", status=200, error="invalid_auth")
    code, out, _err = cli(["check"], capsys)
    assert code == 1
    assert "✗ SLACK_BOT_TOKEN: Slack refused it (invalid_auth)" in out


def test_seeded_demo_cases_show_marked_and_stay_out_of_records_and_statistics(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["db", "upgrade"], capsys)[0] == 0
    assert cli(["members", "add", "U0ANA0001", "--name", "Ana", "--team", TEAM], capsys)[0] == 0
    assert cli(["cases", "seed", "--count", "12", "--seed", "1"], capsys)[0] == 0

    code, out, _err = cli(["cases", "list", "--all"], capsys)
    rows = out.strip().splitlines()
    assert code == 0 and len(rows) == 12
    assert all(row.split("\t")[3].startswith("demo") for row in rows)
    assert cli(["cases", "list", "--all", "--no-demo"], capsys)[1].strip() == "no cases"

    code, out, err = cli(["records", "export"], capsys)  # CSV: the records alone
    assert code == 0 and len(out.strip().splitlines()) == 1  # the header: no real record
    assert "demo rows left out" in err and "--format md" in err
    code, out, _err = cli(["records", "export", "--format", "md"], capsys)
    real, demo = out.split("**Demo**")
    assert real.strip().count("\n") == 1  # header and rule of an empty records table
    assert "not part of the records" in demo and demo.count(" | #") >= 12

    code, out, _err = cli(["transparency", "--period", "2026"], capsys)
    real, demo = out.split("# Demo: Transparency report 2026")
    assert "| 2026 | 0 |" in real  # no real report counted
    assert "not part of the statistics" in demo and "| 2026 | 0 |" not in demo


def test_a_missing_table_reads_as_schema_missing_on_either_backend(ctx: ServiceContext) -> None:
    """SQLite's "no such table" and PostgreSQL's undefined_table (42P01) both say what to do;
    any other programming error is not dressed up as a missing schema."""
    for unit in (ctx.read, ctx.transaction):
        with (
            pytest.raises(SchemaMissing, match=r"run `slack-coc db upgrade`"),
            unit() as session,
        ):
            session.execute(text("SELECT 1 FROM coc_no_such_table"))
    with pytest.raises(Exception) as caught, ctx.read() as session:
        session.execute(text("SELECT no_such_column FROM member"))
    assert not isinstance(caught.value, SchemaMissing)
