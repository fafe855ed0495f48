"""Polite error pages, and the one handler of the gallery's errors (core/errors.py).

A GalleryError that leaves a view is answered here: its status's page (or the API's problem
details), with the error's message when it is meant for people, Retry-After for Busy, a
rollback and a log line. A full disk anywhere is a StorageFull (507), a busy database a
503 with its own Retry-After, and anything else (any other OSError, a KeyError in a verb)
a logged 500."""

from __future__ import annotations

import logging
import math
import sqlite3
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    SecurityError,
)
from werkzeug.http import HTTP_STATUS_CODES

from ...core.errors import GalleryError, StorageFull, disk_full
from ...extensions import db
from ...media import StoreUnavailable
from ..http import is_api_request
from ..i18n import address_without_language
from ..limits import limiter

log = logging.getLogger(__package__)  # gallery.web.errors, as before the package was split

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


def _rule() -> str:
    # The route pattern, never the path, which can hold a receipt token.
    return request.url_rule.rule if request.url_rule else "<unmatched>"


def _retry_message() -> str | None:
    # Flask-Limiter adds Retry-After after this handler; read the same reset time here.
    limit = limiter.current_limit
    if limit is None:
        return None
    # In words, in the reader's language and rounded as people say it: "in 40 minutes",
    # « dans 1 heure », «через 2 минуты».
    seconds = max(60, math.ceil(limit.reset_at - time.time()))
    when = format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=True)
    return _(
        "You have sent too many requests in a short time. You can try again %(when)s.", when=when
    )


def _retry_seconds() -> int | None:
    # Flask-Limiter rounds its reset time up to the next whole second already.
    limit = limiter.current_limit
    return None if limit is None else max(1, int(limit.reset_at - time.time()))


def _api_retry_message() -> str | None:
    seconds = _retry_seconds()
    return None if seconds is None else f"Too many requests: try again in {seconds} seconds."


# A failure's traceback is logged once a minute per place in the code; repeats in between
# are counted on one line, so a request repeated in a loop cannot flood the log.
_TRACEBACK_EVERY = 60.0
_last_traceback: dict[tuple[str, str, int], float] = {}
_repeats: dict[tuple[str, str, int], int] = {}


def log_failure(what: str, exc: BaseException) -> None:
    """Log an unexpected exception: its type and stack, never its message (which can quote
    a path, a form value or a token), at most once a minute for the same place."""
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    site = (type(exc).__name__, last.filename if last else "?", last.lineno or 0 if last else 0)
    now = time.monotonic()
    if now - _last_traceback.get(site, -_TRACEBACK_EVERY) < _TRACEBACK_EVERY:
        _repeats[site] = _repeats.get(site, 0) + 1
        log.error("%s: %s again at %s:%s", what, *site)
        return
    _last_traceback[site] = now
    repeats = _repeats.pop(site, 0)
    stack = "".join(traceback.format_list(frames))
    log.error(
        "%s: %s%s\n%s",
        what,
        site[0],
        f" ({repeats} more since the last traceback)" if repeats else "",
        stack,
    )


def _http_error(exc: HTTPException) -> ResponseReturnValue:
    if exc.code is None or exc.code < 400:
        return exc
    if isinstance(exc, InternalServerError) and exc.original_exception is not None:
        log_failure(f"unhandled error on {request.method} {_rule()}", exc.original_exception)
    if exc.code == 404 and not is_api_request() and (address := address_without_language()):
        return redirect(address, 302)  # /fr/login: the moderators' pages have one address
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
    if exc.code == 429 and (seconds := _retry_seconds()) is not None:
        response.headers["Retry-After"] = str(seconds)
    return response


def _csrf_error(exc: CSRFError) -> ResponseReturnValue:
    return render_error(
        400,
        str(
            _l(
                "The form had expired or was sent from another site. Please go back, reload "
                "the page and send it again."
            )
        ),
    )


def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    limit_mb = (current_app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024)
    return render_error(
        413,
        str(
            _l(
                "What you sent is larger than we accept (%(mb)s MB at most). Please export the "
                "image at a smaller size, or as a JPEG, and try again.",
                mb=limit_mb,
            )
        ),
    )


def error_message(exc: GalleryError) -> str:
    """The error's message in the reader's language: its own when it is meant for people,
    else its status's page text."""
    if exc.shown:
        return _(exc.template, **exc.params)
    return str(MESSAGES.get(exc.status, MESSAGES[500] if exc.status >= 500 else MESSAGES[400])[1])


