"""The report forms: "Log a report" for members (`/coc new`, App Home) and "Report a
concern" for anyone (the shortcuts). Block ids are `ReportInput` field names."""

from __future__ import annotations

import json
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock

from slack_coc.domain.content_warnings import CONTENT_WARNINGS
from slack_coc.domain.enums import CaseSource
from slack_coc.services.intake import ReportInput
from slack_coc.slack.format import slack_date
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import (
    Submitted,
    checkbox,
    checkboxes,
    email_input,
    modal,
    note,
    radio,
    require_text,
    select,
    small,
    text_input,
    users_input,
)

SOURCES = (
    (CaseSource.EMAIL.value, "Email"),
    (CaseSource.SLACK.value, "Slack"),
    (CaseSource.IN_PERSON.value, "In person"),
    (CaseSource.LOCAL_REPRESENTATIVES.value, "Local representatives"),
)
ONGOING = (("Yes", "Yes"), ("No", "No"), ("Maybe", "Not sure"))

# From the public reporting guide (process/reporting-guide.html).
DANGER_NOTICE = (
    ":rotating_light: *If you believe anyone is in physical danger, please notify appropriate "
    "law enforcement first.* If you are unsure which agency is appropriate, say so in your "
    "report and we will attempt to notify them."
)
CONFIDENTIAL_NOTICE = (
    ":lock: Reports are confidential. Only the working group members handling this report "
    "will see it, and we never share who reported with the people reported."
)
ANONYMITY_NOTICE = (
    ":bust_in_silhouette: *Report anonymously* and the working group never sees who you are: "
    "not on the case, its records or its exports. They can still write to you here, through "
    "the app, and you can answer them the same way. What anonymity does not cover: the "
    "people who run this app (with its database and its keys) could still find out; and "
    "what you write may itself tell who you are."
)
UNSURE_NOTICE = (
    "Not sure it is a violation, or that the space is covered? Please report it anyway: we "
    "would rather have a few extra reports than miss one. You don't need to be the target "
    "to report."
)


def log_report_modal() -> dict[str, Any]:
    """A member logs a report received by email, in person, from local representatives..."""
    blocks: list[Block] = [
        select(
            "source", "Where did the report come from?", SOURCES, initial=CaseSource.EMAIL.value
        ),
        text_input("reporter_name", "Reporter's name", optional=True),
        checkbox(
            "anonymous",
            "Anonymous report?",
            "The reporter asked not to be known (keep no name or contact)",
        ),
        email_input(
            "reporter_contact",
            "Reporter's contact (email)",
            hint="So we can follow up. Leave empty for an anonymous report.",
        ),
        *_incident_blocks(),
        checkbox(
            "handled_locally",
            "Already handled locally?",
            "Local representatives have already handled this (keep on file)",
        ),
        text_input("language", "Language / translation note", optional=True),
        text_input("anything_else", "Anything else", multiline=True, optional=True),
        text_input(
            "retaliation_of",
            "Retaliation against the reporter of case #",
            optional=True,
            hint="If this report is retaliation against someone who reported earlier: that "
            "case's number. Only members who may see both cases see the link.",
        ),
    ]
    return modal(
        callback_id=Callback.LOG_REPORT, title="Log a report", blocks=blocks, submit="Log report"
    )


def report_concern_modal(reported_message: dict[str, str] | None = None) -> dict[str, Any]:
    """Anyone in the workspace reports a concern; optionally about one Slack message
    (its permalink, author and time travel in private_metadata, never to the author)."""
    blocks: list[Block] = [
        note(DANGER_NOTICE, "danger_notice"),
        small(CONFIDENTIAL_NOTICE),
        small(UNSURE_NOTICE),
        DividerBlock(),
    ]
    if reported_message:
        when = reported_message.get("ts", "")
        with suppress(ValueError):  # an unreadable ts is shown as given
            when = slack_date(datetime.fromtimestamp(float(when), tz=UTC))
        author = reported_message.get("author")
        link = reported_message.get("permalink")
        about = (
            f"You are reporting a message by <@{author}> ({when})"
            if author
            else "You are reporting a message"
        )
        blocks.append(
            note(f"{about}" + (f": <{link}|the message>" if link else "."), "reported_message")
        )
    blocks += [
        *_incident_blocks(),
        email_input(
            "reporter_contact",
            "An email address we may use (optional)",
            hint="We will also reply to you here in Slack. Leave empty to report anonymously.",
        ),
        small(ANONYMITY_NOTICE),
        checkbox("anonymous", "Anonymity", "Report anonymously"),
        text_input(
            "language",
            "Language / translation tools",
            optional=True,
            hint="The group works in English; tell us if you used translation tools.",
        ),
        text_input("anything_else", "Anything else we should know", multiline=True, optional=True),
    ]
    if reported_message:
        reported_message = _fitting(reported_message)
    return modal(
        callback_id=Callback.REPORT_CONCERN,
        title="Report a concern",
        blocks=blocks,
        submit="Send report",
        metadata={"reported_message": reported_message} if reported_message else None,
    )


