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
        workspace = session.get(Workspace, actor.team_id)
        token = lookup_digest(_subject(actor.team_id, _generation(workspace)))
    return f"{FEED_PATH}?team={actor.team_id}&token={token}"


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
