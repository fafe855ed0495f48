"""Polite error pages."""
from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("This request could not be understood"),
          _l("Something in the address or the form was not in the expected shape. "
             "Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"),
          _l("There is nothing here. The work may have been withdrawn, or the link "
             "may be mistyped.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"),
          _l("What you sent is larger than we accept. Please send a smaller file.")),
    429: (_l("Too many requests"),
          _l("You have sent too many requests in a short time. Please wait a few "
             "minutes, then try again.")),
    500: (_l("Something went wrong on our side"),
          _l("We are sorry. Nothing you did caused this. Please try again in a few "
             "minutes.")),
}  # fmt: skip


def render_error(code: int, detail: str | None = None) -> ResponseReturnValue:
    """The error page for an HTTP status, with an optional specific explanation."""
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _rule() -> str:
    # The route pattern, never the path, which can hold a receipt token.
    return request.url_rule.rule if request.url_rule else "<unmatched>"


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
            log.error("unhandled error on %s %s", request.method, _rule(), exc_info=exc.original_exception)
    body, code = render_error(exc.code)
    response = make_response(body, code)
    # Keep what the client needs to act on: Allow for 405, Retry-After for 429.
    original = exc.get_response().headers
    for name in ("Allow", "Retry-After"):
        if name in original:
            response.headers[name] = original[name]
    return response


def init_app(app: Flask) -> None:
    """Route every HTTP error to the polite page."""
    app.register_error_handler(HTTPException, _http_error)
