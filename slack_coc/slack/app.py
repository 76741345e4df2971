"""The Bolt app: every listener module registered, and one error handler.

Listeners ack first and then call one service. Whatever a service refuses is shown to the
person who tried, by the one error policy in `slack_coc/slack/errors.py`.

The same listeners serve three roles (`Role`): `ALL` works on every request in the process
that took it (Socket Mode, tests); in HTTP mode the `WEB` app stores slash commands and
clicks in the inbox and acknowledges them, and an `INBOX` app runs them afterwards
(`slack_coc/slack/deferral.py`).
"""

from __future__ import annotations

import importlib
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum

from slack_bolt import App
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.slack.deferral import Deferrer
from slack_coc.slack.errors import handle_error
from slack_coc.slack.listeners import MODULES, replay
from slack_coc.slack.request_clients import use_loading_view


class _WithoutClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns
    "As you gave `client` as well, `token` will be unused" at every start: expected here
    (the client carries the token), and a newcomer would take it for a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOGGER = logging.getLogger("slack_coc.bolt")
# The web app's inbox middleware, by app (tests reach it; nothing else needs to).
DEFERRERS: weakref.WeakKeyDictionary[App, Deferrer] = weakref.WeakKeyDictionary()
if not any(isinstance(f, _WithoutClientTokenNotice) for f in BOLT_LOGGER.filters):
    BOLT_LOGGER.addFilter(_WithoutClientTokenNotice())


class Role(StrEnum):
    ALL = "all"  # ack, then work on it here
    WEB = "web"  # HTTP: check, ack, store commands and clicks in the inbox
    INBOX = "inbox"  # work on stored requests (already checked and acknowledged)


def build_app(
    rt: Runtime,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    socket_mode: bool = False,
    role: Role = Role.ALL,
) -> App:
    """The app for HTTP (`make_wsgi_app`) and Socket Mode. `client` defaults to a WebClient
    with SLACK_BOT_TOKEN against SLACK_API_URL."""
    from slack_coc.slack.oauth import oauth_settings, uses_oauth

    settings = rt.settings
    verify = not socket_mode and role is not Role.INBOX
    if verify:
        settings.require("SLACK_SIGNING_SECRET")  # HTTP: no request is taken unsigned
    oauth = uses_oauth(rt)
    client = client or WebClient(
        token=None if oauth else settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL
    )
    # Listeners run after their ack, each mostly waiting on Slack (a modal opened from the
    # request, a form answered): Bolt's default (CPU count + 4) would queue them.
    listeners = ThreadPoolExecutor(4 * settings.COC_WORKER_CONCURRENCY, "listener")
    app = App(
        client=client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "",
        token_verification_enabled=False,
        oauth_settings=oauth_settings(rt) if oauth else None,
        process_before_response=process_before_response or role is Role.INBOX,
        # Socket Mode has no signatures to check, nor has the inbox (checked when stored).
        request_verification_enabled=verify,
        logger=BOLT_LOGGER,
        # A workspace whose tokens were deleted (uninstalled, revoked): Bolt's answer.
        user_facing_authorize_error_message=(
            "slack-coc has been uninstalled from this workspace (or its token was revoked): "
            "ask a workspace admin to install it again."
        ),
        listener_executor=listeners,
    )
    if role is Role.INBOX:  # replays were refused before the request was stored
        app.use(use_loading_view)
    else:
        replay.register(app, rt, inbox=role is Role.WEB)
    if role is Role.WEB:
        deferrer = Deferrer(rt, build_app(rt, role=Role.INBOX))
        DEFERRERS[app] = deferrer
        app.use(deferrer.middleware())
    for name in MODULES:
        importlib.import_module(name).register(app, rt)
    app.error(handle_error)
    return app
