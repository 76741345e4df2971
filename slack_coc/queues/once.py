"""Once only, across processes: has this request (or event) been taken already?"""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError, OperationalError

from slack_coc.context import ServiceContext
from slack_coc.queues.request_models import SeenRequest

PURGE_EVERY = 500
_calls = itertools.count(1)


def first_time(ctx: ServiceContext, key: str, keep_seconds: float) -> bool:
    """True the first time `key` is seen by any process; False for a repeat. Keys older than
    `keep_seconds` are forgotten now and then."""
    now = ctx.clock.now()
    try:
        with ctx.sessions() as session, session.begin():
            if next(_calls) % PURGE_EVERY == 0:
                cutoff = now - timedelta(seconds=keep_seconds)
                session.execute(delete(SeenRequest).where(SeenRequest.seen_at < cutoff))
            session.add(SeenRequest(key=key[:200], seen_at=now))
    except IntegrityError:
        return False
    except OperationalError:
        # The database is away: let the request through; its service call will say
        # "try again" itself, and nothing is written twice while the database is down.
        return True
    return True
