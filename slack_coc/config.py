"""Settings from the environment (and `.env`), and the working group's policy.

A missing or malformed value raises `ConfigError` with one line naming the variable;
the CLI prints that line and exits non-zero.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


DECISION_RULES = ("two_members", "majority", "consensus_two_thirds")
# The kinds of behaviour a decision records per reported person (the transparency report
# counts them); defaults from the Django Code of Conduct.
DEFAULT_VIOLATION_TYPES = (
    "Harassment",
    "Discriminatory language or jokes",
    "Personal attacks",
    "Unwelcome sexual attention",
    "Threats or violence",
    "Doxxing / sharing private information",
    "Sustained disruption",
    "Other",
)


@dataclass(frozen=True)
class Policy:
    """The group's rules. Defaults follow docs/process.md; COC_POLICY_FILE overrides."""

    initial_response_hours: float = 12
    page_secondary_after_hours: float = 12
    any_member_after_hours: float = 24
    reporter_response_days: float = 7
    resolution_target_days: float = 7
    resolution_warning_hours: float = 24
    emergency_review_hours: float = 24
    deadlock_days: float = 7
    # After a decision, how long the reporter has to answer the proposed resolution before a
    # member may record "no answer" and carry it out.
    feedback_days: float = 7
    handover_weekday: int = 0  # Monday
    handover_hour_utc: int = 12
    handover_reminder_hours: float = 24
    decision_rule: str = "two_members"
    small_count_threshold: int = 2
    retention_months: dict[str, int] = field(
        default_factory=lambda: {
            "not_a_violation": 0,
            "no_identifiable_person": 6,
            "resolved": 14,
            "flagged": 26,
            "banned_extra": 26,
        }
    )
    violation_types: list[str] = field(default_factory=lambda: list(DEFAULT_VIOLATION_TYPES))
    outbox_max_attempts: int = 8
    outbox_max_backoff_seconds: int = 300

    def validate(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"COC_POLICY_FILE: {f.name} can't be negative")
        if self.decision_rule not in DECISION_RULES:
            raise ConfigError(
                f"COC_POLICY_FILE: decision_rule must be one of {', '.join(DECISION_RULES)}, "
                f"got {self.decision_rule!r}"
            )
        types = self.violation_types
        if (
            not isinstance(types, list)
            or not types
            or not all(isinstance(t, str) and t.strip() and len(t) <= 75 for t in types)
            or len({t.strip().lower() for t in types}) != len(types)
        ):
            raise ConfigError(
                "COC_POLICY_FILE: violation_types must be a list of distinct, non-empty names "
                "(75 characters at most)"
            )
        if not 0 <= self.handover_weekday <= 6:
            raise ConfigError("COC_POLICY_FILE: handover_weekday must be 0 (Monday) to 6")
        if not 0 <= self.handover_hour_utc <= 23:
            raise ConfigError("COC_POLICY_FILE: handover_hour_utc must be 0 to 23")

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "COC_POLICY_FILE") -> Policy:
        return cls().with_overrides(data, source)

    def with_overrides(self, data: dict[str, Any], source: str) -> Policy:
        """A copy with `data` applied, each value checked against the default's type."""
        known = {f.name: f for f in fields(self)}
        values: dict[str, Any] = {}
        base = self
        for key, raw in data.items():
            if key not in known:
                raise ConfigError(f"{source}: unknown policy key {key!r}")
            default = getattr(base, key)
            if isinstance(default, dict):
                if not isinstance(raw, dict):
                    raise ConfigError(f"{source}: {key} must be a table")
                values[key] = {**default, **raw}
            elif isinstance(default, bool) or not isinstance(default, int | float | str):
                values[key] = raw
            elif isinstance(default, str):
                if not isinstance(raw, str):
                    raise ConfigError(f"{source}: {key} must be a string")
                values[key] = raw
            else:
                if isinstance(raw, bool) or not isinstance(raw, int | float):
                    raise ConfigError(f"{source}: {key} must be a number, got {raw!r}")
                values[key] = type(default)(raw)
        policy = replace(base, **values)
        policy.validate()
        return policy

    @classmethod
    def load(cls, path: str | None) -> Policy:
        if not path:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"COC_POLICY_FILE: no such file {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"COC_POLICY_FILE: {path} is not valid TOML ({exc})") from None
        return cls.from_mapping(data.get("policy", data))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_CLIENT_ID: str | None = None
    SLACK_CLIENT_SECRET: str | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    # A workspace admin's user token (xoxp-, user scope chat:write) that lets "Hide the
    # message" delete a reported message (chat.delete); without it the button says what to
    # ask the admins (docs/anonymity.md, "Acting on a reported message").
    SLACK_ADMIN_USER_TOKEN: str | None = None
    DATABASE_URL: str = "sqlite:///slack_coc.db"
    COC_CHANNEL_ID: str | None = None
    COC_POLICY_FILE: str | None = None
    COC_ENCRYPTION_KEYS: str | None = None
    COC_TEAM_ID: str | None = None
    SMTP_URL: str | None = None
    IMAP_URL: str | None = None
    COC_MAILBOX_ADDRESS: str = "conduct@example.org"
    COC_BOARD_ADDRESS: str | None = None
    # The address Slack reaches the app at (https://coc.example.org): links the app shows
    # people (the rota's calendar feed) start with it.
    COC_PUBLIC_URL: str | None = None
    # Largest request body accepted (bytes); Slack's payloads stay far below 1 MiB. Larger
    # requests are refused with 413 before their body is read, by the app and the server.
    COC_MAX_REQUEST_BYTES: int = Field(default=1_048_576, ge=1024)
    # Items a worker process works on at once (inbox requests, outbox deliveries, each): sized
    # for Slack's round trip (100-300 ms, the item's own CPU a few ms), not for the CPU count.
    COC_WORKER_CONCURRENCY: int = Field(default=8, ge=1, le=64)
    policy: Policy = Field(default_factory=Policy, exclude=True)

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, v: str | None) -> str | None:
        if v and not v.startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return v or None

    @field_validator("SLACK_ADMIN_USER_TOKEN")
    @classmethod
    def _admin_token(cls, v: str | None) -> str | None:
        if v and not v.startswith("xoxp-"):
            raise ValueError("must be a user token, starting with xoxp-")
        return v or None

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, v: str | None) -> str | None:
        if v and not v.startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return v or None

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v if v.endswith("/") else v + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _db_url(cls, v: str) -> str:
        if "://" not in v:
            raise ValueError("must be an SQLAlchemy URL such as sqlite:///slack_coc.db")
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        return v

    @field_validator("COC_CHANNEL_ID")
    @classmethod
    def _channel(cls, v: str | None) -> str | None:
        if v and not (v[0] in "CG" and v[1:].isalnum()):
            raise ValueError("must be a Slack channel id such as C0123456789")
        return v or None

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp(cls, v: str | None) -> str | None:
        if v and not v.startswith(("smtp://", "smtps://")):
            raise ValueError("must look like smtp://user:pass@host:port")
        return v or None

    @field_validator("IMAP_URL")
    @classmethod
    def _imap(cls, v: str | None) -> str | None:
        if v and not v.startswith(("imap://", "imaps://")):
            raise ValueError("must look like imaps://user:pass@host:port")
        return v or None

    def require(self, *names: str) -> None:
        for name in names:
            if not getattr(self, name):
                raise ConfigError(f"{name} is required for this command ({_HINTS.get(name, '')})")


_HINTS = {
    "SLACK_BOT_TOKEN": "the bot token from OAuth & Permissions, xoxb-...",
    "SLACK_SIGNING_SECRET": "Basic Information > Signing Secret",
    "SLACK_APP_TOKEN": "an app-level token with connections:write, xapp-...",
    "COC_CHANNEL_ID": "the working group's private channel id, e.g. C0123456789",
}


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once; turn any problem into a one-line ConfigError."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {msg}") from None
    policy = Policy.load(settings.COC_POLICY_FILE)
    return settings.model_copy(update={"policy": policy})
