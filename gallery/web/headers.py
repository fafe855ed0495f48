"""Response headers that every page carries, and an access log without personal data."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote, urlsplit, urlunsplit

from flask import Flask, Response, current_app, g, request, request_started
from flask_login import current_user
from werkzeug.datastructures import Headers

from .http import private

access_log = logging.getLogger("gallery.access")
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")  # over HTTPS only

PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",  # blob: the submit form previews the chosen file
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _start_timer(_app: Flask, **_extra: object) -> None:
    g.request_started = time.perf_counter()


def _relative_location(response: Response) -> None:
    # "/moderation" -> "/moderation/": Werkzeug answers with an absolute address built from
    # the Host header, any host a client sends (a cacheable 308 to evil.example), or from
    # PUBLIC_URL (which would send an onion visitor to the public host).  Our own
    # redirects are made relative, which browsers resolve the same way.
    location = response.headers.get("Location")
    if not location:
        return
    target = urlsplit(location)
    public = urlsplit(current_app.config["PUBLIC_URL"] or "").netloc
    if target.netloc and target.netloc in (request.host, public):
        response.headers["Location"] = urlunsplit(
            ("", "", target.path or "/", target.query, target.fragment)
        )


def _headers(response: Response) -> Response:
    _relative_location(response)
    security_headers(response.headers, secure=request.is_secure)
    _onion_location(response)
    return response


def security_headers(headers: Headers, *, secure: bool) -> None:
    """The headers every answer carries, where the view set none of its own; also used by
    the published-media shortcut (public/media/shortcut.py), which answers without Flask."""
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if secure:
        headers.setdefault(*HSTS)


def _onion_location(response: Response) -> None:
    """Tor Browser offers the onion service's copy of a page that names it (it heeds the
    header on HTTPS pages only); not sent by the onion service itself."""
    onion = current_app.config["ONION_URL"]
    if not onion or response.mimetype != "text/html" or urlsplit(onion).netloc == request.host:
        return
    target = quote(request.path)
    if request.query_string:
        target += "?" + quote(request.query_string.decode("latin-1"), safe="=&%+;,/?:@!$'()*~-._")
    response.headers.setdefault("Onion-Location", onion.rstrip("/") + target)


def _no_store_for_moderators(response: Response) -> Response:
    """Every page a logged-in moderator is shown is private: public pages too carry their
    session's CSRF token and the moderation links, so no cache may keep them."""
    if (
        response.mimetype == "text/html"
        and not response.cache_control.no_store
        and current_user.is_authenticated
    ):
        return private(response, noindex=False)
    return response


def _log_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    rule = request.url_rule.rule if request.url_rule else "<unmatched>"
    log_access(request.method, rule, response.status_code, started)
    return response


def log_access(method: str, rule: str, status: int, started: float | None) -> None:
    """One line a request: the route pattern, never the path (paths can hold receipt
    tokens), and no client address.  started: its time.perf_counter() at the start."""
    elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    access_log.info("%s %s %s %.1fms", method, rule, status, elapsed_ms)


def init_app(app: Flask) -> None:
    """Attach the header and logging hooks."""
    # On the signal, before any before-request hook: a page served from the cache, which
    # answers from the first of them, is timed too.
    request_started.connect(_start_timer, app)
    app.after_request(_no_store_for_moderators)
    app.after_request(_headers)
    app.after_request(_log_request)
