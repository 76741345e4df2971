"""OAuth distribution to many workspaces (Bolt's flow, slack_sdk's SQLAlchemy stores).

Installations live in our database (tables registered in `slack_coc.schema`, created by our
migrations); bot and user tokens are encrypted at rest with the same keys as report text.
"""

from __future__ import annotations

import copy
import html
import logging
from typing import Any

from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import select
from sqlalchemy.engine import Engine

from slack_coc import crypto
from slack_coc.runtime import Runtime
from slack_coc.schema import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    OAUTH_STATES_TABLE,
    OAUTH_TOKEN_FIELDS,
    OAUTH_TOKEN_PREFIX,
)
from slack_coc.services import workspaces
from slack_coc.slack import app_settings

log = logging.getLogger(__name__)

# The one list manifest.yml is checked against (tests/slack/test_manifest.py).
BOT_SCOPES = list(app_settings.BOT_SCOPES)

ORG_INSTALL_REFUSED = (
    "Code of Conduct cannot be installed for a whole Enterprise Grid organization: each "
    "workspace's working group has its own channel, chairs and cases. Please install it "
    "in each workspace that needs it instead."
)

_TOKEN_FIELDS = OAUTH_TOKEN_FIELDS
_PREFIX = OAUTH_TOKEN_PREFIX


def _encrypt(value: str | None) -> str | None:
    if not value or value.startswith(_PREFIX):
        return value
    return _PREFIX + crypto.encrypt(value).decode("ascii")


def _decrypt(value: str | None) -> str | None:
    if not value or not value.startswith(_PREFIX):
        return value
    return crypto.decrypt(value.removeprefix(_PREFIX).encode("ascii"))


def _with_tokens(entity: Any, transform: Any) -> Any:
    clone = copy.copy(entity)
    for name in _TOKEN_FIELDS:
        if hasattr(clone, name):
            setattr(clone, name, transform(getattr(clone, name)))
    return clone


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, with tokens encrypted before they reach the database."""

    def save(self, installation: Installation) -> None:
        super().save(_with_tokens(installation, _encrypt))

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(_with_tokens(bot, _encrypt))

    def find_bot(self, **kwargs: Any) -> Bot | None:
        bot = super().find_bot(**kwargs)
        return _with_tokens(bot, _decrypt) if bot else None

    def find_installation(self, **kwargs: Any) -> Installation | None:
        found = super().find_installation(**kwargs)
        return _with_tokens(found, _decrypt) if found else None

    def enterprise_of(self, team_id: str) -> str | None:
        """The Enterprise Grid organization a workspace's installation belongs to (None
        outside Grid): slack_sdk matches `enterprise_id` exactly, so a lookup by workspace
        alone would miss a workspace of an organization."""
        c = self.bots.c
        query = (
            select(c.enterprise_id)
            .where(c.client_id == self.client_id, c.team_id == team_id)
            .order_by(c.installed_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else str(value)

    def find_bot_for_team(self, team_id: str) -> Bot | None:
        return self.find_bot(enterprise_id=self.enterprise_of(team_id), team_id=team_id)


def _store_engine(rt: Runtime) -> Engine:
    # slack_sdk's stores open their own connections; on SQLite they must not take the write
    # lock up front, or a lookup made while the outbox holds it would wait for it.
    return rt.engine.execution_options(sqlite_begin="DEFERRED")


def installation_store(rt: Runtime) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(
        client_id=rt.settings.SLACK_CLIENT_ID or "",
        engine=_store_engine(rt),
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def oauth_settings(rt: Runtime) -> OAuthSettings:
    """OAuth settings for `App(oauth_settings=...)`: `/slack/install`, `/slack/oauth_redirect`."""

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.is_enterprise_install or not installation.team_id:
            # An org-wide install has no workspace id: it used to be recorded as a workspace
            # "" whose bot token was never found. Refused, and its tokens not kept.
            store.delete_all(enterprise_id=installation.enterprise_id, team_id=None)
            log.warning("an organization-wide installation was refused")
            return _page(400, ORG_INSTALL_REFUSED)
        team_id = installation.team_id
        workspaces.install(rt.ctx, team_id, installation.team_name or "")
        log.info("installed in workspace %s", team_id)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("installation failed: %s", args.reason)
        return args.default.failure(args)

    store = installation_store(rt)
    return OAuthSettings(
        client_id=rt.settings.SLACK_CLIENT_ID,
        client_secret=rt.settings.SLACK_CLIENT_SECRET,
        scopes=BOT_SCOPES,
        installation_store=store,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=_store_engine(rt), table_name=OAUTH_STATES_TABLE
        ),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        callback_options=CallbackOptions(success=success, failure=failure),
    )


def _page(status: int, text: str) -> BoltResponse:
    body = f"<!DOCTYPE html><html><body><p>{html.escape(text)}</p></body></html>"
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html"})


def forget_installation(
    rt: Runtime,
    team_id: str | None,
    enterprise_id: str | None,
    *,
    bot: bool,
    user_ids: list[str] | None = None,
) -> None:
    """Slack says the app was uninstalled or tokens were revoked: delete the stored tokens
    (they used to be kept) and, when the bot's went, disable the workspace (records stay)."""
    if not team_id:
        return
    if bot:  # first: nothing works on for the workspace once its tokens are gone
        workspaces.uninstall(rt.ctx, team_id)
    if uses_oauth(rt):
        store = installation_store(rt)
        enterprise_id = enterprise_id or store.enterprise_of(team_id)
        if bot:
            store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        for user_id in user_ids or []:
            store.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)


def uses_oauth(rt: Runtime) -> bool:
    s = rt.settings
    return bool(s.SLACK_CLIENT_ID and s.SLACK_CLIENT_SECRET and not s.SLACK_BOT_TOKEN)


class WorkspaceClients:
    """A Web API client per workspace: the single bot token, or the installed one."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._store = installation_store(rt) if uses_oauth(rt) else None
        self._clients: dict[str, WebClient] = {}
        self._single = (
            WebClient(token=rt.settings.SLACK_BOT_TOKEN, base_url=rt.settings.SLACK_API_URL)
            if rt.settings.SLACK_BOT_TOKEN
            else None
        )

    def for_team(self, team_id: str) -> WebClient:
        if self._store is None:
            if self._single is None:
                raise LookupError("SLACK_BOT_TOKEN is not set")
            return self._single
        bot = self._store.find_bot_for_team(team_id)
        if bot is None or not bot.bot_token:
            raise LookupError(f"no installation for workspace {team_id}")
        client = self._clients.get(team_id)
        if client is None or client.token != bot.bot_token:
            client = WebClient(token=bot.bot_token, base_url=self._rt.settings.SLACK_API_URL)
            self._clients[team_id] = client
        return client


def client_source(rt: Runtime, single: WebClient) -> WebClient | WorkspaceClients:
    """Where outbound messages get their client: `single` (the app's own, bot token) in
    single-workspace mode; each workspace's installed token under OAuth distribution."""
    return WorkspaceClients(rt) if uses_oauth(rt) else single
