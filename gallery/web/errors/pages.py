"""What an error says: each status's title and explanation on the polite page, in the
reader's language, and the JSON API's problem details (RFC 9457), in plain English."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import SecurityError
from werkzeug.http import HTTP_STATUS_CODES

from ...core.errors import GalleryError
from ..http import is_api_request

MESSAGES = {
    400: (
        _l("This request could not be understood"),
        _l(
            "Something in the address or the form was not in the expected shape. "
            "Please go back and try again."
        ),
    ),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (
        _l("Page not found"),
        _l("There is nothing here. The work may have been withdrawn, or the link may be mistyped."),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    409: (
        _l("Not possible now"),
        _l("This cannot be done now: the page may be out of date. Please look at it again."),
    ),
    413: (
        _l("File too large"),
        _l("What you sent is larger than we accept. Please send a smaller file."),
    ),
    429: (
        _l("Too many requests"),
        _l(
            "You have sent too many requests in a short time. Please wait a few "
            "minutes, then try again."
        ),
    ),
    503: (
        _l("The gallery is busy"),
        _l("The gallery cannot answer right now. Please try again in a few minutes."),
    ),
    507: (
        _l("No room left"),
        _l(
            "The server has no room left to store what you sent. Nothing was kept. Please "
            "try again later."
        ),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("We are sorry. Nothing you did caused this. Please try again in a few minutes."),
    ),
}


# The JSON API's errors are for programs: plain English, not translated.
API_MESSAGES = {
    400: "Malformed request: a query parameter is not in the expected shape.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed: this API is read-only (GET).",
    409: "Conflict: not possible in the current state.",
    413: "Request too large.",
    429: "Too many requests.",
    500: "Internal server error.",
    503: "Busy: try again in a few seconds.",
    507: "Insufficient storage.",
}


PROBLEM_TYPE = "application/problem+json"


def api_error(code: int, message: str | None = None) -> ResponseReturnValue:
    """An error of the JSON API as RFC 9457 problem details (application/problem+json):
    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not found.",
    "error": {"status": 404, "message": "Not found."}}; `error` is the body version 1.0 of
    the API gave, kept for its clients (public/api_schema.py, schema "Error")."""
    if message is None:
        message = API_MESSAGES.get(code, API_MESSAGES[500] if code >= 500 else API_MESSAGES[400])
    response = jsonify(
        type="about:blank",
        title=HTTP_STATUS_CODES.get(code, "Error"),
        status=code,
        detail=message,
        error={"status": code, "message": message},
    )
    response.mimetype = PROBLEM_TYPE
    return response, code


def render_error(code: int, detail: str | None = None) -> ResponseReturnValue:
    """The error page for an HTTP status, with an optional specific explanation (JSON on
    the API's addresses)."""
    if is_api_request():
        return api_error(code)
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    # For a Host outside TRUSTED_HOSTS Flask has no URL adapter: no link can be built.
    untrusted = isinstance(request.routing_exception, SecurityError)
    template = "errors/bare.html" if untrusted else "errors/error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


def error_message(exc: GalleryError) -> str:
    """The error's message in the reader's language: its own when it is meant for people,
    else its status's page text."""
    if exc.shown:
        return _(exc.template, **exc.params)
    return str(MESSAGES.get(exc.status, MESSAGES[500] if exc.status >= 500 else MESSAGES[400])[1])
