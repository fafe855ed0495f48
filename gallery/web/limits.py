"""Rate limits (Flask-Limiter). Counters are keyed by a keyed hash of the client address,
or of the username typed, so the limit store never holds an address or a name."""
from __future__ import annotations

import ipaddress
import logging

from flask import current_app, request
from flask_limiter import Limiter

from ..tokens import keyed_hash
from . import ratelimit_store  # noqa: F401  (registers the gallery-sqlite:// storage)


def _keyed(value: str, purpose: str) -> str:
    return keyed_hash(value, secret=current_app.config["SECRET_KEY"], purpose=purpose)


def client_address() -> str:
    """The address a client is counted by: its IPv4 address, or its IPv6 /64 network (one
    household or phone gets a whole /64 and can pick any address in it at will)."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key() -> str:
    """The rate-limit key of a client: a keyed hash of its address, never the address."""
    return _keyed(client_address(), "client")


# Set in the WSGI environ of the requests export-static makes itself (gallery/mirror.py): no
# client can set it, as HTTP headers arrive as HTTP_* keys.
EXPORT_ENVIRON = "gallery.static_export"


def from_export() -> bool:
    """Whether this request is export-static copying the site, which no limit counts."""
    return request.environ.get(EXPORT_ENVIRON) is True


def username_key(username: str) -> str:
    """The rate-limit key of a typed username, counted from any number of addresses."""
    return "account-" + _keyed(username, "username")


def pair_key(username: str) -> str:
    """The rate-limit key of one client trying one username."""
    return "pair-" + _keyed(f"{client_address()} {username}", "client-username")


class _WithoutKey(logging.Filter):
    """Flask-Limiter logs each breach with the client's key, a stable pseudonym of its
    address: keep the limit and the endpoint, drop the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "exceeded" in str(record.msg) and isinstance(record.args, tuple) and len(record.args) == 3:
            record.msg, record.args = "rate limit %s exceeded at %s", (record.args[0], record.args[2])
        return True


logging.getLogger("flask-limiter").addFilter(_WithoutKey())

# Storage comes from RATELIMIT_STORAGE_URI: by default a SQLite file in the instance folder
# that every worker shares; Redis when several hosts serve the gallery.
limiter = Limiter(key_func=client_key)
