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


def assert_modal_valid(view: dict[str, Any]) -> None:
    errors = list(_validator("SlackModalView.schema.json").iter_errors(view))
    assert not errors, [e.message for e in errors[:5]]


def assert_home_valid(view: dict[str, Any]) -> None:
    errors = list(_validator("SlackHomeView.schema.json").iter_errors(view))
    assert not errors, [e.message for e in errors[:5]]


def assert_blocks_valid(blocks: list[dict[str, Any]]) -> None:
    errors = list(_validator("SlackBlocks.schema.json").iter_errors(blocks))
    assert not errors, [e.message for e in errors[:5]]


@pytest.fixture
def reference() -> Path:
    return REFERENCE
