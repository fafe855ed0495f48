"""Failures nobody expected: logged by their kind and place, never their message, a
traceback at most once a minute per place; and LastResort, the answer when even the error
page fails."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__package__)  # gallery.web.errors, as before the package was split

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
