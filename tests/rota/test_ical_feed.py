"""The HTTP iCalendar feed: each workspace's own secret (the WSGI function, called directly).
It used to be one deployment-wide COC_ICAL_TOKEN with which `?team=` read any workspace."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.fernet import Fernet

from slack_coc import crypto
from slack_coc.config import Settings
from slack_coc.context import Actor
from slack_coc.runtime import Runtime
from slack_coc.services import members, rota, rota_feed, workspaces
from slack_coc.slack.ical_feed import serve_ical
from tests.conftest import OTHER_TEAM, TEST_KEY
from tests.factories import TEAM, add_roster

ANA = "U0ANA0001"
OLGA = "U0OLGA0001"


def get(rt: Runtime, query: str) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(serve_ical(rt, {"QUERY_STRING": query}, start_response))
    return seen["status"], seen["headers"], body


def _token(ctx: Any, team: str, user: str) -> str:
    query = parse_qs(urlsplit(rota_feed.feed_path(ctx, Actor(team, user))).query)
    assert query["team"] == [team]
    return query["token"][0]


def _two_workspaces(ctx: Any) -> None:
    add_roster(ctx)
    rota.generate(ctx, TEAM, date(2026, 11, 23), 2)
    members.add_member(ctx, OTHER_TEAM, OLGA, "Olga", chair=True)
    workspaces.install(ctx, TEAM)
    workspaces.install(ctx, OTHER_TEAM)


def test_each_workspace_has_its_own_feed_secret(ctx: Any, engine: Any, database_url: str) -> None:
    _two_workspaces(ctx)
    rt = Runtime(Settings(DATABASE_URL=database_url), engine, ctx)
    mine, other = _token(ctx, TEAM, ANA), _token(ctx, OTHER_TEAM, OLGA)
    assert mine != other and len(mine) >= 32
    status, headers, body = get(rt, f"team={TEAM}&token={mine}")
    assert status.startswith("200") and headers["Content-Type"].startswith("text/calendar")
    assert body.count(b"BEGIN:VEVENT") == 4
    assert get(rt, f"team={TEAM}")[0].startswith("403")
    assert get(rt, f"team={TEAM}&token=wrong")[0].startswith("403")
    # Never across workspaces: the other workspace's secret does not read this rota.
    assert get(rt, f"team={TEAM}&token={other}")[0].startswith("403")
    assert get(rt, f"team={OTHER_TEAM}&token={mine}")[0].startswith("403")


def test_a_chair_issues_a_new_secret_and_the_old_link_stops(
    ctx: Any, engine: Any, database_url: str
) -> None:
    _two_workspaces(ctx)
    rt = Runtime(Settings(DATABASE_URL=database_url), engine, ctx)
    old, other = _token(ctx, TEAM, ANA), _token(ctx, OTHER_TEAM, OLGA)
    workspaces.update_settings(ctx, Actor(TEAM, ANA), new_feed_secret=True)
    new = _token(ctx, TEAM, ANA)
    assert new != old
    assert get(rt, f"team={TEAM}&token={old}")[0].startswith("403")
    assert get(rt, f"team={TEAM}&token={new}")[0].startswith("200")
    assert _token(ctx, OTHER_TEAM, OLGA) == other  # the other workspace's link is unchanged


def test_the_link_survives_a_key_rotation_until_the_old_key_goes(
    ctx: Any, engine: Any, database_url: str
) -> None:
    _two_workspaces(ctx)
    rt = Runtime(Settings(DATABASE_URL=database_url), engine, ctx)
    token = _token(ctx, TEAM, ANA)
    new_key = Fernet.generate_key().decode()
    try:
        crypto.keyring.configure([new_key, TEST_KEY])
        assert get(rt, f"team={TEAM}&token={token}")[0].startswith("200")
    finally:
        crypto.keyring.configure([TEST_KEY])


def test_only_members_get_the_link(ctx: Any) -> None:
    import pytest

    from slack_coc.domain.errors import DomainError

    _two_workspaces(ctx)
    with pytest.raises(DomainError):
        rota_feed.feed_path(ctx, Actor(TEAM, "U0STRANGE9"))
    with pytest.raises(DomainError):
        rota_feed.feed_path(ctx, Actor(TEAM, OLGA))  # a member of the other workspace only


def test_app_home_shows_a_member_their_feed_link_and_a_stranger_none(ctx: Any) -> None:
    from dataclasses import replace

    from slack_coc.read_models.home import home_data
    from slack_coc.slack.blocks.home import build_home

    _two_workspaces(ctx)
    token = _token(ctx, TEAM, ANA)
    homed = replace(ctx, public_url="https://coc.example.org/")
    data = home_data(homed, Actor(TEAM, ANA))
    assert data.feed is not None
    link = f"https://coc.example.org/oncall.ics?team={TEAM}&token={token}"
    assert link in data.feed
    assert link in str(build_home(data))
    # Without the app's address the path is shown, to put after it.
    assert f"`/oncall.ics?team={TEAM}&token={token}`" in str(home_data(ctx, Actor(TEAM, ANA)).feed)
    stranger = home_data(homed, Actor(TEAM, "U0STRANGE9"))
    assert stranger.feed is None and token not in str(build_home(stranger))
    # Another workspace's member sees their own workspace's secret, never this one.
    assert token not in str(home_data(homed, Actor(OTHER_TEAM, OLGA)).feed)
