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
import secrets
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
        self._newest: Fernet | None = None
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
        self._newest = fernets[0]
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
    def newest(self) -> Fernet:
        if self._newest is None:
            raise KeyError_("encryption keys are not configured")
        return self._newest

    @property
    def lookup_keys(self) -> list[bytes]:
        if not self._lookup_keys:
            raise KeyError_("encryption keys are not configured")
        return self._lookup_keys


keyring = _Keyring()


def configure_from_settings(keys_setting: str | None, database_url: str) -> None:
    """Configure the keyring; in development (the embedded SQLite only), create a key file
    beside the database. On any other database the keys must be given: each process would
    otherwise make its own key file, and a web process and a worker could not read each
    other's data."""
    if keys_setting:
        keyring.configure(keys_setting.split(","))
        return
    if not database_url.startswith("sqlite"):
        raise KeyError_(
            "COC_ENCRYPTION_KEYS is required with a DATABASE_URL other than SQLite "
            "(generate one with `slack-coc keys generate`)"
        )
    key_path = _dev_key_path(database_url)
    if not key_path.exists() and _create_key_file(key_path):
        log.warning(
            "COC_ENCRYPTION_KEYS is not set: created development key file %s; "
            "set COC_ENCRYPTION_KEYS in production",
            key_path,
        )
    keyring.configure([key_path.read_text().strip()])


def _create_key_file(key_path: Path) -> bool:
    """Write a new key to `key_path`, readable by the owner only from its first byte (created
    0600, never chmod-ed after), and atomically: the file appears complete or not at all, and
    a process that loses the race to create it uses the winner's. True when this one won."""
    key_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = key_path.with_name(f".{key_path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, key_path)  # fails if it exists: never replaces a key in use
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)


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


def readable_with_newest_key(token: bytes) -> bool:
    """True when the newest key alone decrypts `token` (no older key is needed for it)."""
    try:
        keyring.newest.decrypt(token)
    except InvalidToken:
        return False
    return True


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