def _fitting(message: dict[str, str]) -> dict[str, str]:
    """The message's text shortened until the metadata fits Slack's 3,000 characters
    (escaped characters take more room in JSON than in the text)."""
    message = dict(message)
    while message.get("text") and len(json.dumps({"reported_message": message})) > 2900:
        message["text"] = message["text"][: len(message["text"]) // 2]
    return message


def _incident_blocks() -> list[Block]:
    return [
        users_input(
            "involved_user_ids",
            "People involved (in Slack)",
            hint="The people the report is about.",
        ),
        text_input(
            "involved_names",
            "People involved (not in Slack)",
            multiline=True,
            optional=True,
            hint="Real names, nicknames or pseudonyms, one per line.",
        ),
        users_input("witness_user_ids", "Witnesses (in Slack)"),
        text_input("witness_names", "Witnesses (not in Slack)", multiline=True, optional=True),
        text_input(
            "when_where",
            "When and where did it happen?",
            optional=True,
            hint="Please be as specific as possible.",
        ),
        text_input(
            "account", "What happened?", multiline=True, hint="Your account, in your own words."
        ),
        text_input(
            "links",
            "Links",
            multiline=True,
            optional=True,
            hint="Links to public records, e.g. a forum post.",
        ),
        text_input("context", "Extra context", multiline=True, optional=True),
        radio("ongoing", "Is it ongoing?", ONGOING, initial="No"),
        checkbox("safety_risk", "Safety", "Someone's safety is at risk"),
        checkbox(
            "chairs_only",
            "Who should see it",
            "Only the chairs should see this (it concerns a group member)",
        ),
        content_warning_input(),
    ]


def content_warning_input(initial: tuple[str, ...] | list[str] = ()) -> Block:
    """Members who open the report see this warning before any of its text."""
    return checkboxes(
        "content_warnings",
        "Content warning",
        list(CONTENT_WARNINGS.items()),
        initial=initial,
        hint="Tick what the report describes; readers are warned before they see it.",
    )


def parse_report(
    view: dict[str, Any], *, member_form: bool, user_id: str
) -> tuple[ReportInput | None, dict[str, str]]:
    """The submitted form as a ReportInput, or the field errors to show in the modal."""
    submitted = Submitted(view)
    errors = require_text(submitted, "account")
    retaliation = submitted.text("retaliation_of").lstrip("#").strip() if member_form else ""
    if retaliation and not retaliation.isdigit():
        errors["retaliation_of"] = "Give the earlier case's number (12 or #12)."
    if errors:
        return None, errors
    report = ReportInput(
        account=submitted.text("account"),
        source=(submitted.option("source") or CaseSource.EMAIL.value)
        if member_form
        else CaseSource.SLACK.value,
        reporter_name=(submitted.text("reporter_name") or None) if member_form else None,
        reporter_contact=submitted.text("reporter_contact") or None,
        reporter_user_id=None if member_form else user_id,
        involved_user_ids=submitted.users("involved_user_ids"),
        involved_names=submitted.lines("involved_names"),
        witness_user_ids=submitted.users("witness_user_ids"),
        witness_names=submitted.lines("witness_names"),
        when_where=submitted.text("when_where") or None,
        links=submitted.text("links") or None,
        context=submitted.text("context") or None,
        ongoing=submitted.option("ongoing") or "No",
        safety_risk=submitted.checked("safety_risk"),
        chairs_only=submitted.checked("chairs_only"),
        handled_locally=member_form and submitted.checked("handled_locally"),
        language=submitted.text("language") or None,
        anything_else=submitted.text("anything_else") or None,
        reported_message=None if member_form else _reported_message(submitted.metadata),
        content_warnings=submitted.selected("content_warnings"),
        anonymous=submitted.checked("anonymous"),
        retaliation_of=int(retaliation) if retaliation else None,
    )
    return report, {}


MESSAGE_KEYS = ("permalink", "author", "ts", "channel", "text")


def _reported_message(metadata: dict[str, Any]) -> dict[str, str] | None:
    message = metadata.get("reported_message")
    if not isinstance(message, dict):
        return None
    return {
        k: str(v)
        for k, v in message.items()
        if k in ("permalink", "author", "ts", "channel", "text") and v
    }
