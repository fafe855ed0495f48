"""Moderators' passwords: argon2id hashes, and random passwords for new accounts."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

from .errors import InvalidInput

# OWASP's first argon2id setting (46 MiB, t=1, p=1): ~40 ms a hash on a small host.  The
# settings ARGON2_MEMORY_KIB, ARGON2_TIME_COST and ARGON2_PARALLELISM (gallery/config.py)
# hold them for an app; these are the same, for code outside one.
MEMORY_KIB = 47_104
TIME_COST = 1
PARALLELISM = 1
MIN_MEMORY_KIB = 19 * 1024  # the floor the project promises
MIN_LENGTH = 12
MAX_LENGTH = 256


class WeakPassword(InvalidInput):
    """A password too short or too long; str() is a user-facing explanation key."""


def hasher() -> PasswordHasher:
    """The argon2id hasher of the current app's settings, or of the production parameters
    outside an app (the app refuses less than 19 MiB of memory outside tests)."""
    if not has_app_context():
        return hasher_with(MEMORY_KIB, TIME_COST, PARALLELISM)
    config = current_app.config
    return hasher_with(
        int(config["ARGON2_MEMORY_KIB"]),
        int(config["ARGON2_TIME_COST"]),
        int(config["ARGON2_PARALLELISM"]),
    )


@lru_cache(maxsize=4)
def hasher_with(memory_kib: int, time_cost: int, parallelism: int) -> PasswordHasher:
    """The argon2id hasher of these parameters (memory in KiB)."""
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


@lru_cache(maxsize=4)
def _dummy_hash(ph: PasswordHasher) -> str:
    # Verified against when the account is unknown, so that answer takes as long.
    return ph.hash(secrets.token_hex(16))


def check_policy(password: str) -> None:
    """Raise WeakPassword unless MIN_LENGTH <= length <= MAX_LENGTH."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too-short")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("too-long")


def hash_password(password: str, *, enforce_length: bool = True) -> str:
    """An argon2id hash of an acceptable password.

    Only the operator's command line may pass enforce_length=False (it warns instead):
    whoever runs it already controls the server, and scripts pipe what they choose."""
    if enforce_length:
        check_policy(password)
    elif not password or len(password) > MAX_LENGTH:
        raise WeakPassword("empty" if not password else "too-long")
    return hasher().hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """True if the password matches; with no hash, burn the same time and say no."""
    ph = hasher()
    if len(password) > MAX_LENGTH:
        password = password[: MAX_LENGTH + 1]  # bounded work, and still a mismatch
    try:
        if stored_hash is None:
            ph.verify(_dummy_hash(ph), password)
            return False
        return ph.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return hasher().check_needs_rehash(stored_hash)


def random_password() -> str:
    """A random password of about 120 bits, easy to copy by hand."""
    return secrets.token_urlsafe(15)
