"""The relay's DM to an anonymous reporter: the group's words, from the app, with a button to
answer. The only outbox template whose payload carries a member's text: it goes to the
reporter alone (`Outbound._check_recipient` checks the relay's contact at send time)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from slack_coc.slack.block_ids import blocks_json
from slack_coc.slack.blocks.messages import MessageInput, Rendered, template
from slack_coc.slack.ids import Action

CHUNK = 2900
LEAD = "The Code of Conduct working group wrote to you about your report"


@template("relay_message")
def _relay_message(msg: MessageInput) -> Rendered:
    ref = f" (reference #{msg.case.number})" if msg.case else ""
    lead = (
        f":speech_balloon: The Code of Conduct working group wrote to you about your report{ref}:"
    )
    body = str(msg.payload.get("text") or "")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=lead))]
    for start in range(0, max(len(body), 1), CHUNK):
        part = body[start : start + CHUNK] or " "
        blocks.append(SectionBlock(text=PlainTextObject(text=part, emoji=False)))
    blocks = blocks[:45]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="They don't know who you are. Answer with the button: your answer "
                    "reaches them through the app, without your name."
                )
            ]
        )
    )
    if msg.case is not None:
        value = f"{msg.case.id}:{msg.payload.get('event', '')}"
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Answer",
                        action_id=Action.ANSWER_RELAY.value,
                        value=value,
                        style="primary",
                    )
                ]
            )
        )
    return Rendered(
        f"The Code of Conduct working group wrote to you about your report{ref}.",
        blocks_json(blocks),
    )
