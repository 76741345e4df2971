"""The whole schema: our models plus the tables slack_sdk's OAuth stores use.

Import this (not just `domain.registry`) wherever the complete metadata matters:
Alembic, `create_all` in tests, the runtime.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from slack_coc.db import Base
from slack_coc.domain import registry  # noqa: F401  (registers every model of the process)
from slack_coc.queues import (  # noqa: F401  (and the queues' tables)
    outbox_models,
    request_models,
    sweep_models,
)

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"
# slack_sdk's token columns are strings: we store "enc:" + a Fernet token in them
# (slack_coc.slack.oauth), and `keys rotate` re-encrypts them with the other columns.
OAUTH_TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
OAUTH_TOKEN_PREFIX = "enc:"


def _register_oauth_tables() -> None:
    tables = Base.metadata.tables
    if INSTALLATIONS_TABLE not in tables:
        SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
    if BOTS_TABLE not in tables:
        SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
    if OAUTH_STATES_TABLE not in tables:
        SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)


_register_oauth_tables()

metadata = Base.metadata
