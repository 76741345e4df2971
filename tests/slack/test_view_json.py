"""`view_json`: every view (modal, App Home) is checked against Slack's limits once, as the
model would check it, and comes out as `View.to_dict()` made it."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.models.views import View

from slack_coc.slack.block_ids import blocks_json, view_json


def _blocks() -> list[SectionBlock | ActionsBlock]:
    return [
        SectionBlock(block_id="case_1", text="Case #1"),
        SectionBlock(block_id="case_1", text="Case #1 again"),
        ActionsBlock(
            block_id="actions", elements=[ButtonElement(text="Open", action_id="open", value="1")]
        ),
    ]


def test_the_same_view_as_the_model_made() -> None:
    fields = {"type": "modal", "callback_id": "cb", "title": "A case", "close": "Close"}
    made = view_json(_blocks(), **fields)
    assert made == View(**fields, blocks=blocks_json(_blocks())).to_dict()
    assert [b["block_id"] for b in made["blocks"]] == ["case_1", "case_1-2", "actions"]


def test_the_views_own_limits_are_checked() -> None:
    with pytest.raises(SlackObjectFormationError, match="title"):
        view_json(_blocks(), type="modal", title="x" * 25)
    with pytest.raises(SlackObjectFormationError, match="private_metadata"):
        view_json(_blocks(), type="modal", title="t", private_metadata="x" * 3001)
    with pytest.raises(SlackObjectFormationError, match="blocks"):
        view_json([SectionBlock(text=str(n)) for n in range(101)], type="home")
    with pytest.raises(SlackObjectFormationError, match="blocks"):
        view_json([], type="home")


def test_every_block_is_checked_dicts_too() -> None:
    with pytest.raises(SlackObjectFormationError):
        view_json([SectionBlock(text="x" * 3001)], type="home")
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackObjectFormationError):
        view_json([too_long], type="home")
    fine = {"type": "section", "block_id": "b", "text": {"type": "mrkdwn", "text": "fine"}}
    assert view_json([fine], type="home")["blocks"] == [fine]
