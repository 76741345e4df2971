"""`GET /oncall.ics?team=T...&token=...`: the rota as an iCalendar feed members subscribe to.

Each workspace has its own secret (`services.rota_feed`; a member finds the link in
`/coc oncall`, a chair issues a new one from `/coc setup`); a missing or wrong token, or one
of another workspace, gets 403. The workspace is `?team=T...`, else COC_TEAM_ID, else the
only workspace in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import select

from slack_coc.domain.models import Workspace
from slack_coc.runtime import Runtime
from slack_coc.services.rota_feed import FEED_PATH, token_matches
from slack_coc.services.rota_ical import render_ics

ICAL_PATH = FEED_PATH

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
    query = parse_qs(environ.get("QUERY_STRING", ""))
    given = (query.get("token") or [""])[0]
    team_id = _team(rt, (query.get("team") or [None])[0])
    if team_id is None:
        return _plain(start_response, "400 Bad Request", "which workspace? add ?team=T0123456789")
    if not token_matches(rt.ctx, team_id, given):
        return _plain(start_response, "403 Forbidden", "forbidden")
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
