"""A fake Slack Web API on a loopback port, for tests.

It answers the methods the app uses with responses shaped like Slack's, keeps the state those
methods imply (messages per channel, DMs, modals, App Home per user), records every call, and
checks every call against Slack's published definitions (`spec.py`). A call that breaks them is
answered like Slack would (`ok: false`) and recorded in `violations`, which the `fake_slack`
fixture asserts empty at teardown. Faults (429 with Retry-After, 500, a hang) can be injected for
the next N calls of a method.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from slack_sdk import WebClient

from tests.fakeslack import spec
from tests.fakeslack.ends import OtherEnds
from tests.fakeslack.faults import Faults
from tests.fakeslack.methods import WebApiMethods
from tests.fakeslack.records import Call, Fault, Message

TEXT_LIMIT = 40_000
SLACK_ID = re.compile(r"[CGDUWT][A-Z0-9]+")
# Parameters that must hold a Slack id (catches "None", a name or a mention posted as an id).
ID_PARAMS = {
    "chat.postMessage": ("channel",),
    "chat.update": ("channel",),
    "chat.postEphemeral": ("channel", "user"),
    "chat.getPermalink": ("channel",),
    "conversations.members": ("channel",),
    "users.info": ("user",),
    "views.publish": ("user_id",),
}


class FakeSlack(Faults, WebApiMethods, OtherEnds):
    def __init__(
        self,
        token: str = "xoxb-fake-bot-token",
        team_id: str = "T0TEAM0001",
        bot_user_id: str = "U0BOTUSER1",
    ) -> None:
        self.token, self.team_id, self.bot_user_id = token, team_id, bot_user_id
        # Bot token -> workspace: the default one, plus workspaces installed through OAuth.
        self.workspace_tokens: dict[str, str] = {token: team_id}
        self.admin_tokens: set[str] = set()  # workspace admins' user tokens (chat.delete)
        self._pending_installs: dict[str, tuple[str, str, str]] = {}
        # code -> (enterprise id, org-wide?) for installs in an Enterprise Grid organization
        self._pending_enterprise: dict[str, tuple[str, bool]] = {}
        self._local = threading.local()
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._released = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSlack:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(
            target=server.serve_forever, args=(0.05,), daemon=True, name="fake-slack"
        ).start()
        return self

    def stop(self) -> None:
        self._released.set()  # wake hung handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget calls, state and faults (users and channel members stay)."""
        with self._lock:
            self._calls: list[Call] = []
            self.violations: list[str] = []
            self.channels: dict[str, list[Message]] = defaultdict(list)
            self.ephemerals: list[Call] = []
            self.views: dict[str, dict[str, Any]] = {}
            self.homes: dict[str, dict[str, Any]] = {}
            self.uploads: dict[str, bytes] = {}
            self._used_triggers: set[str] = set()
            self._issued_triggers: dict[str, float] = {}
            self._modal_triggers: set[str] = set()  # issued by an interaction in a modal
            self._faults: dict[str, list[Fault | None]] = defaultdict(list)
            self.answering: dict[str, int] = defaultdict(int)  # calls being slowly answered
            self.gone_channels: set[str] = set()  # chat.postMessage: channel_not_found
            if not hasattr(self, "users"):
                self.users: dict[str, dict[str, Any]] = {}
                self.members: dict[str, list[str]] = {}

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSlack not started"
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """Base URL of the Web API (SLACK_API_URL)."""
        return self.root_url + "api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.root_url}response/{name}-{next(self._ids)}"

    def client(self, timeout: int = 5) -> WebClient:
        return WebClient(token=self.token, base_url=self.url, timeout=timeout)

    # ------------------------------------------------------------------ workspaces
    def expect_install(
        self,
        code: str,
        team_id: str,
        user_id: str = "U0INSTALL1",
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> str:
        """The next `oauth.v2.access` with `code` installs the app in `team_id`; returns
        that workspace's bot token. With `enterprise_id`, the workspace belongs to an
        Enterprise Grid organization; `org_wide`: installed for the whole organization
        (Slack then sends no team)."""
        token = f"xoxb-{(enterprise_id if org_wide else team_id or '').lower()}-installed"
        self._pending_installs[code] = (team_id, user_id, token)
        if enterprise_id:
            self._pending_enterprise[code] = (enterprise_id, org_wide)
        return token

    def team_of(self, call: Call) -> str | None:
        """The workspace whose token made the call."""
        return call.team

    # ------------------------------------------------------------------ test controls
    trigger_ttl: float = 3.0  # Slack: "trigger_id expires after 3 seconds"

    def issue_trigger(self, trigger_id: str, *, in_modal: bool = False) -> None:
        """A payload carrying `trigger_id` was sent now: it opens a modal for `trigger_ttl`.
        `in_modal`: sent from an open modal, the only place Slack lets `views.push` stack one
        (App Home, a message, a command or a shortcut has no modal to push onto)."""
        with self._lock:
            self._issued_triggers[trigger_id] = time.monotonic()
            if in_modal:
                self._modal_triggers.add(trigger_id)

    def expire_triggers(self) -> None:
        """Every trigger issued so far expires now (no short TTL raced on a busy machine)."""
        with self._lock:
            self._issued_triggers = dict.fromkeys(self._issued_triggers, float("-inf"))

    def trigger_expired(self, trigger_id: str) -> bool:
        with self._lock:
            issued = self._issued_triggers.get(trigger_id)
        return issued is not None and time.monotonic() - issued > self.trigger_ttl

    def add_user(self, user_id: str, name: str = "someone", **fields: Any) -> None:
        self.users[user_id] = {"id": user_id, "name": name, **fields}

    def add_admin_token(self, token: str, team_id: str | None = None) -> None:
        """A workspace admin's user token: it may delete anyone's message (chat.delete)."""
        with self._lock:
            self.workspace_tokens[token] = team_id or self.team_id
            self.admin_tokens.add(token)

    def seed_message(self, channel: str, user_id: str, text: str) -> Message:
        """A person's message in a channel (what a member may report)."""
        with self._lock:
            m = Message(channel, self._ts(), text, [], user=user_id)
            self.channels[channel].append(m)
            return m

    def set_members(self, channel: str, user_ids: list[str]) -> None:
        self.members[channel] = list(user_ids)

    # ------------------------------------------------------------------ assertions
    def attempts(self, method: str | None = None) -> list[Call]:
        """Every call received, including faulted and rejected ones."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def calls(self, method: str | None = None) -> list[Call]:
        """Calls that succeeded (what Slack actually did)."""
        return [c for c in self.attempts(method) if c.ok]

    def all_text(self) -> str:
        """Every string the app sent to Slack (any call, any parameter), for marker scans."""
        parts = [s for c in self.attempts() for s in c.strings()]
        parts += [b.decode("utf-8", "replace") for b in self.uploads.values()]
        return "\n".join(parts)

    def messages(self, channel: str) -> list[Message]:
        with self._lock:
            return list(self.channels.get(channel, []))

    def ephemerals_for(self, user_id: str) -> list[str]:
        """Texts of the ephemeral messages (chat.postEphemeral) shown to `user_id`."""
        return [c.text for c in self.calls("chat.postEphemeral") if c.params.get("user") == user_id]

    def dms(self, user_id: str) -> list[Message]:
        return self.messages(self.dm_channel(user_id))

    def home(self, user_id: str) -> dict[str, Any] | None:
        return self.homes.get(user_id)

    def assert_clean(self) -> None:
        if self.violations:
            raise AssertionError(
                "Slack API violations:\n" + "\n".join(f"- {v}" for v in self.violations)
            )

    # ------------------------------------------------------------------ request handling
    def handle_api(
        self, method: str, params: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        fault = self._next_fault(method)
        if fault is not None and fault.slow_seconds:
            with self._lock:
                self.answering[method] += 1
            time.sleep(fault.slow_seconds)
            with self._lock:
                self.answering[method] -= 1
            fault = None
        if fault is not None:
            if fault.hang_seconds:
                self._record(Call(method, params, {"ok": False}, 0, "hang"))
                self._released.wait(fault.hang_seconds)
                return 0, {}, {}
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            error = fault.error or {429: "ratelimited"}.get(fault.status, "internal_error")
            body = {"ok": False, "error": error}
            self._record(Call(method, params, body, fault.status, f"http {fault.status}"))
            return fault.status, body, headers

        if method == "apps.connections.open":
            # Newer than the OpenAPI snapshot in slack-reference: answered as Slack documents
            # it (app-level token, a WebSocket URL).
            body = self._connections_open(auth or params.get("token"))
            self._record(Call(method, params, body))
            return 200, body, {}
        if method == "oauth.v2.access":
            body = self._oauth_access(params, auth)
            self._record(Call(method, params, body))
            return 200, body, {}
        token = auth or params.get("token")
        problems = []
        if not token:
            problems.append(f"{method}: no token (Authorization: Bearer or token param)")
        elif token not in self.workspace_tokens:
            problems.append(f"{method}: wrong token {token[:10]}...")
        team = self.workspace_tokens.get(token or "")
        problems += spec.check_params(method, params)
        params = self._decode_json_params(method, params, problems)
        if not problems:
            problems += self._semantic_problems(method, params)
        if problems:
            body = {"ok": False, "error": "invalid_arguments", "problems": problems}
            self._record(Call(method, params, body, 200, None, problems))
            return 200, body, {}
        with self._lock:
            self._local.team = team
            self._local.token = token
            body = self._dispatch(method, params)
        self._record(Call(method, params, body, team=team))
        return 200, body, {}

    def _record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)
            self.violations.extend(call.problems)
            if call.method == "chat.postEphemeral" and call.ok:
                self.ephemerals.append(call)

    def _decode_json_params(
        self, method: str, params: dict[str, Any], problems: list[str]
    ) -> dict[str, Any]:
        decoded = dict(params)
        for name in ("blocks", "view", "attachments", "files"):
            if name not in decoded:
                continue
            try:
                decoded[name] = spec.decode_json(decoded[name])
            except ValueError:
                problems.append(f"{method}: {name} is not valid JSON")
        if "blocks" in decoded and not any("blocks" in p for p in problems):
            problems += [f"{method}: {p}" for p in spec.check_blocks(decoded["blocks"])]
        if "view" in decoded and isinstance(decoded["view"], dict | list):
            problems += [f"{method}: {p}" for p in spec.check_view(decoded["view"])]
        return decoded

    def _semantic_problems(self, method: str, params: dict[str, Any]) -> list[str]:
        problems = []
        for name in ID_PARAMS.get(method, ()):
            value = params.get(name)
            if value is not None and not SLACK_ID.fullmatch(str(value)):
                problems.append(f"{method}: {name}={str(value)[:40]!r} is not a Slack id")
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            if method != "chat.update" and not (
                params.get("text") or params.get("blocks") or params.get("attachments")
            ):
                problems.append(f"{method}: no_text (needs text, blocks or attachments)")
            if len(str(params.get("text") or "")) > TEXT_LIMIT:
                problems.append(f"{method}: msg_too_long")
        if method in ("views.open", "views.push"):
            trigger = str(params.get("trigger_id"))
            if trigger in self._used_triggers:
                problems.append(f"{method}: trigger_id {trigger} used twice (Slack: one use)")
            self._used_triggers.add(trigger)
            if method == "views.push" and trigger not in self._modal_triggers:
                problems.append(
                    f"views.push: trigger_id {trigger} did not come from an open modal (Slack "
                    "pushes only onto an open modal; App Home and messages need views.open)"
                )
        if method == "views.update" and not (params.get("view_id") or params.get("external_id")):
            problems.append("views.update: needs view_id or external_id")
        view = params.get("view")
        view_type = view.get("type") if isinstance(view, dict) else None
        if method == "views.publish" and view_type != "home":
            problems.append("views.publish: view type must be home")
        if method in ("views.open", "views.push") and view_type != "modal":
            problems.append(f"{method}: view type must be modal")
        return problems


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if parts.path.startswith("/upload/"):
                fake.uploads[parts.path.rsplit("/", 1)[1]] = raw
                return self._reply(200, f"OK - {len(raw)}".encode(), "text/plain")
            if parts.path.startswith("/response/"):
                if fake.response_url_hangs(parts.path):
                    self.close_connection = True
                    return None
                fake.handle_response_url(parts.path, json.loads(raw or b"{}"))
                return self._reply(200, b"ok", "text/plain")
            if not parts.path.startswith("/api/"):
                return self._reply(404, b"not found", "text/plain")
            method = parts.path[len("/api/") :]
            params: dict[str, Any] = dict(parse_qsl(parts.query, keep_blank_values=True))
            ctype = self.headers.get("Content-Type", "")
            if raw and ctype.startswith("application/json"):
                params.update(json.loads(raw))
            elif raw:
                params.update(parse_qsl(raw.decode(), keep_blank_values=True))
            header = self.headers.get("Authorization", "")
            auth = header[len("Bearer ") :] if header.startswith("Bearer ") else None
            status, body, headers = fake.handle_api(method, params, auth)
            if status == 0:  # hang: the client gave up; close without answering
                self.close_connection = True
                return None
            return self._reply(status, json.dumps(body).encode(), "application/json", headers)

        def _reply(
            self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
