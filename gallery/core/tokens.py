"""Random ids and tokens, and the hashes kept instead of secrets, names and addresses."""

from __future__ import annotations

import hashlib
import secrets


def new_public_id() -> str:
    """A random, URL-safe id of 128 bits (a work's public id)."""
    return secrets.token_urlsafe(16)


def new_receipt_token() -> str:
    """A receipt link's secret: 256 random bits, shown to the artist once."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What we store of a receipt token: its SHA-256, so a leaked database leaks no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(value: str, *, secret: str, purpose: str) -> str:
    """A short keyed hash of `value` (a client address, a typed username) for counters.

    Keyed with the app's secret, so the value cannot be found again by hashing guesses;
    `purpose` keeps the hashes of one kind of value apart from those of another."""
    digest = hashlib.blake2b(
        value.encode(), key=secret.encode()[:64], person=purpose.encode()[:16], digest_size=12
    )
    return digest.hexdigest()
