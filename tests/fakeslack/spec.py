"""Checks of Web API calls against Slack's own published definitions.

Reads `tests/data/slack-reference/` (or `SLACK_REFERENCE_DIR`; sources and licences in its README):
the Web API spec for methods, required parameters and types; the Block Kit JSON schemas for
`blocks` and `view`; and `slack_sdk.models` for the length limits the schemas don't carry.
Every check returns a list of human-readable problems (empty = valid).
"""

from __future__ import annotations

import json
import os
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(
    os.environ.get("SLACK_REFERENCE_DIR", PROJECT_ROOT / "tests" / "data" / "slack-reference")
)

# Methods newer than the 2020 spec: parameters from Slack's method docs.
EXTRA_METHODS: dict[str, dict[str, tuple[bool, str]]] = {
    "files.getUploadURLExternal": {
        "filename": (True, "string"),
        "length": (True, "integer"),
        "alt_txt": (False, "string"),
        "snippet_type": (False, "string"),
    },
    "files.completeUploadExternal": {
        "files": (True, "string"),
        "channel_id": (False, "string"),
        "channels": (False, "string"),
        "initial_comment": (False, "string"),
        "thread_ts": (False, "string"),
        "blocks": (False, "string"),
    },
}
# Parameters clients add that the 2020 spec does not list (Bolt adds team_id; newer args).
ALWAYS_ALLOWED = {"team_id", "token"}
NEWER_PARAMS: dict[str, set[str]] = {
    "chat.postMessage": {"metadata"},
    "chat.update": {"metadata", "reply_broadcast", "file_ids"},
    "chat.postEphemeral": set(),
}
# Parameters the spec types as strings that carry JSON (JSON bodies send them as objects).
JSON_PARAMS = {"blocks", "attachments", "view", "metadata", "files"}


@cache
def web_api() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (REFERENCE_DIR / "web-api" / "slack_web_openapi_v2.json").read_text(encoding="utf-8")
    )
    return data


@cache
def method_params(method: str) -> dict[str, tuple[bool, str]] | None:
    """name -> (required, type) for a Web API method, or None if Slack has no such method."""
    if method in EXTRA_METHODS:
        return EXTRA_METHODS[method]
    path = web_api()["paths"].get(f"/{method}")
    if path is None:
        return None
    params: dict[str, tuple[bool, str]] = {}
    for operation in path.values():
        for p in operation.get("parameters", []):
            params[p["name"]] = (bool(p.get("required")), p.get("type", "string"))
    return params


@cache
def _validator(schema_name: str) -> Draft7Validator:
    schema = json.loads(
        (REFERENCE_DIR / "blockkit-schema" / f"{schema_name}.schema.json").read_text("utf-8")
    )
    return Draft7Validator(schema)


@cache
def sample_response(method: str) -> dict[str, Any] | None:
    path = REFERENCE_DIR / "sample-responses" / f"{method}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _type_ok(value: Any, expected: str, name: str) -> bool:
    if name in JSON_PARAMS and isinstance(value, list | dict):
        return True
    if expected == "boolean":
        return isinstance(value, bool) or str(value).lower() in ("true", "false", "1", "0")
    if expected == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())
    if expected == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return not isinstance(value, bool)
    # "string": form values are strings; JSON bodies may carry numbers for string ids (ts)
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def check_params(method: str, params: dict[str, Any]) -> list[str]:
    spec = method_params(method)
    if spec is None:
        return [f"{method}: no such Web API method"]
    problems = []
    for name, (required, _type) in spec.items():
        if required and name != "token" and params.get(name) in (None, ""):
            problems.append(f"{method}: required parameter {name!r} missing")
    allowed = set(spec) | ALWAYS_ALLOWED | NEWER_PARAMS.get(method, set())
    for name, value in params.items():
        if name not in allowed:
            problems.append(f"{method}: unknown parameter {name!r}")
        elif name in spec and not _type_ok(value, spec[name][1], name):
            problems.append(
                f"{method}: parameter {name!r} should be {spec[name][1]}, got {value!r:.80}"
            )
    return problems


def decode_json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value


