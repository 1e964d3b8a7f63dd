"""Invitation tokens: 256 random bits from :mod:`secrets`, kept only as their SHA-256, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits, shown as 43 URL-safe characters


def new_token() -> tuple[str, str]:
    """A fresh token and its hash: the token goes in the link (shown once), the hash in the database."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The hex SHA-256 of ``token``, as stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(token: str, stored: str) -> bool:
    """Whether ``token`` hashes to ``stored``, in time that does not depend on where they differ."""
    return hmac.compare_digest(token_hash(token), stored)
