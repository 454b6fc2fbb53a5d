"""Invitation link tokens.

A token is never stored. Each link has a random 128-bit nonce in the database;
the token is HMAC-SHA256(SECRET_KEY, nonce), 256 bits, and the database keeps
only the SHA-256 of the token to find it. Someone who reads the database cannot
make a working link, yet the server can rebuild the link for an Admin's "Copy
link" and for a message retried later, as Django does for password-reset
tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "bizcenter.invitations.token"


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for(nonce: str) -> str:
    digest = salted_hmac(SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for(token: str) -> str:
    return f"{settings.BIZCENTER_BASE_URL}/invite/{token}/"
