"""The one error policy of the Slack surface.

A `DomainError`'s message is written to be shown to the person who tried; anything else is
logged (type and traceback only: exception texts may quote what was submitted) and the person
is told something went wrong. Nobody ever sees a stack trace.

- Before the ack of a modal submission: `response_action: errors` on the input the error names
  (`InvalidInput.field` is a block id), else on the modal's first input.
- Before the ack of a slash command: the ack itself carries the ephemeral reply.
- After the ack: an ephemeral reply through `response_url`, or, where there is none (App Home,
  buttons inside a modal), a small notice modal.

`handle_error` is the app's `@app.error` handler. Listeners that ack first run their work
inside `reported(...)`, which applies the same policy (Bolt's own runner loses track of an
ack when a listener raises after it, so errors after the ack never reach Bolt).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_coc.context import StoreUnavailable
from slack_coc.domain.errors import DomainError, InvalidInput
from slack_coc.failures import log_failure
from slack_coc.slack.listeners.support import show_modal
from slack_coc.slack.modals.notice import notice_modal

log = logging.getLogger(__name__)

# Set on a request's context when a stored form could not be worked on because the database
# was away: the inbox worker puts it back in the queue instead of closing it.
RETRY_LATER = "coc_retry_later"

UNEXPECTED = (
    "Sorry, something went wrong on our side and this was not done. "
    "Please try again; if it keeps failing, tell the working group's chairs."
)


def message_for(error: Exception) -> str:
    if isinstance(error, DomainError):
        return str(error)
    log_failure(log, "listener failed", error=error)  # type and frames, never the text
    return UNEXPECTED


@contextmanager
def reported(body: dict[str, Any], client: WebClient, respond: Any) -> Iterator[None]:
    """Run a listener's work after its ack; show any refusal to the person who acted."""
    try:
        yield
    except Exception as error:
        tell(body, client, respond, message_for(error))


def handle_error(
    error: Exception,
    body: dict[str, Any],
    request: BoltRequest,
    response: BoltResponse | None,
    client: WebClient,
    respond: Any,
) -> BoltResponse | None:
    message = message_for(error)
    if isinstance(error, StoreUnavailable) and body.get("type") == "view_submission":
        request.context[RETRY_LATER] = True
    acked = response is None
    if not acked:
        if body.get("type") == "view_submission":
            errors = {error_block(body.get("view") or {}, error): message[:1900]}
            return json_response({"response_action": "errors", "errors": errors})
        if "command" in body:
            return json_response({"response_type": "ephemeral", "text": message})
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
            show_modal(client, body, notice_modal("Not done", message))
    except SlackApiError as exc:  # the refusal itself could not be shown: log, never loop
        log.warning("could not show a refusal: %s", exc.response.get("error"))


def error_block(view: dict[str, Any], error: Exception) -> str:
    # `blocks` may be anything in a malformed payload (None crashed this handler: a 500).
    blocks = view.get("blocks") if isinstance(view, dict) else None
    inputs = [
        b.get("block_id", "")
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, dict) and b.get("type") == "input"
    ]
    field = error.field if isinstance(error, InvalidInput) else None
    if field:
        if field in inputs:
            return str(field)
        prefixed = [str(b) for b in inputs if str(b).startswith(field + "_")]
        if prefixed:
            return prefixed[0]
    return str(inputs[0]) if inputs else (field or "error")


def json_response(data: dict[str, Any] | str) -> BoltResponse:
    """An answer to Slack's request that carries JSON (an ephemeral reply, modal errors, a
    view); `data` may be JSON already serialised once for every answer."""
    return BoltResponse(
        status=200,
        body=data if isinstance(data, str) else json.dumps(data),
        headers={"content-type": "application/json;charset=utf-8"},
    )
