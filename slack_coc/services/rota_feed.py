"""Each workspace's secret for its rota calendar feed (`GET /oncall.ics?team=T...&token=...`).

There used to be one deployment-wide token, and `?team=` read any workspace's rota with it.
Now the token is a keyed digest of the workspace id and a generation number: it is never
stored (nothing to leak from the database), a token of one workspace cannot match another's,
a chair issues a new one from `/coc setup` (the generation goes up, the old link stops
working), and it keeps working through `keys rotate` until the old key is removed.
"""

from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from slack_coc.context import Actor, ServiceContext
from slack_coc.crypto import lookup_digest, lookup_digests
from slack_coc.domain.models import Workspace
from slack_coc.services.access import require_member

FEED_PATH = "/oncall.ics"
_GENERATION = "ical_feed_generation"  # in Workspace.settings


def _generation(workspace: Workspace | None) -> int:
    return int((workspace.settings or {}).get(_GENERATION, 0)) if workspace else 0


def _subject(team_id: str, generation: int) -> str:
    return f"ical-feed:{team_id}:{generation}"


def feed_path(ctx: ServiceContext, actor: Actor) -> str:
    """The member's feed link (path and query; the app's address goes in front)."""
    with ctx.read() as session:
        require_member(session, actor)
        return feed_path_in(session, actor.team_id)


def feed_path_in(session: Session, team_id: str) -> str:
    """The workspace's feed link, inside the caller's transaction (for a member only)."""
    token = lookup_digest(_subject(team_id, _generation(session.get(Workspace, team_id))))
    return f"{FEED_PATH}?team={team_id}&token={token}"


def feed_link(public_url: str | None, path: str) -> str:
    """How a member is shown their link: whole when the app's address is known."""
    base = (public_url or "").rstrip("/")
    if base:
        return (
            f"<{base}{path}|Subscribe to the rota in your calendar> (this link is yours to "
            "keep private: it is the workspace's calendar secret)."
        )
    return f"Rota calendar feed: `{path}` on the app's address (keep it private)."


def token_matches(ctx: ServiceContext, team_id: str, token: str) -> bool:
    """True when `token` is this workspace's current feed secret (under any configured key)."""
    if not token:
        return False
    with ctx.read() as session:
        workspace = session.get(Workspace, team_id)
        if workspace is None or not workspace.active:
            return False
        expected = lookup_digests(_subject(team_id, _generation(workspace)))
    return any(hmac.compare_digest(token.encode(), e.encode()) for e in expected)


def rotate(session: Session, workspace: Workspace) -> None:
    """A new secret for the workspace's feed; the old link stops working at once."""
    settings = dict(workspace.settings or {})
    settings[_GENERATION] = _generation(workspace) + 1
    workspace.settings = settings
