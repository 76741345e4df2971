"""The organisers' check: `/coc check @user|EMAIL [for EVENT]` (chairs, listed organisers),
its form (`/coc check` alone), `/coc checks [CODE NAME]` and `/coc organisers` (chairs)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from slack_coc.domain.errors import InvalidInput
from slack_coc.runtime import Runtime
from slack_coc.services import sanctions
from slack_coc.services.sanctions import CheckAnswer, Subject
from slack_coc.slack.ids import SLASH_COMMAND, Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.sanctions import sanction_check_modal
from slack_coc.slack.subcommands import CommandRequest, subcommand

# Slack escapes mentions and addresses in command text: <@U123|name>, <mailto:a@b|a@b>.
MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHECK_USAGE = "check @person [for EVENT] · check name@example.org · check (a form)"


def parse_subject(text: str) -> Subject:
    token = text.strip()
    if m := MENTION.match(token):
        return Subject(slack_user_id=m.group(1))
    if m := MAILTO.match(token):
        return Subject(email=m.group(1).strip())
    if USER_ID.match(token):
        return Subject(slack_user_id=token)
    if "@" in token and not token.startswith("@"):
        return Subject(email=token)
    raise InvalidInput(
        f"I expected a person (`{SLASH_COMMAND} check @name`) or an email address.", "subject"
    )


def answer_text(result: sanctions.CheckResult) -> str:
    mark = ":large_orange_circle:" if result.answer == CheckAnswer.YES else ":white_circle:"
    return f"{mark} *{result.text}*"


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    @app.view(Callback.SANCTION_CHECK.value)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        s = Submitted(view)
        user, email = s.user("subject_user"), s.text("subject_email")
        if not user and not email:
            ack(
                response_action="errors", errors={"subject_user": "Pick a person or give an email."}
            )
            return
        subject = Subject(slack_user_id=user) if user else Subject(email=email)
        result = sanctions.check(ctx, actor_of(body), subject, s.text("on_behalf_of") or None)
        ack(response_action="update", view=notice_modal("Attendee check", answer_text(result)))


@subcommand(
    "check",
    CHECK_USAGE,
    "is this attendee under a current sanction? (yes / no record; logged)",
    chairs_only=True,
    opens_modal_for=lambda args: not args.strip(),  # no attendee given: the form
)
def _check(req: CommandRequest) -> None:
    if not req.args:
        with req.rt.ctx.read() as session:
            sanctions.may_check(session, req.actor)
        req.client.views_open(trigger_id=req.trigger_id, view=sanction_check_modal())
        return
    who, _sep, event = req.args.partition(" for ")
    result = sanctions.check(req.rt.ctx, req.actor, parse_subject(who), event.strip() or None)
    req.respond(text=answer_text(result), response_type="ephemeral")


@subcommand("checks", "checks [CODE NAME]", "the log of attendee checks", chairs_only=True)
def _checks(req: CommandRequest) -> None:
    entries = sanctions.check_log(req.rt.ctx, req.actor, req.args or None)
    if not entries:
        req.respond(text="No attendee checks recorded.", response_type="ephemeral")
        return
    lines = [
        f"• {e.at:%Y-%m-%d %H:%M} UTC · <@{e.checked_by_user_id}> · "
        f"{e.person_code_name or '_unknown person_'} · {sanctions.ANSWERS[e.answer]}"
        for e in entries
    ]
    req.respond(
        text="*Attendee checks* (newest first)\n" + "\n".join(lines), response_type="ephemeral"
    )


@subcommand(
    "organisers",
    "organisers [add|remove @person]",
    "event organisers who may run the attendee check themselves",
    chairs_only=True,
)
def _organisers(req: CommandRequest) -> None:
    verb, _sep, who = req.args.partition(" ")
    if verb in ("add", "remove"):
        subject = parse_subject(who)
        if not subject.slack_user_id:
            raise InvalidInput("Organisers are listed by their Slack user (`@name`).", "subject")
        listed = sanctions.set_organiser(
            req.rt.ctx, req.actor, subject.slack_user_id, verb == "add"
        )
    elif not verb:
        listed = sanctions.organisers(req.rt.ctx, req.actor)
    else:
        req.respond(
            text=f"Usage: `{SLASH_COMMAND} organisers [add|remove @person]`",
            response_type="ephemeral",
        )
        return
    names = ", ".join(f"<@{u}>" for u in listed) or "none"
    req.respond(text=f"Listed event organisers: {names}", response_type="ephemeral")
