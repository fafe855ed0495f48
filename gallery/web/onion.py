"""The onion service's own listener: its clients are never "127.0.0.1, trusted".

Tor hands every onion request to the gallery from 127.0.0.1, the address a reverse proxy
on the same host uses too. So the onion service gets a port of its own (ONION_PORT, a
second gunicorn bind that only tor reaches, README "Tor onion service"). A request that
arrived on it is marked here, before anything reads its address or headers:

- its client address becomes the constant "onion" (web/limits.py), so no limit counts it
  by an address it shares with every other Tor user, and the challenge stands in;
- every X-Forwarded-* and Forwarded header it carries is dropped, and it never goes through
  ProxyFix: no onion client names its own address, host or scheme;
- its scheme is http (gunicorn may have believed its X-Forwarded-Proto).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .limits import ONION

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class OnionListener:
    """WSGI middleware: requests on `port` go to `direct` as onion clients; the others go
    to `proxied` (the app behind ProxyFix when a reverse proxy is configured)."""

    def __init__(self, direct: WSGIApp, proxied: WSGIApp, port: int):
        self.direct, self.proxied, self.port = direct, proxied, str(port)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("SERVER_PORT") != self.port:
            return self.proxied(environ, start_response)
        for name in [
            n for n in environ if n.startswith("HTTP_X_FORWARDED_") or n == "HTTP_FORWARDED"
        ]:
            del environ[name]
        environ["REMOTE_ADDR"] = ONION
        environ["wsgi.url_scheme"] = "http"
        return self.direct(environ, start_response)
