"""Polite error pages."""
from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ..paging import BadQuery
from .http import is_api_request
from .limits import limiter

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


# The JSON API's errors are for programs: plain English, not translated.
API_MESSAGES = {
    400: "Malformed request: a query parameter is not in the expected shape.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed: this API is read-only (GET).",
    413: "Request too large.",
    429: "Too many requests.",
    500: "Internal server error.",
}


def api_error(code: int, message: str | None = None) -> ResponseReturnValue:
    """An error of the JSON API: {"error": {"status": 404, "message": "Not found."}}."""
    if message is None:
        message = API_MESSAGES.get(code, API_MESSAGES[500] if code >= 500 else API_MESSAGES[400])
    return jsonify(error={"status": code, "message": message}), code


def render_error(code: int, detail: str | None = None) -> ResponseReturnValue:
    """The error page for an HTTP status, with an optional specific explanation (JSON on
    the API's addresses)."""
    if is_api_request():
        return api_error(code)
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def _rule() -> str:
    # The route pattern, never the path, which can hold a receipt token.
    return request.url_rule.rule if request.url_rule else "<unmatched>"


def _retry_message() -> str | None:
    # Flask-Limiter adds Retry-After after this handler; read the same reset time here.
    limit = limiter.current_limit
    if limit is None:
        return None
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60))
    return ngettext("You have sent too many requests in a short time. Please try again in "
                    "about %(num)s minute.",
                    "You have sent too many requests in a short time. Please try again in "
                    "about %(num)s minutes.", minutes)  # fmt: skip


def _api_retry_message() -> str | None:
    limit = limiter.current_limit
    if limit is None:
        return None
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    return f"Too many requests: try again in {seconds} seconds."


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
            log.error("unhandled error on %s %s", request.method, _rule(), exc_info=exc.original_exception)
    original = exc.get_response().headers
    if is_api_request():
        body, code = api_error(exc.code, _api_retry_message() if exc.code == 429 else None)
    else:
        body, code = render_error(exc.code, _retry_message() if exc.code == 429 else None)
    response = make_response(body, code)
    # Keep what the client needs to act on: Allow for 405, Retry-After for 429.
    for name in ("Allow", "Retry-After"):
        if name in original:
            response.headers[name] = original[name]
    return response


def _csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return render_error(
        400,
        str(_l("The form had expired or was sent from another site. Please go back, reload "
               "the page and send it again.")),
    )


def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_error(
        413,
        str(_l("What you sent is larger than we accept (%(mb)s MB at most). Please export the "
               "image at a smaller size, or as a JPEG, and try again.", mb=limit_mb)),
    )


def _bad_query(exc: BadQuery) -> ResponseReturnValue:
    # A malformed cursor, filter or page in the address: the same 400 on every list.
    if is_api_request():
        return api_error(400, f"Malformed query parameter ({exc}).")
    return render_error(400)


def init_app(app: Flask) -> None:
    """Route every HTTP error to the polite page."""
    app.register_error_handler(BadQuery, _bad_query)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
