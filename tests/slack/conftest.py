"""Shared helpers for Slack builder and listener tests: schema validation of Block Kit."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.fakeslack.spec import REFERENCE_DIR as REFERENCE  # tests/data/slack-reference

BLOCKKIT = REFERENCE / "blockkit-schema"


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((BLOCKKIT / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _assert_block_ids_unique(blocks: list[dict[str, Any]]) -> None:
    """Slack's rule the schemas do not carry: no block id twice in one view or message."""
    ids = [b["block_id"] for b in blocks if isinstance(b, dict) and "block_id" in b]
    assert len(ids) == len(set(ids)), f"duplicate block ids: {ids}"


def assert_modal_valid(view: dict[str, Any]) -> None:
    errors = list(_validator("SlackModalView.schema.json").iter_errors(view))
    assert not errors, [e.message for e in errors[:5]]
    _assert_block_ids_unique(view.get("blocks", []))


def assert_home_valid(view: dict[str, Any]) -> None:
    errors = list(_validator("SlackHomeView.schema.json").iter_errors(view))
    assert not errors, [e.message for e in errors[:5]]
    _assert_block_ids_unique(view.get("blocks", []))


def assert_blocks_valid(blocks: list[dict[str, Any]]) -> None:
    errors = list(_validator("SlackBlocks.schema.json").iter_errors(blocks))
    assert not errors, [e.message for e in errors[:5]]
    _assert_block_ids_unique(blocks)


@pytest.fixture
def reference() -> Path:
    return REFERENCE
