"""Rate limits (Flask-Limiter). Counters are keyed by a keyed hash of the client address,
or of the username typed, so the limit store never holds an address or a name."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter

from ..tokens import keyed_hash


def _keyed(value: str, purpose: str) -> str:
    return keyed_hash(value, secret=current_app.config["SECRET_KEY"], purpose=purpose)


def client_key() -> str:
    """The rate-limit key of a client: a keyed hash of its address, never the address."""
    return _keyed(request.remote_addr or "unknown", "client")


def username_key(username: str) -> str:
    """The rate-limit key of a typed username, counted from any number of addresses."""
    return "account-" + _keyed(username, "username")


# Storage comes from RATELIMIT_STORAGE_URI (memory by default, Redis in production).
limiter = Limiter(key_func=client_key)
