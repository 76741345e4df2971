"""`/coc records`, `/coc stats`, `/coc identity`, `/coc access`, `/coc merge` over signed
HTTP against the fake Slack (which checks every call against Slack's reference)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from slack_coc.read_models import cases as queries
from slack_coc.services import identity
from tests.conftest import actor
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, wait_for
from tests.e2e.test_case_flow_e2e import calls_count, modal_after, reply_after
from tests.factories import add_roster
from tests.records.conftest import ANA, BEN, decided_case

NAME = "ZQXSLACK-person"
ACCOUNT = "ZQXSLACK-narrative"


def seeded(server: AppServer) -> int:
    ctx = server.rt.ctx
    add_roster(ctx)
    clock = ctx.clock
    now = clock.now()
    number = decided_case(
        ctx,
        clock,
        datetime(2026, 2, 2, tzinfo=UTC),
        "warning",
        account=ACCOUNT,
        involved_names=[NAME],
    )
    clock.set(now)
    return number


def uploads_after(server: AppServer, before: int) -> list[dict[str, object]]:
    def found() -> list[dict[str, object]] | None:
        calls = [
            c
            for c in server.fake.attempts()[before:]
            if c.method == "files.completeUploadExternal" and c.ok
        ]
        return [c.params for c in calls] or None

    return list(wait_for(found, what="an upload"))


def test_records_go_to_the_chairs_dm_as_a_file_never_the_channel(app_server: AppServer) -> None:
    server = app_server
    seeded(server)
    before = calls_count(server)
    assert server.command(ANA, "records").status == 200
    reply = reply_after(server, before)
    assert "1 row(s)" in reply and "direct message" in reply
    (params,) = uploads_after(server, before)
    assert params["channel_id"] != CHANNEL and str(params["channel_id"]).startswith("D")
    assert server.fake.calls("files.getUploadURLExternal")
    (content,) = server.fake.uploads.values()
    assert content.decode().startswith("Date of Report,Case Code Name,Person Code Name,")
    text = server.fake.all_text()
    assert NAME not in text and ACCOUNT not in text


def test_records_and_stats_are_refused_to_a_member_who_is_not_a_chair(
    app_server: AppServer,
) -> None:
    server = app_server
    seeded(server)
    for command in ("records", "stats 2026", "identity", "access 1"):
        before = calls_count(server)
        server.command(BEN, command)
        assert "Only a chair" in reply_after(server, before), command
    assert server.fake.uploads == {}
    assert not server.fake.attempts("views.open")


def test_stats_posts_the_anonymised_report_and_charts_to_the_channel(
    app_server: AppServer,
) -> None:
    server = app_server
    seeded(server)
    before = calls_count(server)
    server.command(ANA, "stats 2026")
    assert "Posted the transparency report 2026" in reply_after(server, before)
    (params,) = uploads_after(server, before)
    assert params["channel_id"] == CHANNEL
    files = params["files"]
    files = json.loads(files) if isinstance(files, str) else files
    assert isinstance(files, list)
    assert len(files) == 4
    contents = list(server.fake.uploads.values())
    assert sum(c.startswith(b"\x89PNG") for c in contents) == 3
    assert any(c.startswith(b"# Transparency report 2026") for c in contents)
    before = calls_count(server)
    server.command(ANA, "stats 2026-H3")
    assert "unknown period" in reply_after(server, before)


def test_identity_key_only_in_a_modal_to_a_chair(
    app_server: AppServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="slack_coc")
    server = app_server
    seeded(server)
    before = calls_count(server)
    server.command(ANA, "identity")
    view = modal_after(server, before)
    assert NAME in json.dumps(view) and "1 report(s)" in json.dumps(view)
    outside_modals = [c for c in server.fake.attempts() if not c.method.startswith("views.")]
    assert not any(NAME in s for c in outside_modals for s in c.strings())
    assert NAME not in caplog.text and ACCOUNT not in caplog.text


def test_access_log_and_merge(app_server: AppServer) -> None:
    server = app_server
    number = seeded(server)
    queries.case_detail(server.rt.ctx, actor(BEN), number, via="modal")
    before = calls_count(server)
    server.command(ANA, f"access {number}")
    reply = reply_after(server, before)
    assert f"<@{BEN}> modal" in reply
    decided_case(
        server.rt.ctx,
        server.rt.ctx.clock,
        datetime(2026, 3, 2, tzinfo=UTC),
        "warning",
        involved_names=["Another"],
    )
    people = {e.code_name for e in identity.identity_key(server.rt.ctx, actor(ANA))}
    first, second = sorted(people)
    before = calls_count(server)
    server.command(BEN, f"merge {first} into {second}")
    wait_for(lambda: any(c.method == "response_url" for c in server.fake.attempts()[before:]))
    question = next(c for c in server.fake.attempts()[before:] if c.method == "response_url")
    button = question.params["blocks"][1]["elements"][0]
    before = calls_count(server)
    server.click(BEN, button["action_id"], button["value"])
    assert f"Merged {first} into {second}" in reply_after(server, before)
