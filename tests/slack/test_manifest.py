"""manifest.yml validates against Slack's manifest schema and declares what the app uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

from slack_coc.slack.app_settings import BOT_SCOPES, BotEvent
from slack_coc.slack.ids import SLASH_COMMAND, Shortcut
from slack_coc.slack.oauth import BOT_SCOPES as OAUTH_SCOPES

ROOT = Path(__file__).resolve().parents[2]


def _validator(reference: Path) -> jsonschema.protocols.Validator:
    """The top schema refers to the versioned files by URL: serve them from the local copies."""
    folder = reference / "manifest-schema"
    top = json.loads((folder / "manifest.schema.json").read_text())
    resources = []
    for version in ("1.0.0", "2.0.0"):
        schema = json.loads((folder / "schemas" / f"manifest.schema.{version}.json").read_text())
        url = (
            "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
            f"manifest.schema.{version}.json"
        )
        resources.append((url, Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    cls = jsonschema.validators.validator_for(top)
    return cls(top, registry=registry)


def _manifest() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "manifest.yml").read_text()))


def test_manifest_validates_against_slacks_schema(reference: Path) -> None:
    errors = list(_validator(reference).iter_errors(_manifest()))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_validator_rejects_slacks_invalid_example(reference: Path) -> None:
    bad = json.loads((reference / "manifest-schema/examples/v1.manifest.invalid.json").read_text())
    good = json.loads((reference / "manifest-schema/examples/v1.manifest.valid.json").read_text())
    validator = _validator(reference)
    assert list(validator.iter_errors(bad))
    assert not list(validator.iter_errors(good))


def test_manifest_declares_the_command_shortcuts_events_and_only_used_scopes() -> None:
    manifest = _manifest()
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == [SLASH_COMMAND]
    shortcuts = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert shortcuts == {
        Shortcut.REPORT_CONCERN.value: "global",
        Shortcut.REPORT_MESSAGE.value: "message",
    }
    assert settings["event_subscriptions"]["bot_events"] == [e.value for e in BotEvent]
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write",
        "commands",
        "files:write",  # /coc records and /coc stats upload files (v2 flow)
        "im:write",
    }
    assert manifest["settings"]["org_deploy_enabled"] is False  # org-wide installs refused
    for url in (
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    ):
        assert url.endswith("/slack/events")


def test_manifest_oauth_flow_and_handlers_are_one_list() -> None:
    """The scopes the manifest grants are the ones the OAuth flow asks for (it used to ask
    for users:read, which the manifest lacked), and the events it subscribes to are the
    ones the app handles (it subscribed to app_home_opened only, so uninstalls never came)."""
    manifest = _manifest()
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES) == OAUTH_SCOPES
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(BotEvent) == sorted(_handled_events())


def _handled_events() -> set[str]:
    """Every event a listener module registers (`@app.event(...)`), read from the source:
    each must name a BotEvent, so a new handler cannot miss the manifest."""
    import re

    listeners = ROOT / "slack_coc" / "slack" / "listeners"
    found: set[str] = set()
    for path in listeners.glob("*.py"):
        for argument in re.findall(r"@app\.event\(([^)]*)\)", path.read_text()):
            match = re.fullmatch(r"BotEvent\.([A-Z_]+)\.value", argument.strip())
            assert match, f"{path.name}: @app.event({argument}) must name a BotEvent"
            found.add(BotEvent[match.group(1)].value)
    return found
