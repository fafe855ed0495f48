"""Small secrets kept encrypted in the database, with keys derived from the app's secret.

A copy of the database alone (a backup, a leak) then says nothing of what these hold:
an artist's receipt token, or whom the gallery is about to write to and with which link.
Each use names its purpose, which derives a key of its own (HKDF-SHA256 over SECRET_KEY),
so one kind of secret can never be opened as another. Fernet (AES-128-CBC with an
HMAC-SHA256) authenticates what it encrypts: a changed or foreign value fails to open.

Changing SECRET_KEY makes the values sealed before it unreadable: their mail is not sent.

The same box also seals a value with a secret the server does not keep (remember=False):
a rejected or withdrawn work's title under a key derived from its receipt token, which
only the link's holder has. Such a key is derived for the one call and never cached."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidToken", "open_sealed", "seal"]


def _derive(secret: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"art-protest {purpose}".encode()
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


_box = lru_cache(maxsize=16)(_derive)


def _fernet(secret: str, purpose: str, remember: bool) -> Fernet:
    return _box(secret, purpose) if remember else _derive(secret, purpose)


def seal(plaintext: str, *, secret: str, purpose: str, remember: bool = True) -> str:
    """`plaintext` encrypted with the key of `purpose`, as URL-safe ASCII text.
    remember=False: `secret` is one the server must not keep (a receipt token); its key is
    not cached."""
    return _fernet(secret, purpose, remember).encrypt(plaintext.encode()).decode("ascii")


def open_sealed(sealed: str, *, secret: str, purpose: str, remember: bool = True) -> str:
    """What seal() encrypted; InvalidToken if it was changed, sealed for another purpose or
    with another secret."""
    try:
        return _fernet(secret, purpose, remember).decrypt(sealed.encode("ascii")).decode()
    except (UnicodeError, ValueError) as exc:  # not even Fernet's alphabet
        raise InvalidToken from exc
