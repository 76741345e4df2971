"""`view_json`: every view (modal, App Home) is checked against Slack's limits once, as the
model would check it, and comes out as `View.to_dict()` made it."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.models.views import View

from slack_coc.domain.enums import CaseState
from slack_coc.slack.block_ids import blocks_json, checked, view_json
from slack_coc.slack.blocks import home
from tests.slack.test_card_and_messages import VIEW


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


def test_a_checked_block_is_taken_as_its_model_made_it() -> None:
    """An App Home's case rows are checked once (`checked`) and then taken as they are."""
    row = SectionBlock(block_id="case_1", text="Case #1")
    made = checked(row)
    assert made == row.to_dict()
    assert view_json([made, made], type="home")["blocks"] == [
        row.to_dict(),
        {**row.to_dict(), "block_id": "case_1-2"},
    ]
    # A plain dict is still parsed and checked; `checked` checks the model it is given.
    with pytest.raises(SlackObjectFormationError):
        checked(SectionBlock(text="x" * 3001))


def test_home_rows_follow_the_case_as_it_is_now() -> None:
    """The rows are remembered by the case's whole view: a change gives a new row, and a
    caller's changes to its copy never reach the next Home."""
    first = home._case_row("open", VIEW, False)
    assert first == home._case_row("open", VIEW, False)
    acknowledged = replace(VIEW, state=CaseState.ACKNOWLEDGED)
    assert "Acknowledged" in json.dumps(home._case_row("open", acknowledged, False))
    assert "Acknowledged" not in json.dumps(first)
    rows = home._case_rows([VIEW], "open", empty="none")
    rows[0]["block_id"] = "changed"
    assert home._case_rows([VIEW], "open", empty="none")[0]["block_id"] == "case_open_7"
