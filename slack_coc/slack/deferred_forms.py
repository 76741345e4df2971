"""Report forms through the inbox: what the web process checks before it stores one, and
how the worker's answer replaces the "Saving the report" view (`slack/deferral.py`)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_coc.domain.errors import InvalidInput
from slack_coc.slack.errors import error_block
from slack_coc.slack.ids import Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.notice import (
    LOADING_TITLE,
    not_logged_modal,
    notice_modal,
    saving_modal,
)
from slack_coc.slack.modals.report import parse_report

log = logging.getLogger(__name__)

STORED_FORM_TYPE = "application/json"

# Built once: the answer to every stored report form is the same.
SAVING_ANSWER = json.dumps({"response_action": "update", "view": saving_modal()})


REPORT_KEPT = (
    "The case database did not answer just now. Your report is kept and will be logged as "
    "soon as it is back; you can close this."
)


def callback_of(body: dict[str, Any]) -> str:
    view = body.get("view")
    return str(view.get("callback_id") or "") if isinstance(view, dict) else ""


def stored_form(body: dict[str, Any]) -> str:
    """The submitted form as the worker needs it: without the view's blocks (the form's
    layout, most of the request's size: less to encrypt, write and read back), which nothing
    after the checks reads. Stored as JSON (`STORED_FORM_TYPE`), which Bolt reads as it
    reads an event: no form encoding to write here and to undo in the worker."""
    view = {key: value for key, value in body["view"].items() if key != "blocks"}
    return json.dumps({**body, "view": view}, separators=(",", ":"))


def report_form_errors(body: dict[str, Any]) -> dict[str, str]:
    """What can be said about a submitted report form without the database: the same checks
    the service makes first, as `response_action: errors` by block id."""
    view = body["view"]
    member_form = callback_of(body) == Callback.LOG_REPORT.value
    report, errors = parse_report(
        view, member_form=member_form, user_id=actor_of(body).user_id or ""
    )
    if report is None:
        return errors
    try:
        report.validate()
    except InvalidInput as error:
        return {error_block(view, error): str(error)}
    return {}


def answer_in_view(client: WebClient, body: dict[str, Any], response: BoltResponse) -> None:
    """What the listener answered a stored form (its ack) replaces the "Saving" view."""
    try:
        answer = json.loads(response.body) if response.body else {}
    except ValueError:
        answer = {}
    action = answer.get("response_action") if isinstance(answer, dict) else None
    if action == "update" and isinstance(answer.get("view"), dict):
        view = answer["view"]
    elif action == "errors" and isinstance(answer.get("errors"), dict):
        reason = " ".join(str(v) for v in answer["errors"].values())
        view = not_logged_modal(reason, Submitted(body.get("view") or {}).text("account"))
    else:
        view = notice_modal(LOADING_TITLE, "Done.")
    update_view(client, body, view)


def update_view(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Best effort: the work is done (or kept) whether or not the person still sees the form."""
    view_id = str((body.get("view") or {}).get("id") or "")
    try:
        client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:  # the person closed the form
        log.warning("could not update a submitted form: %s", exc.response.get("error"))
    except Exception as exc:  # Slack unreachable: never let it undo the work or the retry
        log.warning("could not update a submitted form: %s", type(exc).__name__)
