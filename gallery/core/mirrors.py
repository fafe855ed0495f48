"""The other addresses where the gallery can be read (MIRRORS): each one checked, so
that a page, a feed or a message never holds a link a reader's browser would run
(`javascript:`, `data:`) or that leads nowhere."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# A bare onion address (no scheme): base32 characters (56 in a v3 address), dot onion.
BARE_ONION = re.compile(r"\A[a-z2-7]{16,56}\.onion(?:/\S*)?\Z", re.IGNORECASE)


def parse_mirror(value: object) -> str:
    """One mirror's address, without a trailing slash: an http(s) address with a host
    name, or a bare onion address (given http://); ValueError for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    if BARE_ONION.match(text):
        text = "http://" + text
    parts = urlsplit(text)
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
        or parts.fragment
        or any(c.isspace() or c in "<>\"'`" for c in text)
    ):
        raise ValueError(
            f"{str(value)[:80]!r} is not a mirror's address: give http(s) addresses such as "
            "https://mirror.example or an onion address"
        )
    return text.rstrip("/") if parts.path not in ("", "/") else f"{parts.scheme}://{parts.netloc}"


def safe_mirrors(values: Iterable[object] | str | None) -> tuple[str, ...]:
    """The addresses of MIRRORS that are mirrors' addresses, in their order, each once;
    anything else is left out (the app refuses it at start; this holds at display too)."""
    if not values or isinstance(values, str):
        values = (values,) if values else ()
    found: list[str] = []
    for value in values:
        try:
            address = parse_mirror(value)
        except ValueError:
            continue
        if address not in found:
            found.append(address)
    return tuple(found)


def check_mirrors(values: Iterable[object] | str | None) -> tuple[str, ...]:
    """MIRRORS checked at start: the normalised addresses; ValueError naming the first
    value that is not one."""
    if not values:
        return ()
    if isinstance(values, str):
        raise ValueError('MIRRORS is a JSON list, such as ["https://mirror.example"]')
    return tuple(dict.fromkeys(parse_mirror(v) for v in values))
