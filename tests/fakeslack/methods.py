"""The Web API methods the fake implements: state kept and responses shaped like Slack's
(`slack-reference/sample-responses/`). Mixed into `FakeSlack`, which owns the state."""

from __future__ import annotations

import itertools
from typing import Any

from tests.fakeslack.records import Message


class WebApiMethods:
    """`_m_<method>` answers `<method>` (dots as underscores) after the call was checked."""

    team_id: str
    bot_user_id: str
    channels: dict[str, list[Message]]
    views: dict[str, dict[str, Any]]
    homes: dict[str, dict[str, Any]]
    uploads: dict[str, bytes]
    users: dict[str, dict[str, Any]]
    members: dict[str, list[str]]
    _ids: itertools.count[int]
    workspace_tokens: dict[str, str]
    admin_tokens: set[str]
    _pending_installs: dict[str, tuple[str, str, str]]
    _pending_enterprise: dict[str, tuple[str, bool]]

    @property
    def root_url(self) -> str:
        raise NotImplementedError

    def dm_channel(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def _ts(self) -> str:
        n = next(self._ids)
        return f"{1_790_000_000 + n}.{n:06d}"

    def _dispatch(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        return handler(p) if handler else {"ok": True}

    def _channel_of(self, channel: str) -> str:
        return self.dm_channel(channel) if channel[:1] in "UW" else channel

    def _message_json(self, m: Message) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "message",
            "text": m.text,
            "user": self.bot_user_id,
            "bot_id": "B0FAKEBOT1",
            "ts": m.ts,
            "team": self.team_id,
            "blocks": m.blocks,
        }
        if m.thread_ts:
            out["thread_ts"] = m.thread_ts
        return out

    def _m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake workspace",
            "user": "coc",
            "team_id": getattr(getattr(self, "_local", None), "team", None) or self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "B0FAKEBOT1",
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(str(p["channel"]))
        if channel in self.gone_channels:  # e.g. a DM channel of an earlier installation
            return {"ok": False, "error": "channel_not_found"}
        thread_ts = str(p["thread_ts"]) if p.get("thread_ts") else None
        if thread_ts and not any(m.ts == thread_ts for m in self.channels[channel]):
            return {"ok": False, "error": "thread_not_found"}
        m = Message(channel, self._ts(), str(p.get("text") or ""), p.get("blocks") or [], thread_ts)
        self.channels[channel].append(m)
        return {"ok": True, "channel": channel, "ts": m.ts, "message": self._message_json(m)}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(str(p["channel"]))
        for m in self.channels[channel]:
            if m.ts == str(p["ts"]):
                if "text" in p:
                    m.text = str(p["text"] or "")
                if "blocks" in p:
                    m.blocks = p["blocks"] or []
                m.edits += 1
                return {
                    "ok": True,
                    "channel": channel,
                    "ts": m.ts,
                    "text": m.text,
                    "message": {k: v for k, v in self._message_json(m).items() if k != "ts"},
                }
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        """As Slack: a bot token deletes only the app's own messages; a person's message takes
        an admin's user token (xoxp-, `admin_tokens`)."""
        channel = self._channel_of(str(p["channel"]))
        token = getattr(getattr(self, "_local", None), "token", None) or ""
        for m in self.channels[channel]:
            if m.ts == str(p["ts"]):
                if m.user is not None and token not in self.admin_tokens:
                    return {"ok": False, "error": "cant_delete_message"}
                self.channels[channel].remove(m)
                return {"ok": True, "channel": channel, "ts": m.ts}
        return {"ok": False, "error": "message_not_found"}

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._ts()}

    def _m_chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        ts = str(p["message_ts"]).replace(".", "")
        return {
            "ok": True,
            "channel": p["channel"],
            "permalink": f"https://fake-workspace.slack.com/archives/{p['channel']}/p{ts}",
        }

    def _m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if p.get("channel"):
            channel_id = str(p["channel"])
        elif len(users) == 1:
            channel_id = self.dm_channel(users[0])
        elif users:
            channel_id = "G" + "".join(u[-3:] for u in sorted(users))
        else:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": channel_id}}

    def _m_conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        members = self.members.get(str(p.get("channel")), [])
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p.get("user") or "")
        user = self.users.get(user_id, {"id": user_id, "name": user_id.lower()})
        profile = {"real_name": user.get("real_name", user["name"]), "display_name": user["name"]}
        return {
            "ok": True,
            "user": {
                "team_id": self.team_id,
                "deleted": False,
                "is_bot": False,
                "tz": "Europe/Amsterdam",
                "profile": profile,
                **user,
            },
        }

    def _view_json(
        self, view: dict[str, Any], view_id: str, previous: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": "A0FAKEAPP1",
            "bot_id": "B0FAKEBOT1",
            "state": {"values": {}},
            "hash": f"hash-{next(self._ids)}",
            "root_view_id": previous or view_id,
            "previous_view_id": previous,
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **view,
        }

    def _m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.trigger_expired(str(p.get("trigger_id"))):
            return {"ok": False, "error": "expired_trigger_id"}
        view_id = f"V{next(self._ids):09d}"
        self.views[view_id] = self._view_json(p["view"], view_id)
        return {"ok": True, "view": self.views[view_id]}

    def _m_views_push(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._m_views_open(p)

    def _m_views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        view_id = p.get("view_id")
        if not view_id:
            view_id = next(
                (k for k, v in self.views.items() if v.get("external_id") == p["external_id"]),
                None,
            )
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        current = self.views[view_id]
        if p.get("hash") and p["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        self.views[view_id] = self._view_json(p["view"], view_id, current["previous_view_id"])
        return {"ok": True, "view": self.views[view_id]}

    def _m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        user_id = str(p["user_id"])
        view_id = self.homes.get(user_id, {}).get("id") or f"V{next(self._ids):09d}"
        self.homes[user_id] = self._view_json(p["view"], view_id)
        return {"ok": True, "view": self.homes[user_id]}

    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):09d}"
        return {"ok": True, "upload_url": f"{self.root_url}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p["files"] if isinstance(p["files"], list) else []
        missing = [f.get("id") for f in files if f.get("id") not in self.uploads]
        if missing:
            return {"ok": False, "error": "file_not_found"}
        return {
            "ok": True,
            "files": [
                {"id": f["id"], "title": f.get("title", ""), "size": len(self.uploads[f["id"]])}
                for f in files
            ],
        }

    def _oauth_access(self, params: dict[str, Any], auth: str | None) -> dict[str, Any]:
        """`oauth.v2.access`: client credentials (Basic auth or params) and a code from
        `expect_install`."""
        code = str(params.get("code"))
        install = self._pending_installs.pop(code, None)
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, user_id, token = install
        self.workspace_tokens[token] = team_id
        enterprise = self._pending_enterprise.pop(code, None)
        answer = {
            "ok": True,
            "app_id": "A0FAKEAPP1",
            "authed_user": {"id": user_id},
            "scope": "chat:write,commands,files:write,im:write",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": f"Workspace {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if enterprise is not None:
            enterprise_id, org_wide = enterprise
            answer["enterprise"] = {"id": enterprise_id, "name": "Grid org"}
            answer["is_enterprise_install"] = org_wide
            if org_wide:
                answer["team"] = None
        return answer
