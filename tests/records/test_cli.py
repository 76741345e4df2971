"""The records, transparency, retention, keys and seed commands, through `run_cli`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.reports.records import RECORD_COLUMNS
from tests.conftest import TEAM, TEST_KEY
from tests.factories import add_roster
from tests.records.conftest import decided_case


@pytest.fixture
def env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ctx: ServiceContext
) -> ServiceContext:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", TEST_KEY)
    monkeypatch.setenv("COC_TEAM_ID", TEAM)
    for name in ("SLACK_BOT_TOKEN", "COC_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return ctx


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(app, args)
    out = capsys.readouterr()
    return code, out.out, out.err


def one_case(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    decided_case(
        ctx, clock, datetime(2026, 2, 2, tzinfo=UTC), "warning", involved_names=["ZQXCLI name"]
    )


@pytest.mark.parametrize("period", ["2026-H3", "H1", "2026-1"])
def test_bad_period_is_one_line(
    env: ServiceContext, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    code, out, err = cli(["transparency", "--period", period], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: unknown period")


def test_transparency_to_stdout_and_to_a_directory(
    env: ServiceContext, clock: FrozenClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_case(env, clock)
    code, out, _ = cli(["transparency", "--period", "2026"], capsys)
    assert code == 0 and out.startswith("# Transparency report 2026")
    code, out, _ = cli(["transparency", "--period", "2026-H1", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("Period,Reports,People Named")
    code, out, _ = cli(
        ["transparency", "--period", "2026-H1", "--out", str(tmp_path / "r")], capsys
    )
    assert code == 0
    written = sorted(Path(p).name for p in out.split())
    assert "transparency-2026-H1.md" in written
    pngs = [n for n in written if n.endswith(".png")]
    assert len(pngs) == 3
    for name in pngs:
        assert (tmp_path / "r" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = cli(
        ["transparency", "--period", "2026", "--format", "csv", "--out", str(tmp_path / "c")],
        capsys,
    )
    assert code == 0 and len([n for n in out.split() if n.endswith(".csv")]) == 6


def test_records_export_to_stdout_and_file(
    env: ServiceContext, clock: FrozenClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_case(env, clock)
    code, out, _ = cli(["records", "export"], capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == list(RECORD_COLUMNS) and len(rows) == 2
    assert "ZQXCLI" not in out
    target = tmp_path / "records.md"
    code, out, err = cli(["records", "export", "--format", "md", "--out", str(target)], capsys)
    assert code == 0 and out == "" and "wrote 1 records" in err
    assert target.read_text().startswith("| Date of Report |")
    code, _, err = cli(["records", "export", "--format", "xlsx"], capsys)
    assert code == 2 and "xlsx" in err
    code, _, err = cli(["records", "export", "--out", str(tmp_path / "no" / "such" / "f")], capsys)
    assert code == 1 and err.startswith("error: --out") and err.count("\n") == 1


def test_retention_dry_run_then_sweep(
    env: ServiceContext, clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    add_roster(env)
    decided_case(env, clock, datetime(2025, 1, 6, tzinfo=UTC), "not_a_violation")
    decided_case(env, clock, datetime(2025, 1, 7, tzinfo=UTC), "warning")
    code, out, _ = cli(["retention", "--dry-run"], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert "not_a_violation\tdue now" in lines[0] and "flagged\tdue 2027-03-12" in lines[1]
    code, out, _ = cli(["retention"], capsys)
    assert code == 0 and out.strip() == "expunged personal data of 1 case(s)"
    assert len(cli(["retention", "--dry-run"], capsys)[1].splitlines()) == 1


def test_keys_generate_and_rotate(
    env: ServiceContext,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_case(env, clock)
    code, out, _ = cli(["keys", "generate"], capsys)
    new_key = out.strip()
    assert code == 0 and Fernet(new_key.encode())
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", f"{new_key},{TEST_KEY}")
    code, out, _ = cli(["keys", "rotate"], capsys)
    assert code == 0 and out.startswith("re-encrypted ")
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", new_key)
    code, out, _ = cli(["records", "export"], capsys)
    assert code == 0 and len(out.splitlines()) == 2


def test_seed_adds_synthetic_cases_that_nothing_counts(
    env: ServiceContext, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(["cases", "seed", "--count", "40", "--seed", "5"], capsys)
    assert code == 0 and out.strip() == "seeded 40 synthetic cases #1-#40"
    code, out, _ = cli(["records", "export"], capsys)
    assert out.splitlines() == [",".join(RECORD_COLUMNS)]
    code, _, err = cli(["cases", "seed", "--count", "0"], capsys)
    assert code == 1 and err.startswith("error: --count")
