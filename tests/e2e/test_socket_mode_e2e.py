"""`slack-coc serve --socket` as a real process against Slack's Socket Mode end (a WebSocket
server of the fake): it opens the connection with the app-level token, acknowledges each
envelope within Slack's three seconds, and works on it as in HTTP mode: a member's `/coc list`
is answered, "Open case" opens the case to a member and is refused to an outsider."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slack_coc.slack.ids import Action, Callback
from tests.conftest import TEAM, TEST_KEY
from tests.e2e.conftest import CHANNEL, e2e_settings
from tests.e2e.harness import Payloads, wait_for
from tests.factories import add_roster, new_case
from tests.fakeslack import FakeSlack
from tests.fakeslack.socket_mode import SocketModeServer

ANA, OUTSIDER = "U0ANA0001", "U0OUTSID99"
MARKER = "QUOLL-SOCKET-2290"


@pytest.fixture
def socket_served(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[SocketModeServer, Any]]:
    from slack_coc import migrate
    from slack_coc.runtime import build_runtime

    database_url = f"sqlite:///{tmp_path / 'socket.db'}"
    rt = build_runtime(e2e_settings(fake_slack, database_url))
    migrate.upgrade(rt.engine)
    server = SocketModeServer()
    fake_slack.socket_mode = server
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN=fake_slack.token,
        SLACK_APP_TOKEN=fake_slack.app_token,
        SLACK_API_URL=fake_slack.url,
        DATABASE_URL=database_url,
        COC_CHANNEL_ID=CHANNEL,
        COC_ENCRYPTION_KEYS=TEST_KEY,
    )
    log = (tmp_path / "socket.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "slack_coc", "serve", "--socket", "--no-scheduler"],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:

        def connected() -> bool:
            assert process.poll() is None, (tmp_path / "socket.log").read_text()
            return server.connected()

        wait_for(connected, timeout=30, what="serve --socket to connect")
        yield server, rt
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        server.close()
        rt.engine.dispose()


def test_socket_mode_serves_commands_and_clicks(
    socket_served: tuple[SocketModeServer, Any], fake_slack: FakeSlack
) -> None:
    server, rt = socket_served
    assert [c.method for c in fake_slack.calls("apps.connections.open")]
    add_roster(rt.ctx)
    case = new_case(rt.ctx, account=f"Report {MARKER}")
    payloads = Payloads(TEAM, fake_slack)

    listed = server.send("slash_commands", payloads.slash_command(ANA, "list"))
    assert server.answer(listed)["envelope_id"] == listed  # acknowledged within 3 s
    reply = wait_for(lambda: fake_slack.calls("response_url"), timeout=10, what="the list")
    assert f"#{case.number}" in reply[0].text and MARKER not in reply[0].text

    click = payloads.block_actions(ANA, Action.OPEN_CASE.value, str(case.number))
    server.answer(server.send("interactive", click))
    opened = wait_for(lambda: fake_slack.calls("views.open"), timeout=10, what="the case")
    assert opened[0].params["view"]["callback_id"] == Callback.CASE_DETAIL.value
    assert MARKER in str(opened[0].params["view"])  # a member may read the report

    before = len(fake_slack.calls("response_url"))
    refused = payloads.block_actions(OUTSIDER, Action.OPEN_CASE.value, str(case.number))
    server.answer(server.send("interactive", refused))
    told = wait_for(lambda: fake_slack.calls("response_url")[before:], timeout=10,
                    what="the refusal")  # fmt: skip
    assert "member" in told[0].text.lower()
    assert len(fake_slack.calls("views.open")) == 1  # nothing opened for the outsider
    assert MARKER not in "".join(c.text for c in fake_slack.calls("response_url"))
    fake_slack.assert_clean()
