"""`GET /oncall.ics?token=...`: the rota as an iCalendar feed members can subscribe to.

Off (404) unless COC_ICAL_TOKEN is set; a missing or wrong token gets 403. The workspace
is `?team=T...`, else COC_TEAM_ID, else the only workspace in the database.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select

from slack_coc.domain.models import Workspace
from slack_coc.runtime import Runtime
from slack_coc.services.rota_ical import render_ics

ICAL_PATH = "/oncall.ics"

StartResponse = Callable[..., Any]


def _plain(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _team(rt: Runtime, wanted: str | None) -> str | None:
    if wanted:
        return wanted
    if rt.settings.COC_TEAM_ID:
        return rt.settings.COC_TEAM_ID
    with rt.ctx.read() as session:
        teams = list(session.scalars(select(Workspace.team_id).where(Workspace.active.is_(True))))
    return teams[0] if len(teams) == 1 else None


def serve_ical(
    rt: Runtime, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    secret = rt.settings.COC_ICAL_TOKEN
    if not secret:
        return _plain(start_response, "404 Not Found", "not found")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    given = (query.get("token") or [""])[0]
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _plain(start_response, "403 Forbidden", "forbidden")
    team_id = _team(rt, (query.get("team") or [None])[0])
    if team_id is None:
        return _plain(start_response, "400 Bad Request", "which workspace? add ?team=T0123456789")
    body = render_ics(rt.ctx, team_id).encode("utf-8")
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", 'inline; filename="oncall.ics"'),
            ("Cache-Control", "private, max-age=300"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]
