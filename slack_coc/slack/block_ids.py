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

from slack_sdk.models.blocks import Block

MAX_BLOCK_ID = 255  # Slack's limit on a block_id


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
