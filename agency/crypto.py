"""Personal data at rest: field encryption and keyed lookup hashes.

    token = encrypt_text("11010519491231002X")      # Fernet token (str), never the plain text
    decrypt_text(token)                              # "11010519491231002X"
    lookup_hash("11010519491231002X")                # HMAC-SHA256 hex, for exact lookup

Keys come from settings at call time (never at import): `FIELD_ENCRYPTION_KEYS` is a list
of Fernet keys, newest first. Encryption uses the first; decryption tries each, so rows
written under an older key stay readable after a new key is put in front. `rotate_text`
re-encrypts a token under the newest key (the `rotate_field_keys` command of each app that
stores encrypted fields does this for its rows). `FIELD_HASH_KEY` keys the lookup hash;
changing it invalidates every stored hash.

Both are required settings (agency/settings.py refuses to start without them): no key is
derived from SECRET_KEY or written in the code."""

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt_text", "encrypt_text", "lookup_hash", "rotate_text"]


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip())
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return keys


def encrypt_text(value: str) -> str:
    """Encrypt under the newest key; "" stays "" (nothing to hide)."""
    if value == "":
        return ""
    return _multifernet(_keys()).encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    """Decrypt with whichever configured key wrote it. Raises InvalidToken otherwise."""
    if token == "":
        return ""
    return _multifernet(_keys()).decrypt(token.encode()).decode()


def rotate_text(token: str) -> str:
    """The same plain text, encrypted under the newest key."""
    if token == "":
        return ""
    return _multifernet(_keys()).rotate(token.encode()).decode()


@lru_cache(maxsize=4)
def _keyed_sha256(key: str) -> "hmac.HMAC":
    """HMAC-SHA256 with the key absorbed; each hash starts from a copy of it."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) for exact lookup and uniqueness of a secret value."""
    key = settings.FIELD_HASH_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY is empty")
    keyed = _keyed_sha256(key).copy()
    keyed.update(value.encode())
    return keyed.hexdigest()


@checks.register(checks.Tags.security)
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every FIELD_ENCRYPTION_KEYS entry must be a Fernet key (else nothing decrypts);
    a deployment must set its own keys rather than rely on the SECRET_KEY fallback."""
    problems: list[checks.CheckMessage] = []
    for index, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        try:
            Fernet(key.strip().encode())
        except ValueError:
            problems.append(checks.Error(
                f"FIELD_ENCRYPTION_KEYS entry {index + 1} is not a Fernet key.",
                hint="32 url-safe base64-encoded bytes; see .env.example.",
                id="agency.E001",
            ))
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_field_keys_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A deployment may not run on no key at all (settings refuse that at start too)."""
    if not [k for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]:
        return [checks.Error(
            "FIELD_ENCRYPTION_KEYS is empty: ID numbers cannot be encrypted.",
            hint="Set FIELD_ENCRYPTION_KEYS (newest first) so that keys can be rotated.",
            id="agency.E002",
        )]
    return []
