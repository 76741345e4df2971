"""Keys (issue 22): no silent per-process key file outside SQLite, the development key file
never world-readable, and `keys rotate` covering the stored Slack tokens and checking that
nothing still needs an old key before it says so."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text
from sqlalchemy.engine import Engine

from slack_coc import crypto
from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.cli.keys import still_needing_old_keys
from slack_coc.config import ConfigError, load_settings
from slack_coc.context import ServiceContext
from slack_coc.runtime import Runtime, build_runtime
from slack_coc.slack.oauth import WorkspaceClients, installation_store
from tests.conftest import TEAM, TEST_KEY

BOT_TOKEN = "xoxb-1-2-ZQXROTATEBOTQXZ"
USER_TOKEN = "xoxp-1-2-ZQXROTATEUSERQXZ"


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://postgres@127.0.0.1:5432/nothing", "mysql://u@h/db"],
)
def test_no_keys_on_a_shared_database_refuses_to_start(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COC_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match=r"^COC_ENCRYPTION_KEYS is required"):
        build_runtime(load_settings())
    assert run_cli(app, ["db", "upgrade"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "COC_ENCRYPTION_KEYS" in err
    assert list(tmp_path.iterdir()) == []  # no key file made up on the side


def test_dev_key_file_is_private_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created 0600 (not written world-readable, then chmod-ed): with chmod unavailable
    and a permissive umask the file is still private."""
    monkeypatch.setattr(crypto.os, "chmod", lambda *a, **k: None)
    old = os.umask(0)
    try:
        crypto.configure_from_settings(None, f"sqlite:///{tmp_path / 'dev.db'}")
    finally:
        os.umask(old)
        crypto.keyring.configure([TEST_KEY])
    key_file = tmp_path / "dev.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Fernet(key_file.read_text().strip().encode())
    assert [p.name for p in tmp_path.iterdir()] == ["dev.db.key"]  # no temporary left


def test_processes_racing_for_the_dev_key_file_share_one_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    keys: list[bytes] = []

    def start() -> None:
        crypto.configure_from_settings(None, url)
        keys.append(crypto.keyring.newest.encrypt(b"x"))

    try:
        threads = [threading.Thread(target=start) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        only = Fernet((tmp_path / "race.db.key").read_text().strip().encode())
        assert len(keys) == 8 and all(only.decrypt(k) == b"x" for k in keys)
    finally:
        crypto.keyring.configure([TEST_KEY])


def _install(engine: Engine, ctx: ServiceContext) -> Runtime:
    settings = load_settings(SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="shh")
    rt = Runtime(settings, engine, ctx)
    installation_store(rt).save(
        Installation(
            app_id="A1",
            team_id=TEAM,
            team_name="Django",
            bot_token=BOT_TOKEN,
            bot_id="B1",
            bot_user_id="U0BOT",
            user_id="U0ANA0001",
            user_token=USER_TOKEN,
            bot_scopes=["chat:write"],
        )
    )
    return rt


def test_rotate_re_encrypts_the_stored_slack_tokens(
    database_url: str,
    engine: Engine,
    ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rt = _install(engine, ctx)
    new_key = Fernet.generate_key().decode()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COC_ENCRYPTION_KEYS", f"{new_key},{TEST_KEY}")
    try:
        assert run_cli(app, ["keys", "rotate"]) == 0
        out = capsys.readouterr().out
        assert "every value needs only the newest key" in out
        assert "older keys can now be removed" in out
        crypto.keyring.configure([new_key])  # the old key removed, as the command said
        assert WorkspaceClients(rt).for_team(TEAM).token == BOT_TOKEN
        found = installation_store(rt).find_installation(enterprise_id=None, team_id=TEAM)
        assert found is not None and found.user_token == USER_TOKEN
        assert still_needing_old_keys(engine) == {}
    finally:
        crypto.keyring.configure([TEST_KEY])


def test_rotate_does_not_say_old_keys_can_go_while_a_value_needs_one(
    engine: Engine, ctx: ServiceContext
) -> None:
    """A token written under the old key after the rotation (another process still on the
    old configuration): the check finds it, by table and column."""
    _install(engine, ctx)
    new_key = Fernet.generate_key().decode()
    crypto.keyring.configure([new_key, TEST_KEY])
    try:
        assert still_needing_old_keys(engine)["slack_bots.bot_token"] == 1
        late = "enc:" + Fernet(TEST_KEY.encode()).encrypt(b"xoxb-late").decode()
        with engine.begin() as conn:
            conn.execute(text("UPDATE slack_installations SET bot_token = :t"), {"t": late})
        stale = still_needing_old_keys(engine)
        assert stale["slack_installations.bot_token"] == 1
    finally:
        crypto.keyring.configure([TEST_KEY])
