"""The actor's RSA key pair (2048 bits): made once and kept in the database, so every host
and worker signs with the same key; its private part sealed with a key derived from
SECRET_KEY for this purpose alone (core/secretbox), like the artists' receipt tokens."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..core import secretbox
from ..extensions import db
from ..models import SiteSetting
from .base import secret

log = logging.getLogger(__name__)
_PURPOSE = "federation actor key"


@dataclass(frozen=True)
class KeyPair:
    public_pem: str
    private_pem: str | None  # None: sealed with another SECRET_KEY, unreadable


def _setting(name: str) -> str:
    return f"federation.key.{name}"


def actor_key(name: str) -> KeyPair:
    """The key pair of actor `name`, made the first time it is needed (in a connection of
    its own, so a GET never writes in its request's transaction; two workers making it at
    once keep the first one stored)."""
    key = _setting(name)
    stored = db.session.scalar(select(SiteSetting.value).where(SiteSetting.key == key))
    if stored is None:
        stored = _make(key)
    value = json.loads(stored)
    try:
        private = secretbox.open_sealed(value["private"], secret=secret(), purpose=_PURPOSE)
    except secretbox.InvalidToken:
        log.error(
            "the federation key cannot be opened (SECRET_KEY changed?): nothing is signed; "
            "delete the site setting %s to make a new key",
            key,
        )
        return KeyPair(value["public"], None)
    return KeyPair(value["public"], private)


def _make(key: str) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    value = json.dumps(
        {
            "public": public_pem,
            "private": secretbox.seal(private_pem, secret=secret(), purpose=_PURPOSE),
        }
    )
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(SiteSetting).values(key=key, value=value))
        log.info("made the federation actor's key pair")
        return value
    except IntegrityError:  # another worker or host made it first: theirs
        with db.engine.connect() as conn:
            return str(conn.scalar(select(SiteSetting.value).where(SiteSetting.key == key)))
