"""The one handler of the gallery's errors (core/errors.py), and the handlers of what Flask,
Werkzeug, the database and the disk raise: each answered with its page (pages.py), a
rollback where a write failed, and a log line."""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from datetime import timedelta

from flask import Flask, Response, current_app, make_response, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from ...core.errors import Busy, DatabaseBusy, GalleryError, StorageFull, disk_full
from ...extensions import db
from ...media import StoreUnavailable
from ..http import is_api_request
from ..i18n import address_without_language
from ..limits import limiter
from .failures import log_failure
from .pages import api_error, error_message, render_error

log = logging.getLogger(__package__)  # gallery.web.errors, as before the package was split


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


# ---- the database busy, the media store down, the disk full: what any request can meet ----

# SQLite's "database is locked" / "database table is locked" after the busy timeout; on
# PostgreSQL a lock or statement timeout, a deadlock or a serialisation failure.
_BUSY_SQLSTATES = {"55P03", "57014", "40P01", "40001"}


def database_busy(exc: BaseException) -> bool:
    """Whether a database error only means "too busy right now, try again"."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    return getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES


def _unhandled(exc: Exception) -> ResponseReturnValue:
    """A failure nobody expected: roll back (the new files of the refused write go with it,
    database.py), log it with its traceback, and answer 500."""
    db.session.rollback()
    log_failure(f"unhandled error on {request.method} {_rule()}", exc)
    return render_error(500)


def _database_error(exc: OperationalError) -> ResponseReturnValue:
    return gallery_error(DatabaseBusy()) if database_busy(exc) else _unhandled(exc)


def _os_error(exc: OSError) -> ResponseReturnValue:
    if disk_full(exc):
        return gallery_error(StorageFull())
    if isinstance(exc, StoreUnavailable):
        # The media store cannot be reached (a print PDF reads the image from it): Busy, a
        # 503 with Retry-After, as the images themselves answer (public/media/sending.py).
        log.warning("media store unavailable: %s", exc.strerror or type(exc).__name__)
        return gallery_error(Busy())
    return _unhandled(exc)


def init_app(app: Flask) -> None:
    """Route every HTTP error to the polite page."""
    app.register_error_handler(GalleryError, gallery_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(OSError, _os_error)
