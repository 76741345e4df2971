"""The rota: generation, set/show, absences, cover requests, iCalendar, CLI."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import Conflict, InvalidInput, NotPermitted
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.services import rota
from slack_coc.services.rota_cover import accept_cover, request_cover
from slack_coc.services.rota_ical import render_ics
from tests.conftest import TEST_KEY
from tests.factories import TEAM, add_roster

MONDAY = date(2026, 11, 23)


def test_generate_is_round_robin_balanced_and_never_repeats_a_primary(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    weeks = rota.generate(ctx, TEAM, MONDAY, 10).written
    assert len(weeks) == 10
    primaries = [w.primary_user_id for w in weeks]
    assert all(a != b for a, b in itertools.pairwise(primaries))
    assert all(w.primary_user_id != w.secondary_user_id for w in weeks)
    load = Counter(u for w in weeks for u in (w.primary_user_id, w.secondary_user_id))
    assert set(load) == {"U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"}
    assert max(load.values()) - min(load.values()) <= 1
    assert max(Counter(primaries).values()) - min(Counter(primaries).values()) <= 1
    assert weeks[0].starts_at.isoformat() == "2026-11-23T12:00:00+00:00"


def test_generate_keeps_weeks_set_by_hand_and_two_members_alternate(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx, count=2)
    rota.set_week(ctx, TEAM, MONDAY, "U0BEN0002", "U0ANA0001")
    result = rota.generate(ctx, TEAM, MONDAY, 4)
    assert [w.primary_user_id for w in result.kept] == ["U0BEN0002"]
    assert [w.primary_user_id for w in result.written] == ["U0ANA0001", "U0BEN0002", "U0ANA0001"]
    replaced = rota.generate(ctx, TEAM, MONDAY, 1, replace=True)
    assert len(replaced.written) == 1


def test_absent_member_is_skipped(ctx: ServiceContext) -> None:
    add_roster(ctx, count=3)
    rota.add_absence(ctx, TEAM, "U0ANA0001", date(2026, 11, 20), date(2026, 12, 10))
    weeks = rota.generate(ctx, TEAM, MONDAY, 3).written
    assert all("U0ANA0001" not in (w.primary_user_id, w.secondary_user_id) for w in weeks)
    later = rota.generate(ctx, TEAM, date(2026, 12, 14), 1).written[0]
    assert "U0ANA0001" in (later.primary_user_id, later.secondary_user_id)


def test_set_and_show_validate_input(ctx: ServiceContext) -> None:
    add_roster(ctx)
    with pytest.raises(InvalidInput, match="Wednesday"):
        rota.set_week(ctx, TEAM, date(2026, 11, 25), "U0ANA0001", "U0BEN0002")
    with pytest.raises(InvalidInput, match="two people"):
        rota.set_week(ctx, TEAM, MONDAY, "U0ANA0001", "U0ANA0001")
    with pytest.raises(InvalidInput, match="not an active member"):
        rota.set_week(ctx, TEAM, MONDAY, "U0ANA0001", "U0NOBODY99")
    rota.set_week(ctx, TEAM, MONDAY, "U0ANA0001", "U0BEN0002")
    rota.set_week(ctx, TEAM, MONDAY, "U0CAT0003", "U0BEN0002")  # changing a week
    # at the test clock (Monday 10:00) the week of the 23rd has not started yet
    this, following = rota.this_and_next(ctx, TEAM)
    assert this is None and following is not None
    assert following.primary_user_id == "U0CAT0003"
    assert [w.primary_user_id for w in rota.show(ctx, TEAM)] == ["U0CAT0003"]


def test_cover_request_first_to_accept_takes_the_slot(ctx: ServiceContext) -> None:
    add_roster(ctx)
    rota.set_week(ctx, TEAM, MONDAY, "U0ANA0001", "U0BEN0002")
    rota.add_absence(ctx, TEAM, "U0EVE0005", MONDAY, date(2026, 11, 30))
    view = request_cover(ctx, Actor(TEAM, "U0ANA0001"))
    assert view.slot == "primary"
    assert set(view.asked_user_ids) == {"U0CAT0003", "U0DAN0004"}  # not the partner, not away
    with pytest.raises(NotPermitted):
        accept_cover(ctx, Actor(TEAM, "U0ANA0001"), view.request_id)
    with pytest.raises(Conflict):
        accept_cover(ctx, Actor(TEAM, "U0BEN0002"), view.request_id)  # holds the other slot
    taken = accept_cover(ctx, Actor(TEAM, "U0DAN0004"), view.request_id)
    assert taken.taker_user_id == "U0DAN0004"
    with pytest.raises(Conflict, match="already taken"):
        accept_cover(ctx, Actor(TEAM, "U0CAT0003"), view.request_id)
    week = rota.show(ctx, TEAM)[0]
    assert (week.primary_user_id, week.secondary_user_id) == ("U0DAN0004", "U0BEN0002")
    with ctx.read() as session:
        told = session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.dedupe_key.like("cover:%taken%"))
        ).all()
    assert sorted(told) == ["U0ANA0001", "U0DAN0004"]


def test_ical_feed_is_rfc5545(ctx: ServiceContext) -> None:
    add_roster(ctx)
    rota.generate(ctx, TEAM, MONDAY, 3)
    ics = render_ics(ctx, TEAM)
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == 6
    assert "DTSTART:20261123T120000Z" in ics and "DTEND:20261130T120000Z" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    uids = [line for line in ics.split("\r\n") if line.startswith("UID:")]
    assert len(set(uids)) == 6


def test_oncall_cli(ctx: ServiceContext, database_url: str, tmp_path: Path) -> None:
    add_roster(ctx)
    env = {
        "DATABASE_URL": database_url,
        "COC_ENCRYPTION_KEYS": TEST_KEY,
        "COC_TEAM_ID": TEAM,
        "PATH": "/usr/bin:/bin",
    }
    cli = str(Path(sys.executable).with_name("slack-coc"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cli, "oncall", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    # The CLI reads the real clock: dates relative to this week, not fixed ones that pass.
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    generated = run("generate", "--start", str(monday - timedelta(days=7)), "--weeks", "3")
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout.count("primary U0") == 3
    tuesday = str(monday + timedelta(days=1))
    bad = run("set", tuesday, "--primary", "U0ANA0001", "--secondary", "U0BEN0002")
    assert bad.returncode == 1 and "Tuesday" in bad.stderr and "Traceback" not in bad.stderr
    ok = run("set", str(monday), "--primary", "U0ANA0001", "--secondary", "U0BEN0002")
    assert ok.returncode == 0, ok.stderr
    away_from, away_to = str(today), str(today + timedelta(days=4))
    away = run("away", "U0CAT0003", "--from", away_from, "--to", away_to)
    assert away.returncode == 0, away.stderr
    shown = run("show")
    assert f"{monday} 12:00Z\tprimary U0ANA0001\tsecondary U0BEN0002" in shown.stdout
    assert f"away\tU0CAT0003\t{away_from} to {away_to}" in shown.stdout
    ical = run("ical")
    assert ical.returncode == 0 and ical.stdout.count("BEGIN:VEVENT") == 6