def retry_later(answer: ResponseReturnValue, exc: GalleryError) -> Response:
    """An answer to a GalleryError, with its Retry-After when it says when."""
    response = make_response(answer)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def gallery_error(exc: GalleryError) -> Response:
    """The one answer to a GalleryError (and to a full disk): roll back, log, and the page or
    the API's problem details with the error's status; Retry-After when it says when."""
    db.session.rollback()
    # The kind and the route, never the message's parameters (a form value, a path).
    (log.warning if exc.status >= 500 else log.info)(
        "%s (%s) on %s %s: nothing kept", type(exc).__name__, exc.status, request.method, _rule()
    )
    if is_api_request():
        body, code = api_error(exc.status, exc.api_message())
    else:
        body, code = render_error(exc.status, error_message(exc))
    return retry_later((body, code), exc)


# The page of last resort, when even the error page failed: fixed bytes in the three
# languages, which depend on nothing in the request.
LAST_RESORT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Art Protest: something went wrong</title></head><body>
<h1>Something went wrong on our side</h1>
<p>We are sorry. Nothing you did caused this. Please try again in a few minutes.</p>
<p lang="fr">Un problème est survenu de notre côté. Vous n’y êtes pour rien. Réessayez
dans quelques minutes.</p>
<p lang="ru">У нас что-то сломалось. Вы ни в чём не виноваты. Пожалуйста, попробуйте ещё
раз через несколько минут.</p>
</body></html>
""".encode()
LAST_RESORT_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(LAST_RESORT_PAGE))),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]


class LastResort:
    """WSGI middleware: anything that escapes Flask (an error page that fails in turn) is
    answered with LAST_RESORT_PAGE and our headers, and logged without the path, instead of
    reaching gunicorn, which would log the raw request line (a receipt's token) and send a
    bare 500."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]):
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            return self.wsgi_app(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            log_failure(
                f"unhandled error while answering a {environ.get('REQUEST_METHOD', '?')}", exc
            )
            start_response("500 INTERNAL SERVER ERROR", LAST_RESORT_HEADERS)
            return [LAST_RESORT_PAGE]


# ---- the database busy, the disk full: what any request can meet ----

BUSY_RETRY_AFTER = 10  # seconds
# SQLite's "database is locked" / "database table is locked" after the busy timeout; on
# PostgreSQL a lock or statement timeout, a deadlock or a serialisation failure.
_BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def database_busy(exc: BaseException) -> bool:
    """Whether a database error only means "too busy right now, try again"."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES


def _busy_response() -> Response:
    response = make_response(
        render_error(
            503,
            str(
                _l(
                    "The gallery is busy right now and could not save what you sent. Nothing was "
                    "kept. Please try again in a few seconds."
                )
            ),
        )
    )
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def _refused_write(
    exc: Exception, expected: bool, what: str, answer: Callable[[], ResponseReturnValue]
) -> ResponseReturnValue:
    """A request whose write failed: roll back (the new files of the refused write go with
    it, database.py); an expected failure gets its own answer, anything else a 500."""
    db.session.rollback()
    if expected:
        log.warning("%s on %s %s: nothing kept, asked to retry", what, request.method, _rule())
        return answer()
    log_failure(f"unhandled error on {request.method} {_rule()}", exc)
    return render_error(500)


def _database_error(exc: OperationalError) -> ResponseReturnValue:
    return _refused_write(exc, database_busy(exc), "database busy", _busy_response)


STORE_RETRY_AFTER = 30  # seconds


def _store_down_response() -> Response:
    response = make_response(render_error(503))
    response.headers["Retry-After"] = str(STORE_RETRY_AFTER)
    return response


def _os_error(exc: OSError) -> ResponseReturnValue:
    if isinstance(exc, StoreUnavailable) and not disk_full(exc):
        # The media store cannot be reached (a print PDF reads the image from it): a 503
        # with Retry-After, as the images themselves answer (public/media.py).
        return _refused_write(
            exc, True, f"media store unavailable ({exc.strerror})", _store_down_response
        )
    if disk_full(exc):
        return gallery_error(StorageFull())
    return _refused_write(exc, False, "storage failure", lambda: render_error(500))


def init_app(app: Flask) -> None:
    """Route every HTTP error to the polite page."""
    app.register_error_handler(GalleryError, gallery_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(OSError, _os_error)
