"""Secrets kept encrypted at rest (the 2-step TOTP secret), with keys from SECRET_KEY.

A TOTP secret is a password the server must be able to read back, so it cannot be
hashed; stored in plain text, anyone who reads the database (a backup, a copied
file, a read-only replica) could make codes for every account. It is encrypted
with Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key
derived from SECRET_KEY, which does not live in the database.

Keys rotate the way Django's signing does: a value is encrypted under the current
SECRET_KEY and decrypted under it or any of SECRET_KEY_FALLBACKS, so changing the
key does not lock anyone out; ``python -m django reseal_secrets`` then re-encrypts
every value under the current key so the old one can be dropped (docs/DEPLOY.md).
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Separates this use of SECRET_KEY from every other (sessions, links, signing).
PURPOSE = b"bizcenter.accounts.sealed totp-secret v1"
# Every Fernet token starts with its version byte 0x80, "gAAAAA" in base64; a base32
# TOTP secret is upper case and digits, so the two are never confused.
FERNET_PREFIX = "gAAAAA"


@lru_cache(maxsize=16)
def _fernet(secret_key: str) -> Fernet:
    """One Fernet per SECRET_KEY: HKDF turns a key of any length and alphabet into
    the 32 random-looking bytes Fernet needs, bound to PURPOSE."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    """The current key first (it encrypts), then the fallbacks (they only decrypt)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(str(key)) for key in keys])


def is_sealed(value: str) -> bool:
    return value.startswith(FERNET_PREFIX)


def seal(plain: str) -> str:
    """Encrypt under the current SECRET_KEY; the empty string (no secret) stays empty."""
    if not plain:
        return ""
    return _keys().encrypt(plain.encode()).decode()


def unseal(stored: str) -> str:
    """Decrypt under the current key or a fallback. A value no key opens means the
    SECRET_KEY changed without the old one being kept as a fallback: said loudly,
    because guessing would either lock the person out or let anyone in."""
    if not stored:
        return ""
    try:
        return _keys().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored 2-step secret cannot be decrypted with SECRET_KEY or any key in "
            "SECRET_KEY_FALLBACKS. If SECRET_KEY was changed, add the old key to "
            "SECRET_KEY_FALLBACKS (docs/DEPLOY.md, 'Rotating the secret key')."
        ) from None


def reseal(stored: str) -> str:
    """The same secret, encrypted under the current key (for key rotation)."""
    if not stored:
        return ""
    try:
        return _keys().rotate(stored.encode()).decode()
    except InvalidToken:
        unseal(stored)  # raises the explained error
        raise


class SealedCharField(models.CharField):  # type: ignore[type-arg]
    """A CharField whose value is plain in Python and encrypted in the database.

    Each encryption is randomised, so the column cannot be searched by value: only
    ``= ''`` (no secret) means anything in a query."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return seal(str(value))
