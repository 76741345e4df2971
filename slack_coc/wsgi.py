"""WSGI entry point for running several web workers:

    gunicorn -c python:slack_coc.gunicorn_conf -w 4 'slack_coc.wsgi:application'

(`slack_coc.gunicorn_conf` holds the request limits; the app itself refuses bodies above
COC_MAX_REQUEST_BYTES.)

Each worker process builds its own app, database pool, inbox pump and outbox pump (claims and
PostgreSQL row locks keep two processes from doing an item twice). With COC_WEB_ONLY=1 the
web processes only store and acknowledge, and `slack-coc worker` processes do the work.
Schema upgrades belong to the release phase (`slack-coc db upgrade`), and the scheduler to
`slack-coc worker`.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from slack_coc.cli.serve import required_settings
from slack_coc.config import load_settings
from slack_coc.logging_setup import configure_logging
from slack_coc.runtime import build_runtime, check_database

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_application() -> WSGIApp:
    from slack_coc.slack.app import Role, build_app
    from slack_coc.slack.http import make_wsgi_app
    from slack_coc.slack.workers import start_pumps, stop_pumps
    from slack_coc.wiring import outbox_handlers

    configure_logging("INFO")
    settings = load_settings()
    required_settings(settings, socket=False)
    rt = build_runtime(settings)
    check_database(rt.engine)
    bolt = build_app(rt, role=Role.WEB)
    if os.environ.get("COC_WEB_ONLY", "") not in ("1", "true", "yes"):
        pumps = start_pumps(rt, partial(outbox_handlers, rt))
        atexit.register(stop_pumps, pumps)
    return make_wsgi_app(rt, bolt)


application = create_application()
