"""`slack-coc serve` as a process: it upgrades a fresh database, answers /healthz, takes a
signed report, and delivers the card and the reporter's DM within seconds without any tick."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slack_coc.config import load_settings
from slack_coc.runtime import build_runtime
from slack_coc.slack.ids import Shortcut
from slack_coc.slack.modals.report import report_concern_modal
from tests.conftest import TEAM, TEST_KEY
from tests.e2e.harness import SIGNING_SECRET, Payloads, encode_interactive, post_signed, wait_for
from tests.factories import add_roster
from tests.fakeslack import FakeSlack

CHANNEL = "C0COCGROUP"
REPORTER = "U0REPORT01"
MARKER = "PANGOLIN-SERVE-6620"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "slack_coc", *args]


@pytest.fixture
def serve_env(fake_slack: FakeSlack, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN=fake_slack.token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        COC_CHANNEL_ID=CHANNEL,
        COC_ENCRYPTION_KEYS=TEST_KEY,
    )
    return env


@pytest.fixture
def served(serve_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        _cli("serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"),
        env=serve_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError("serve exited: " + (tmp_path / "serve.log").read_text())
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
                return bool(resp.status == 200 and json.loads(resp.read()) == {"ok": True})
        except OSError:
            return False

    try:
        wait_for(healthy, timeout=30, what="serve to answer /healthz")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_serve_takes_a_report_and_delivers_without_a_tick(
    served: str, serve_env: dict[str, str], fake_slack: FakeSlack
) -> None:
    settings = load_settings(
        DATABASE_URL=serve_env["DATABASE_URL"], COC_ENCRYPTION_KEYS=TEST_KEY, SLACK_BOT_TOKEN=None
    )
    rt = build_runtime(settings)
    add_roster(rt.ctx)  # the schema exists: serve upgraded the empty database
    rt.engine.dispose()

    payloads = Payloads(TEAM, fake_slack)
    form: dict[str, Any] = {**report_concern_modal(), "id": "V0SERVE001"}
    submission = payloads.view_submission(
        REPORTER,
        form,
        {"account": {"account": {"type": "plain_text_input", "value": f"Report {MARKER}"}}},
    )
    response = post_signed(
        served + "/slack/events",
        encode_interactive(submission),
        "application/x-www-form-urlencoded",
        SIGNING_SECRET,
    )
    assert response.status == 200, response.text
    assert response.json()["response_action"] == "update"

    wait_for(lambda: fake_slack.messages(CHANNEL), timeout=10, what="the case card")
    wait_for(lambda: fake_slack.dms(REPORTER), timeout=10, what="the reporter's receipt DM")
    assert MARKER not in fake_slack.all_text()
    shortcut = post_signed(
        served + "/slack/events",
        encode_interactive(payloads.global_shortcut(REPORTER, Shortcut.REPORT_CONCERN.value)),
        "application/x-www-form-urlencoded",
        SIGNING_SECRET,
    )
    assert shortcut.status == 200
    wait_for(lambda: fake_slack.calls("views.open"), timeout=10, what="the report form")


def test_serve_names_a_missing_setting_in_one_line(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    for missing in ("SLACK_SIGNING_SECRET", "COC_CHANNEL_ID", "SLACK_BOT_TOKEN"):
        env = {k: v for k, v in serve_env.items() if k != missing}
        done = subprocess.run(
            _cli("serve", "--port", "1"),
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and missing in lines[0], done.stderr
    socket_env = {k: v for k, v in serve_env.items() if k != "SLACK_SIGNING_SECRET"}
    done = subprocess.run(
        _cli("serve", "--socket"),
        env=socket_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1 and "SLACK_APP_TOKEN" in done.stderr
