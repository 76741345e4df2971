"""The HTTP iCalendar feed behind COC_ICAL_TOKEN (the WSGI function, called directly)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_coc.config import Settings
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from slack_coc.slack.ical_feed import serve_ical
from tests.factories import TEAM, add_roster


def get(rt: Runtime, query: str) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(serve_ical(rt, {"QUERY_STRING": query}, start_response))
    return seen["status"], seen["headers"], body


def test_feed_needs_the_token(ctx: Any, engine: Any, database_url: str) -> None:
    add_roster(ctx)
    rota.generate(ctx, TEAM, date(2026, 11, 23), 2)
    off = Runtime(Settings(DATABASE_URL=database_url), engine, ctx)
    assert get(off, "token=x")[0].startswith("404")
    on = Runtime(Settings(DATABASE_URL=database_url, COC_ICAL_TOKEN="s3cret-feed"), engine, ctx)
    assert get(on, "")[0].startswith("403")
    assert get(on, "token=wrong")[0].startswith("403")
    status, headers, body = get(on, "token=s3cret-feed")
    assert status.startswith("200") and headers["Content-Type"].startswith("text/calendar")
    assert body.count(b"BEGIN:VEVENT") == 4
