"""What Slack posts to the app: slash command, block_actions, view_submission, shortcut and
event payloads, shaped like `slack-reference/sample-payloads/` (ids made up, Slack-shaped)."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakeslack import FakeSlack


@dataclass
class Payloads:
    """Builders of what Slack posts to the app. Ids are made up but shaped like Slack's."""

    team_id: str
    fake: FakeSlack
    api_app_id: str = "A0FAKEAPP1"
    team_domain: str = "fake-workspace"
    _seq: Any = field(default_factory=lambda: itertools.count(1))

    def trigger_id(self, *, in_modal: bool = False) -> str:
        """A new trigger id; `in_modal`: from an interaction inside an open modal."""
        n = next(self._seq)
        trigger = f"{n}.{n * 7}.{hashlib.md5(str(n).encode()).hexdigest()}"
        self.fake.issue_trigger(trigger, in_modal=in_modal)
        return trigger

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _user(self, user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": self.team_id,
        }

    def slash_command(
        self, user_id: str, text: str, channel_id: str = "C0COCGROUP", command: str = "/coc"
    ) -> dict[str, str]:
        return {
            "token": "verification-token-unused",
            "api_app_id": self.api_app_id,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": "coc-private",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "response_url": self.fake.response_url("command"),
            "trigger_id": self.trigger_id(),
            "is_enterprise_install": "false",
        }

    def block_actions(
        self,
        user_id: str,
        action_id: str,
        value: str = "",
        *,
        block_id: str = "actions",
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        action_type: str = "button",
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A click. With `message` (a recorded message: ts, text, blocks) it comes from a
        message in `channel_id`; with `view` from a modal or App Home."""
        action: dict[str, Any] = {
            "type": action_type,
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": f"{time.time():.6f}",
        }
        if action_type == "button":
            action["value"] = value
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        action.update(extra or {})
        # A view that says nothing of its type is taken as a modal (App Home views say "home").
        in_modal = view is not None and view.get("type", "modal") == "modal"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification-token-unused",
            "trigger_id": self.trigger_id(in_modal=in_modal),
            "actions": [action],
            "is_enterprise_install": False,
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0")}
            payload["view"] = view
        else:
            channel = channel_id or "C0COCGROUP"
            msg = message or {"ts": "1790000000.000001", "text": "", "blocks": []}
            payload["container"] = {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "coc-private"}
            payload["message"] = {"type": "message", "user": "U0BOTUSER1", **msg}
            payload["response_url"] = self.fake.response_url("action")
        return payload

    def view_submission(
        self,
        user_id: str,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Submit `view` (as opened on the fake: it has id, callback_id, private_metadata) with
        `values` = {block_id: {action_id: value-object}} (Slack's view.state.values)."""
        submitted = {
            "id": view.get("id", "V0SUBMIT01"),
            "team_id": self.team_id,
            "type": "modal",
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "hash": view.get("hash", "hash-0"),
            "title": view.get("title"),
            "blocks": view.get("blocks", []),
            "root_view_id": view.get("root_view_id", view.get("id")),
            "previous_view_id": view.get("previous_view_id"),
            "app_id": self.api_app_id,
            "bot_id": "B0FAKEBOT1",
            "state": {"values": values or {}},
        }
        return {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": "verification-token-unused",
            "trigger_id": self.trigger_id(in_modal=True),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
        }

    def view_closed(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        payload = self.view_submission(user_id, view)
        payload["type"] = "view_closed"
        payload["is_cleared"] = False
        return payload

    def global_shortcut(self, user_id: str, callback_id: str) -> dict[str, Any]:
        return {
            "type": "shortcut",
            "token": "verification-token-unused",
            "action_ts": f"{time.time():.6f}",
            "team": self._team(),
            "user": self._user(user_id),
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "is_enterprise_install": False,
        }

    def message_shortcut(
        self, user_id: str, callback_id: str, message: dict[str, Any], channel_id: str
    ) -> dict[str, Any]:
        return {
            "type": "message_action",
            "token": "verification-token-unused",
            "action_ts": f"{time.time():.6f}",
            "team": self._team(),
            "user": self._user(user_id),
            "channel": {"id": channel_id, "name": "general"},
            "callback_id": callback_id,
            "trigger_id": self.trigger_id(),
            "message_ts": message["ts"],
            "message": {"type": "message", **message},
            "response_url": self.fake.response_url("shortcut"),
            "is_enterprise_install": False,
        }

    def event(self, event: dict[str, Any]) -> dict[str, Any]:
        n = next(self._seq)
        return {
            "token": "verification-token-unused",
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "U0BOTUSER1", "is_bot": True}],
            "is_ext_shared_channel": False,
        }

    def app_home_opened(self, user_id: str) -> dict[str, Any]:
        return self.event(
            {
                "type": "app_home_opened",
                "user": user_id,
                "channel": "D" + user_id[1:],
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
        )
