"""Block ids unique within one view or message, by construction.

Slack refuses a whole view or message in which two blocks share a `block_id` (App Home then
stays as it was, and nobody sees why). Every builder turns its blocks into JSON here: a block
id seen before in the same list gets a suffix ("case_12", "case_12-2"), so a builder that
lists one case in two places, or a helper used twice, can never produce a refused view.
Modal inputs keep their ids (they are the first of their name); only repeats are renamed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_BLOCK_ID = 255  # Slack's limit on a block_id
_PLACEHOLDER = {"type": "divider"}  # `View` checks its fields only with a block in it


class CheckedBlock(dict[str, Any]):
    """A block's JSON as its slack_sdk model made it (its `to_dict()` checked Slack's limits):
    taken as is, not parsed and checked again. For blocks built once and shown many times
    (an App Home's case rows, alike for every member)."""


def checked(block: Block) -> CheckedBlock:
    return CheckedBlock(block.to_dict())


def blocks_json(blocks: Iterable[Block | dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks as Slack takes them, no block id used twice."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for block in blocks:
        data = block.to_dict() if isinstance(block, Block) else dict(block)
        block_id = data.get("block_id")
        if isinstance(block_id, str):
            data["block_id"] = _first_free(block_id, seen)
            seen.add(data["block_id"])
        out.append(data)
    return out


def view_json(blocks: Iterable[Block | dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A view (modal, home) as Slack takes it: its own fields checked by slack_sdk's `View`,
    each block checked once, by its own `to_dict()` (a block given as a dict is parsed into
    its model first). Handing the blocks to `View` itself checked them twice and parsed them
    back from JSON in between: half of the detail modal's CPU (2.2 ms, now 1.1)."""
    blocks_out = blocks_json(
        block if isinstance(block, Block | CheckedBlock) else _checked(block) for block in blocks
    )
    if not 0 < len(blocks_out) <= View.blocks_max_length:
        raise SlackObjectFormationError(
            f"views must contain between 1 and {View.blocks_max_length} blocks"
        )
    view = View(**fields, blocks=[_PLACEHOLDER]).to_dict()  # its own fields checked
    view["blocks"] = blocks_out
    return view


def _checked(block: dict[str, Any]) -> Block | dict[str, Any]:
    parsed = Block.parse(block)
    return parsed if parsed is not None else dict(block)


def _first_free(block_id: str, seen: set[str]) -> str:
    if block_id not in seen:
        return block_id
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = block_id[: MAX_BLOCK_ID - len(suffix)] + suffix
        if candidate not in seen:
            return candidate
        n += 1
