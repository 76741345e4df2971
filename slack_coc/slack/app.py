"""The Bolt app: every listener module registered, and one error handler.

Listeners ack first and then call one service. Whatever a service refuses is shown to the
person who tried, by the one error policy in `slack_coc/slack/errors.py`.
"""

from __future__ import annotations

import importlib
import logging

from slack_bolt import App
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.slack.errors import handle_error
from slack_coc.slack.listeners import MODULES


def build_app(
    rt: Runtime,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    socket_mode: bool = False,
) -> App:
    """The app for HTTP (`make_wsgi_app`) and Socket Mode. `client` defaults to a WebClient
    with SLACK_BOT_TOKEN against SLACK_API_URL."""
    from slack_coc.slack.oauth import oauth_settings, uses_oauth

    settings = rt.settings
    if not socket_mode:
        settings.require("SLACK_SIGNING_SECRET")  # HTTP: no request is taken unsigned
    oauth = uses_oauth(rt)
    client = client or WebClient(
        token=None if oauth else settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL
    )
    app = App(
        client=client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "",
        token_verification_enabled=False,
        oauth_settings=oauth_settings(rt) if oauth else None,
        process_before_response=process_before_response,
        # Socket Mode has no signatures to check; HTTP always does.
        request_verification_enabled=not socket_mode,
        logger=logging.getLogger("slack_coc.bolt"),
    )
    for name in MODULES:
        importlib.import_module(name).register(app, rt)
    app.error(handle_error)
    return app
