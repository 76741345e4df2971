"""Settings and policy: defaults from the process documents, TOML overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from slack_coc.config import ConfigError, Policy, load_settings


def test_policy_defaults_follow_the_process() -> None:
    p = Policy()
    assert (p.initial_response_hours, p.any_member_after_hours) == (12, 24)
    assert (p.reporter_response_days, p.resolution_target_days, p.deadlock_days) == (7, 7, 7)
    assert (p.handover_weekday, p.handover_hour_utc) == (0, 12)
    assert p.decision_rule == "two_members"
    assert p.retention_months["resolved"] == 14


def test_policy_file_overrides_and_merges(tmp_path: Path) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(
        '[policy]\ndecision_rule = "consensus_two_thirds"\ninitial_response_hours = 6\n'
        "[policy.retention_months]\nresolved = 20\n"
    )
    p = Policy.load(str(f))
    assert p.decision_rule == "consensus_two_thirds" and p.initial_response_hours == 6
    assert p.retention_months["resolved"] == 20 and p.retention_months["flagged"] == 26


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('decision_rule = "dice"', "decision_rule must be one of"),
        ("initial_response_hours = 'soon'", "must be a number"),
        ("unknown_key = 1", "unknown policy key"),
        ("not toml at all [", "is not valid TOML"),
    ],
)
def test_bad_policy_file_is_one_clear_line(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "policy.toml"
    f.write_text(body)
    with pytest.raises(ConfigError) as err:
        Policy.load(str(f))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_settings_normalise_postgres_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert load_settings().DATABASE_URL.startswith("postgresql+psycopg://")


def test_require_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as err:
        load_settings().require("SLACK_BOT_TOKEN")
    assert str(err.value).startswith("SLACK_BOT_TOKEN is required")
