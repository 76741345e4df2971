"""The Bolt app: every listener module registered, and one error handler.

Listeners ack first and then call one service. Whatever a service refuses (a `DomainError`,
whose message is written to be shown to the person who tried) comes back here:
- before the ack of a modal submission: `response_action: errors` on the input the error
  names (`InvalidInput.field` is a block id), else on the modal's first input;
- before the ack of a slash command: the ack itself carries the ephemeral reply;
- after the ack: an ephemeral reply through `response_url`, or, where there is none (App Home,
  buttons inside a modal), a small notice modal.
Anything else is logged (type and traceback only) and the person is told something went
wrong; nobody ever sees a stack trace.
"""

from __future__ import annotations

import importlib
import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_coc.domain.errors import DomainError, InvalidInput
from slack_coc.runtime import Runtime
from slack_coc.slack.listeners import MODULES
from slack_coc.slack.views.notice import notice_modal

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Sorry, something went wrong on our side and this was not done. "
    "Please try again; if it keeps failing, tell the working group's chairs."
)


def build_app(
    rt: Runtime,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
) -> App:
    """The app for HTTP (`make_wsgi_app`) and Socket Mode. `client` defaults to a WebClient
    with SLACK_BOT_TOKEN against SLACK_API_URL."""
    from slack_coc.slack.oauth import oauth_settings, uses_oauth

    settings = rt.settings
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
        request_verification_enabled=bool(settings.SLACK_SIGNING_SECRET),
        logger=logging.getLogger("slack_coc.bolt"),
    )
    for name in MODULES:
        importlib.import_module(name).register(app, rt)
    app.error(handle_error)
    return app


def handle_error(
    error: Exception,
    body: dict[str, Any],
    request: BoltRequest,
    response: BoltResponse | None,
    client: WebClient,
    respond: Any,
) -> BoltResponse | None:
    if isinstance(error, DomainError):
        message = str(error)
    else:
        # The type and traceback only: exception texts may quote what was submitted.
        log.error("listener failed: %s", type(error).__name__, exc_info=(type(error), error, None))
        message = UNEXPECTED
    acked = response is None
    if not acked:
        if body.get("type") == "view_submission":
            errors = {_error_block(body.get("view") or {}, error): message[:1900]}
            return _json_response({"response_action": "errors", "errors": errors})
        if "command" in body:
            return _json_response({"response_type": "ephemeral", "text": message})
        if body.get("type") == "event_callback":
            return BoltResponse(status=200, body="")
    tell(body, client, respond, message)
    return BoltResponse(status=200, body="") if not acked else None


def tell(body: dict[str, Any], client: WebClient, respond: Any, message: str) -> None:
    """Show `message` to the person who acted, only to them."""
    try:
        if respond is not None and body.get("response_url"):
            respond(text=message, response_type="ephemeral", replace_original=False)
            return
        trigger_id = body.get("trigger_id")
        if trigger_id:
            view = notice_modal("Not done", message)
            if (body.get("container") or {}).get("type") == "view" or body.get("view"):
                client.views_push(trigger_id=trigger_id, view=view)
            else:
                client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:  # the refusal itself could not be shown: log, never loop
        log.warning("could not show a refusal: %s", exc.response.get("error"))


def _error_block(view: dict[str, Any], error: Exception) -> str:
    inputs = [b.get("block_id", "") for b in view.get("blocks", []) if b.get("type") == "input"]
    field = error.field if isinstance(error, InvalidInput) else None
    if field:
        if field in inputs:
            return str(field)
        prefixed = [str(b) for b in inputs if str(b).startswith(field + "_")]
        if prefixed:
            return prefixed[0]
    return str(inputs[0]) if inputs else (field or "error")


def _json_response(data: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200,
        body=json.dumps(data),
        headers={"content-type": "application/json;charset=utf-8"},
    )
