"""WSGI entry point for running several web workers:

    gunicorn -w 4 -b 0.0.0.0:$PORT 'slack_coc.wsgi:application'

Each worker process builds its own app, database pool and outbox pump (delivery right after
each commit; PostgreSQL row locks keep workers from sending an item twice). Schema upgrades
belong to the release phase (`slack-coc db upgrade`), and the scheduler to `slack-coc worker`.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable, Iterable
from typing import Any

from slack_coc.cli.serve import required_settings
from slack_coc.config import load_settings
from slack_coc.logging_setup import configure_logging
from slack_coc.runtime import build_runtime, check_database

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_application() -> WSGIApp:
    from slack_coc.slack.app import build_app
    from slack_coc.slack.delivery import OutboxPump
    from slack_coc.slack.http import make_wsgi_app
    from slack_coc.slack.oauth import client_source

    configure_logging("INFO")
    settings = load_settings()
    required_settings(settings, socket=False)
    rt = build_runtime(settings)
    check_database(rt.engine)
    bolt = build_app(rt)
    pump = OutboxPump(rt, client=client_source(rt, bolt.client)).start()
    atexit.register(pump.stop)
    return make_wsgi_app(rt, bolt)


application = create_application()
