"""Modals of the relay (a question for an anonymous reporter, the reporter's answer) and of
"Hide the message" on a case reported with "Report this message"."""

from __future__ import annotations

from typing import Any

from slack_coc.services.relay import MAX_RELAY
from slack_coc.services.reported_message import MAX_REASON, ReportedMessage
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import modal, note, small, text_input
from slack_coc.slack.modals.notice import notice_modal


def ask_modal(number: int) -> dict[str, Any]:
    return modal(
        callback_id=Callback.ASK_REPORTER,
        title="Ask the reporter",
        submit="Send",
        blocks=[
            note(
                f"Case #{number}: the reporter is anonymous. The app sends your question to "
                "them by DM, from the app (not from you), with a button to answer. Their answer "
                "lands on the case's timeline."
            ),
            text_input("question", "Your question", multiline=True, max_length=MAX_RELAY),
            small("Write as the working group: the reporter doesn't see who asked."),
        ],
        metadata={"case": number},
    )


def answer_modal(case_id: int, event_id: int) -> dict[str, Any]:
    return modal(
        callback_id=Callback.ANSWER_RELAY,
        title="Answer the group",
        submit="Send",
        blocks=[
            note(
                "Your answer goes to the Code of Conduct working group through the app, "
                "without your name."
            ),
            text_input("answer", "Your answer", multiline=True, max_length=MAX_RELAY),
        ],
        metadata={"case": case_id, "event": event_id},
    )


def hide_modal(found: ReportedMessage) -> dict[str, Any]:
    return modal(
        callback_id=Callback.HIDE_MESSAGE,
        title="Hide the message",
        submit="Hide it",
        blocks=[
            note(
                f"Case #{found.number}: the app deletes the reported message from Slack "
                f"(<{found.permalink}|the message>) with the workspace admin's token. "
                if found.permalink
                else f"Case #{found.number}: the app deletes the reported message from Slack "
                "with the workspace admin's token. "
            ),
            small(
                "Its text as reported stays with the case (encrypted) as evidence; the timeline "
                "records that you hid it, and why."
            ),
            text_input("reason", "Why hide it?", multiline=True, max_length=MAX_REASON),
        ],
        metadata={"case": found.number},
    )


def no_token_modal(found: ReportedMessage) -> dict[str, Any]:
    link = f"<{found.permalink}|this message>" if found.permalink else "the reported message"
    text = (
        "*The app can't delete messages in this workspace.* Slack lets only a message's "
        "author or a workspace admin delete it, and this workspace has not given the app an "
        "admin's token.\n\n"
        f"Ask your workspace's admins (owners or admins) to delete {link} "
        f"(case #{found.number}; no need to tell them more than that it was reported under "
        "the Code of Conduct). Its text as reported is already kept with the case.\n\n"
        "So that members can hide reported messages themselves, an admin can give the app a "
        "user token with the `chat:write` scope (the setting SLACK_ADMIN_USER_TOKEN)."
    )
    return notice_modal("Hide the message", text)


def already_hidden_modal(found: ReportedMessage) -> dict[str, Any]:
    return notice_modal(
        "Hide the message", f"The message of case #{found.number} is already hidden."
    )
