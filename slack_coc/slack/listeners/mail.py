"""Slack side of mail to reporters: `/coc mail CASE [template]`, the "Message the reporter"
button (`mail:compose`), the template picker, the compose and review submissions.

Listeners ack, parse, call one service (services/mail.py), render. The service checks that
the member may see the case before any modal with the reporter's details opens.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.runtime import Runtime
from slack_coc.services import mail as mail_service
from slack_coc.services.letters import TEMPLATES
from slack_coc.services.mail import OutgoingMail
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import SLASH_COMMAND
from slack_coc.slack.listeners.support import actor_of, show_modal
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.mail import (
    COMPOSE_ACTION,
    COMPOSE_CALLBACK,
    REVIEW_ACTION,
    REVIEW_CALLBACK,
    TEMPLATE_ACTION,
    ComposeForm,
    compose_modal,
    parse_compose_value,
    result_modal,
    review_modal,
)
from slack_coc.slack.subcommands import CommandRequest, subcommand

USAGE = "mail CASE [template]"


def _smtp(rt: Runtime) -> bool:
    return bool(rt.settings.SMTP_URL)


@subcommand(
    "mail",
    USAGE,
    "write to a case's reporter from a template (edited before it goes)",
    opens_modal=True,
)
def _mail_command(req: CommandRequest) -> None:
    ref, _, rest = req.args.partition(" ")
    template = rest.strip() or None
    if not ref.strip():
        req.respond(text=f"Usage: `{SLASH_COMMAND} {USAGE}`", response_type="ephemeral")
        return
    if template and template not in TEMPLATES:
        known = ", ".join(f"`{t}`" for t in TEMPLATES)
        req.respond(text=f"Unknown template. Templates: {known}", response_type="ephemeral")
        return
    draft = mail_service.compose(req.rt.ctx, req.actor, ref.strip(), template)
    req.client.views_open(
        trigger_id=req.trigger_id, view=compose_modal(draft, smtp_enabled=_smtp(req.rt))
    )


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    @app.action(COMPOSE_ACTION)
    def on_compose(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            value = str((body.get("actions") or [{}])[0].get("value", ""))
            ref, template = parse_compose_value(value)
            draft = mail_service.compose(ctx, actor_of(body), ref, template)
            show_modal(client, body, compose_modal(draft, smtp_enabled=_smtp(rt)))

    @app.action(TEMPLATE_ACTION)
    def on_template(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            view = body.get("view") or {}
            chosen = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value")
            form = ComposeForm(view)
            draft = mail_service.compose(ctx, actor_of(body), form.case, chosen)
            client.views_update(
                view_id=view.get("id"),
                hash=view.get("hash"),
                view=compose_modal(draft, smtp_enabled=_smtp(rt), version=form.version + 1),
            )

    @app.view(COMPOSE_CALLBACK)
    def on_compose_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = ComposeForm(view)
        blank = form.blank_fields()
        if blank:
            ack(response_action="errors", errors=blank)
            return
        sent = mail_service.send_mail(
            ctx,
            actor_of(body),
            form.case,
            OutgoingMail(
                template=form.template,
                to=form.to,
                subject=form.subject,
                body=form.body,
                review_by=form.reviewer,
            ),
            smtp_enabled=_smtp(rt),
        )
        ack(response_action="update", view=result_modal(sent))

    @app.action(REVIEW_ACTION)
    def on_review(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            value = str((body.get("actions") or [{}])[0].get("value", ""))
            _case, _, mail_id = value.partition(":")
            mail_id_number = int(mail_id) if mail_id.isdigit() else 0
            sent = mail_service.mail_for_review(ctx, actor_of(body), mail_id_number)
            show_modal(client, body, review_modal(sent))

    @app.view(REVIEW_CALLBACK)
    def on_review_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        sent = mail_service.review_mail(
            ctx,
            actor_of(body),
            int(submitted.metadata.get("mail", 0) or 0),
            approve=submitted.option("decision") != "decline",
            smtp_enabled=_smtp(rt),
            comment=submitted.text("comment") or None,
        )
        if sent.status == "discarded":
            ack()
            return
        ack(response_action="update", view=result_modal(sent))
