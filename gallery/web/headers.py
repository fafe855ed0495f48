"""Response headers that every page carries, and an access log without personal data."""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

access_log = logging.getLogger("gallery.access")

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


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", PAGE_CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _log_request(response: Response) -> Response:
    # The route pattern, never the path: paths can hold receipt tokens. No client address.
    started = g.pop("request_started", None)
    elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    rule = request.url_rule.rule if request.url_rule else "<unmatched>"
    access_log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed_ms)
    return response


def init_app(app: Flask) -> None:
    """Attach the header and logging hooks."""
    app.before_request(_start_timer)
    app.after_request(_headers)
    app.after_request(_log_request)
