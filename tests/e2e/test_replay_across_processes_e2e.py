"""A replayed signed request reaching another web process is still taken once (PostgreSQL:
the processes share what they have seen through the database)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from slack_coc.clock import FrozenClock
from slack_coc.domain.models import Case
from slack_coc.slack.modals.report import log_report_modal
from tests.conftest import PG_URL
from tests.e2e.conftest import build_server, e2e_settings
from tests.e2e.harness import encode_interactive, sign
from tests.factories import add_roster
from tests.fakeslack import FakeSlack


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set COC_TEST_DATABASE_URL (CI sets it)")
def test_replay_to_a_second_web_process_logs_no_second_case(
    fake_slack: FakeSlack, database_url: str, engine: Engine, clock: FrozenClock
) -> None:
    from slack_coc.runtime import build_runtime

    servers: list[Any] = []
    try:
        for _ in range(2):  # two apps, two pools: as two gunicorn workers
            rt = build_runtime(e2e_settings(fake_slack, database_url), clock=clock)
            servers.append(build_server(fake_slack, rt))
        add_roster(servers[0].rt.ctx)
        view = {**log_report_modal(), "id": "V0REPLAY02"}
        values = {"account": {"account": {"type": "plain_text_input", "value": "once"}}}
        body = encode_interactive(servers[0].payloads.view_submission("U0BEN0002", view, values))
        ts = int(time.time())
        signature = sign(servers[0].secret, str(ts), body)
        assert servers[0].post(body, timestamp=ts, signature=signature).status == 200
        replay = servers[1].post(body, timestamp=ts, signature=signature)
        assert replay.status == 200
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Case)) == 1
    finally:
        for server in servers:
            server.close()
            server.rt.engine.dispose()
