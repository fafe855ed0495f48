"""Rate limits (Flask-Limiter). Counters are keyed by a keyed hash of the client address,
or of the username typed, so the limit store never holds an address or a name."""

from __future__ import annotations

import ipaddress
import logging

from flask import Response, current_app, has_request_context, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..core.tokens import keyed_hash
from . import ratelimit_store  # noqa: F401  (registers the gallery-sqlite:// storage)

# Set in the WSGI environ of the requests export-static makes (commands/mirror/): not a visitor.
EXPORT_ENVIRON = "gallery.static_export"
# With it, export-static --qr-base: where the copy will be read (the QR codes lead there).
QR_BASE_ENVIRON = "gallery.static_export.qr_base"


def _keyed(value: str, purpose: str) -> str:
    return keyed_hash(value, secret=current_app.config["SECRET_KEY"], purpose=purpose)


# The client address of every request that came through the onion service: the onion
# listener (web/onion.py) sets it, and so may a reverse proxy's onion server block
# (X-Forwarded-For: onion, README "Tor onion service").
ONION = "onion"


def is_onion() -> bool:
    """Whether the request came through the Tor onion service, where every client has the
    same address: per-address limits mean nothing there (web/challenge.py replaces them)."""
    return request.remote_addr == ONION


def client_address(ipv6_prefix: int = 64) -> str:
    """The address a client is counted by: its IPv4 address, or its IPv6 network (/64 by
    default: one household or phone gets a whole /64 and can pick any address in it at
    will; /48 for actions a free tunnel's /48 must not multiply)."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, ipv6_prefix), strict=False))
    return str(address)


def client_key() -> str:
    """The rate-limit key of a client: a keyed hash of its address, never the address."""
    return _keyed(client_address(), "client")


def onion_or_client_key() -> str:
    """The client's key; on the onion service, where every client has one address, a keyed
    hash of the private token in the address (one receipt's budget) instead."""
    if is_onion():
        return "token-" + _keyed(str((request.view_args or {}).get("token", "")), "token")
    return client_key()


def network_key() -> str:
    """The rate-limit key of a client's IPv4 address or IPv6 /48."""
    return "net48-" + _keyed(client_address(48), "client")


def accepted(response: Response) -> bool:
    """Whether a form was accepted (it redirects with 303): only those use up a budget."""
    return response.status_code == 303


def spend(limit: str, key: str) -> bool:
    """Take one from `limit` (a Flask-Limiter string such as "30 per minute") under `key`
    in the limiter's own store; False when every one is taken.  Used for budgets that no
    route decorator can express: the site-wide pressure gauge, used challenges."""
    return all(_hit(item, key) for item in parse_many(limit))


def has_room(limit: str, key: str) -> bool:
    """Whether `limit` under `key` still has room, without taking any."""
    return all(_test(item, key) for item in parse_many(limit))


# When the store cannot be reached, these counts go to memory, as Flask-Limiter's own do
# (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), with a warning.
_memory = MovingWindowRateLimiter(MemoryStorage())


def _hit(item: RateLimitItem, key: str) -> bool:
    try:
        return limiter.limiter.hit(item, "gallery", key)
    except Exception:  # noqa: BLE001 - any storage error (Redis down): count in memory
        logging.getLogger(__name__).warning("rate-limit store unreachable: counting in memory")
        return _memory.hit(item, "gallery", key)


def _test(item: RateLimitItem, key: str) -> bool:
    try:
        return limiter.limiter.test(item, "gallery", key)
    except Exception:  # noqa: BLE001 - as in _hit
        logging.getLogger(__name__).warning("rate-limit store unreachable: counting in memory")
        return _memory.test(item, "gallery", key)


def from_export() -> bool:
    """Whether this request is export-static copying the site, which no limit counts."""
    return request.environ.get(EXPORT_ENVIRON) is True


def export_qr_base() -> str | None:
    """The address export-static --qr-base gave for this copy's QR codes; None for every
    request but the export's own (no client can set a WSGI environ key)."""
    if not has_request_context() or not from_export():
        return None  # (a QR code drawn outside a request, by a command: the primary site)
    base = request.environ.get(QR_BASE_ENVIRON)
    return base if isinstance(base, str) and base else None


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
        if (
            "exceeded" in str(record.msg)
            and isinstance(record.args, tuple)
            and len(record.args) == 3
        ):
            record.msg, record.args = (
                "rate limit %s exceeded at %s",
                (record.args[0], record.args[2]),
            )
        return True


logging.getLogger("flask-limiter").addFilter(_WithoutKey())

# Storage comes from RATELIMIT_STORAGE_URI: by default a SQLite file in the instance folder
# that every worker shares; Redis when several hosts serve the gallery.
limiter = Limiter(key_func=client_key)
