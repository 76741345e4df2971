"""The people on a case from Slack: the "People" and "Identify reported people" buttons (card,
details modal, App Home), `/coc people CASE`, and the People modal's submission, which shows
the refreshed list with what was done so the member can go on."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.runtime import Runtime
from slack_coc.services import people
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import SLASH_COMMAND, Action, Callback
from slack_coc.slack.listeners.support import actor_of, show_modal
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.people import NEW_PERSON, people_modal
from slack_coc.slack.subcommands import CommandRequest, subcommand


@subcommand(
    "people",
    "people CASE",
    "the people on a case: add, identify, correct or remove (opens a form)",
    opens_modal=True,
)
def _people(req: CommandRequest) -> None:
    if not req.args:
        req.respond(text=f"Which case? `{SLASH_COMMAND} people 12`", response_type="ephemeral")
        return
    found = people.people_of(req.rt.ctx, req.actor, req.args.split()[0])
    req.client.views_open(trigger_id=req.trigger_id, view=people_modal(found))


def change_of(submitted: Submitted) -> people.PersonChange:
    """The form as one change; which person is a party id, or a new person."""
    chosen = submitted.option("person") or NEW_PERSON
    if chosen != NEW_PERSON and not chosen.isdigit():
        raise InvalidInput("Choose a person, or a new person.", field="person")
    return people.PersonChange(
        party_id=None if chosen == NEW_PERSON else int(chosen),
        role=submitted.option("role"),
        slack_user_id=submitted.user("user"),
        email=submitted.text("email") or None,
        name=submitted.text("name") or None,
        remove=submitted.checked("remove"),
    )


def register(app: App, rt: Runtime) -> None:
    ctx = rt.ctx

    def open_people(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        with reported(body, client, respond):
            ref = str(((body.get("actions") or [{}])[0]).get("value", ""))
            show_modal(client, body, people_modal(people.people_of(ctx, actor_of(body), ref)))

    app.action(Action.PEOPLE.value)(open_people)
    app.action(Action.IDENTIFY_PEOPLE.value)(open_people)

    @app.view(Callback.PEOPLE.value)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        actor = actor_of(body)
        ref = str(submitted.metadata.get("case", ""))
        done = people.change_person(ctx, actor, ref, change_of(submitted))
        try:
            refreshed = people_modal(people.people_of(ctx, actor, ref), done)
        except NotFound:  # they identified themselves: recused at once, the case is closed to them
            refreshed = notice_modal("Done", done + " You are recused from this case now.")
        ack(response_action="update", view=refreshed)