@cache
def _block_validators() -> dict[str, Draft7Validator]:
    """One validator per block type: `KnownBlock` is an anyOf over every block type, and
    walking all of them for each block is slow (~100 ms a modal) and gives vague errors. A
    block can only match the definition whose `type` const it carries, so this is the same
    check. Types without a plain const (image) fall back to the whole `KnownBlock`."""
    schema = json.loads(
        (REFERENCE_DIR / "blockkit-schema" / "SlackBlocks.schema.json").read_text("utf-8")
    )
    definitions = schema["definitions"]
    validators: dict[str, Draft7Validator] = {}
    for ref in definitions["KnownBlock"]["anyOf"]:
        name = ref["$ref"].rsplit("/", 1)[1]
        block_type = definitions[name].get("properties", {}).get("type", {}).get("const")
        if block_type:
            validators[block_type] = Draft7Validator(
                {"$ref": f"#/definitions/{name}", "definitions": definitions}
            )
    return validators


@cache
def _known_block_validator() -> Draft7Validator:
    schema = json.loads(
        (REFERENCE_DIR / "blockkit-schema" / "SlackBlocks.schema.json").read_text("utf-8")
    )
    return Draft7Validator(
        {"$ref": "#/definitions/KnownBlock", "definitions": schema["definitions"]}
    )


@lru_cache(maxsize=4096)
def _check_block_json(block_json: str) -> str | None:
    """Schema problem of one block (as canonical JSON, so repeated blocks are checked once)."""
    block = json.loads(block_json)
    if not isinstance(block, dict):
        return "a block must be an object"
    validator = _block_validators().get(str(block.get("type")), _known_block_validator())
    error = best_match(validator.iter_errors(block))
    if error is None:
        return None
    return f"{error.message:.300} at {list(error.absolute_path)}"


def check_blocks(blocks: Any, where: str = "blocks") -> list[str]:
    """Valid by the Block Kit JSON schema and by slack_sdk's limits."""
    try:
        blocks = decode_json(blocks)
    except ValueError:
        return [f"{where}: not valid JSON"]
    return list(_check_blocks_json(json.dumps(blocks, sort_keys=True), where))


@lru_cache(maxsize=2048)
def _check_blocks_json(blocks_json: str, where: str) -> tuple[str, ...]:
    return tuple(_check_blocks(json.loads(blocks_json), where))


def _check_blocks(blocks: Any, where: str) -> list[str]:
    if not isinstance(blocks, list):
        return [f"{where}: schema: blocks must be an array"]
    for i, raw in enumerate(blocks):
        error = _check_block_json(json.dumps(raw, sort_keys=True))
        if error is not None:
            return [f"{where}[{i}]: schema: {error}"]
    problems = duplicate_block_ids(blocks, where)
    if len(blocks) > 50 and where == "blocks":
        problems.append(f"{where}: {len(blocks)} blocks; messages allow at most 50")
    for i, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is None:
                problems.append(f"{where}[{i}]: slack_sdk does not know this block")
                continue
            block.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError) as exc:
            problems.append(f"{where}[{i}]: slack_sdk: {exc}")
    return problems


def duplicate_block_ids(blocks: list[Any], where: str) -> list[str]:
    """Slack refuses a whole message or view in which two blocks share a block_id."""
    seen: set[str] = set()
    problems = []
    for i, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is None:
            continue
        if block_id in seen:
            problems.append(f"{where}[{i}]: duplicate block_id {block_id!r} (Slack refuses it)")
        seen.add(block_id)
    return problems


def check_view(view: Any) -> list[str]:
    try:
        view = decode_json(view)
    except ValueError:
        return ["view: not valid JSON"]
    return list(_check_view_json(json.dumps(view, sort_keys=True)))


@lru_cache(maxsize=2048)
def _check_view_json(view_json: str) -> tuple[str, ...]:
    return tuple(_check_view(json.loads(view_json)))


def _check_view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view: not an object"]
    schema = "SlackHomeView" if view.get("type") == "home" else "SlackModalView"
    shell = {**view, "blocks": []}  # blocks are checked one by one below (cached)
    error = best_match(_validator(schema).iter_errors(shell))
    if error is not None:
        return [f"view ({schema}): {error.message:.300} at {list(error.absolute_path)}"]
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as exc:
        return [f"view: slack_sdk: {exc}"]
    problems = check_blocks(view.get("blocks", []), "view.blocks")
    return [p for p in problems if "at most 50" not in p]
