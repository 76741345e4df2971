"""`/coc readmission CASE`: record a readmission request, then tick the conditions for
return and vote (docs/sanction-ends.md)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from slack_coc.domain.errors import InvalidInput
from slack_coc.runtime import Runtime
from slack_coc.services import readmission
from slack_coc.slack.ids import SLASH_COMMAND, Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted, require_text
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.readmission import (
    readmission_request_modal,
    readmission_review_modal,
)
from slack_coc.slack.subcommands import CommandRequest, subcommand


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    @app.view(Callback.READMISSION_REQUEST.value)
    def on_request(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        s = Submitted(view)
        errors = require_text(s, "request")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        party = s.option("party") or ""
        if not party.isdigit():
            raise InvalidInput("Choose who asks to return.", field="party")
        readmission.record_request(
            ctx,
            actor_of(body),
            str(s.metadata.get("case", "")),
            party_id=int(party),
            via=s.option("via") or "",
            request=s.text("request"),
            conditions=s.lines("conditions"),
        )
        ack(
            response_action="update",
            view=notice_modal(
                "Readmission",
                "Request recorded. Members tick off the conditions for return and vote with "
                f"`{SLASH_COMMAND} readmission {s.metadata.get('case', '')}`.",
            ),
        )

    @app.view(Callback.READMISSION_REVIEW.value)
    def on_review(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        s = Submitted(view)
        met = [int(v) for v in s.selected("conditions") if v.isdigit()]
        result = readmission.update_readmission(
            ctx,
            actor_of(body),
            str(s.metadata.get("case", "")),
            int(s.metadata.get("readmission") or 0),
            met=met,
            vote=s.option("vote"),
        )
        ack(response_action="update", view=notice_modal("Readmission", result.explanation))


@subcommand(
    "readmission",
    "readmission CASE [close]",
    "after a suspension or ban: record the request to return, tick conditions, vote",
    opens_modal_for=lambda args: (
        bool(args.strip()) and args.strip().partition(" ")[2].strip().lower() != "close"
    ),
)
def _readmission(req: CommandRequest) -> None:
    if not req.args:
        req.respond(text=f"Which case? `{SLASH_COMMAND} readmission 12`", response_type="ephemeral")
        return
    ref, _sep, verb = req.args.partition(" ")
    if verb.strip().lower() == "close":
        number = readmission.close_request(req.rt.ctx, req.actor, ref)
        req.respond(
            text=f"The readmission request on #{number} is closed; the sanction stands.",
            response_type="ephemeral",
        )
        return
    form = readmission.readmission_form(req.rt.ctx, req.actor, ref)
    view = readmission_review_modal(form) if form.open else readmission_request_modal(form)
    req.client.views_open(trigger_id=req.trigger_id, view=view)
