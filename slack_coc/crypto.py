"""Encryption at rest for confidential fields (narratives, names, contact details, raw mail).

Every confidential column uses `EncryptedText` / `EncryptedJSON`, so what is encrypted is
decided here and in the models' column types, nowhere else. Keys come from
COC_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first); in development a key file
is created beside the SQLite database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)


class KeyError_(Exception):
    """Raised when no usable key is configured."""


class _Keyring:
    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None
        self._lookup_keys: list[bytes] = []

    def configure(self, keys: list[str]) -> None:
        if not keys:
            raise KeyError_("COC_ENCRYPTION_KEYS: no key given")
        try:
            fernets = [Fernet(k.strip().encode()) for k in keys if k.strip()]
        except (ValueError, TypeError):
            raise KeyError_(
                "COC_ENCRYPTION_KEYS: each key must be a url-safe base64 Fernet key "
                "(generate one with `slack-coc keys generate`)"
            ) from None
        self._fernet = MultiFernet(fernets)
        # One lookup key per encryption key, newest first: new digests use the newest; a
        # match tries all, so lookups keep working while `keys rotate` re-hashes.
        self._lookup_keys = [
            hashlib.sha256(b"slack-coc-lookup:" + k.strip().encode()).digest()
            for k in keys
            if k.strip()
        ]

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise KeyError_("encryption keys are not configured")
        return self._fernet

    @property
    def lookup_keys(self) -> list[bytes]:
        if not self._lookup_keys:
            raise KeyError_("encryption keys are not configured")
        return self._lookup_keys


keyring = _Keyring()


def configure_from_settings(keys_setting: str | None, database_url: str) -> None:
    """Configure the keyring; in development, create a key file beside the SQLite database."""
    if keys_setting:
        keyring.configure(keys_setting.split(","))
        return
    key_path = _dev_key_path(database_url)
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        key_path.write_text(Fernet.generate_key().decode())
        os.chmod(key_path, 0o600)
        log.warning(
            "COC_ENCRYPTION_KEYS is not set: created development key file %s; "
            "set COC_ENCRYPTION_KEYS in production",
            key_path,
        )
    keyring.configure([key_path.read_text().strip()])


def _dev_key_path(database_url: str) -> Path:
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        db_path = Path(database_url.removeprefix("sqlite:///"))
        return db_path.with_name(db_path.name + ".key")
    return Path("slack_coc.key")


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(text: str) -> bytes:
    return keyring.fernet.encrypt(text.encode("utf-8"))


def decrypt(token: bytes) -> str:
    try:
        return keyring.fernet.decrypt(token).decode("utf-8")
    except InvalidToken:
        raise KeyError_(
            "a confidential field cannot be decrypted with the configured keys"
        ) from None


def rotate_token(token: bytes) -> bytes:
    return keyring.fernet.rotate(token)


def lookup_digest(value: str) -> str:
    """A keyed digest (newest key) for matching identities (same email, same Slack id,
    same Message-ID) without storing them in the clear."""
    return _digest(keyring.lookup_keys[0], value)


def lookup_digests(value: str) -> list[str]:
    """The value's digest under every configured key: match with `IN`, so rows hashed
    before a key rotation are still found until `keys rotate` re-hashes them."""
    return [_digest(key, value) for key in keyring.lookup_keys]


def _digest(key: bytes, value: str) -> str:
    normalised = value.strip().lower()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedText(TypeDecorator[str]):
    """A string column stored as a Fernet token."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(bytes(value))


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document column stored as a Fernet token."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        return None if value is None else encrypt(json.dumps(value, sort_keys=True))

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        return None if value is None else json.loads(decrypt(bytes(value)))
