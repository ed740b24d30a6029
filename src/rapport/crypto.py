"""Encryption of free text at rest (client comments, clinicians' notes, transcripts).

Keys come from ``RAPPORT_FIELD_KEYS``: comma-separated Fernet keys (32 url-safe base64-encoded
bytes each). The first key encrypts; every key decrypts. To rotate, put a new key first, keep
the old ones after it, run ``rapport rotate-keys`` (re-encrypts everything with the new key),
then drop the old keys. Outside production an unset variable falls back to a key derived from
``SECRET_KEY``, so the demo and tests work with nothing configured.

This module is imported by the settings, so it must not import Django's models (``settings``
is only read inside functions, after start-up).
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from rapport.envvars import ConfigError

KEYS_VARIABLE = "RAPPORT_FIELD_KEYS"
# Fixed context for the development key, so a different SECRET_KEY use never yields the same key.
_DEV_KEY_INFO = b"rapport field encryption (development key)"


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with any configured key."""


def derive_development_key(secret_key: str) -> str:
    """A stable Fernet key from ``SECRET_KEY`` (HKDF-SHA256); for development and tests only."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DEV_KEY_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw).decode("ascii")


def parse_keys(value: str) -> list[str]:
    """Split and check a comma-separated key list; a bad key is a ``ConfigError``.

    The message names the key's position, never the key itself (it is a secret).
    """
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise ConfigError(f"{KEYS_VARIABLE} holds no keys")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"{KEYS_VARIABLE}: key {position} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; generate one with `rapport keys generate`)"
            ) from exc
    return keys


def field_encryption_keys(value: str | None, secret_key: str, production: bool) -> list[str]:
    """The ``FIELD_ENCRYPTION_KEYS`` setting from ``RAPPORT_FIELD_KEYS``'s value.

    In production the variable is required; elsewhere an unset (or blank) variable gives a key
    derived from ``SECRET_KEY``. A set but malformed value is an error everywhere.
    """
    if value is None or not value.strip():
        if production:
            raise ConfigError(
                f"{KEYS_VARIABLE} (or {KEYS_VARIABLE}_FILE) must be set in production: "
                "comma-separated Fernet keys, the first encrypts "
                "(generate one with `rapport keys generate`)"
            )
        return [derive_development_key(secret_key)]
    return parse_keys(value)


def generate_key() -> str:
    """A new random Fernet key, as text for ``RAPPORT_FIELD_KEYS``."""
    return Fernet.generate_key().decode("ascii")


@functools.cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


@functools.cache
def _primary_fernet(key: str) -> Fernet:
    return Fernet(key)


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ConfigError("FIELD_ENCRYPTION_KEYS is empty")
    return keys


def encrypt(text: str) -> str:
    """A Fernet token (ASCII text) for ``text``, under the primary key."""
    return _multi_fernet(_configured_keys()).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text inside ``token``; ``InvalidToken`` if no configured key opens it."""
    return _multi_fernet(_configured_keys()).decrypt(token.encode("utf-8")).decode("utf-8")


def is_current(token: str) -> bool:
    """Whether ``token`` is already encrypted under the primary (first) key."""
    try:
        _primary_fernet(_configured_keys()[0]).decrypt(token.encode("utf-8"))
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """``token`` re-encrypted under the primary key; ``InvalidToken`` if no key opens it."""
    return _multi_fernet(_configured_keys()).rotate(token.encode("utf-8")).decode("ascii")
