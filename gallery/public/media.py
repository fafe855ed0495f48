"""Serving stored images: approved ones publicly, everything else only to those allowed.

The visibility check always comes first, in the app.  What sends the bytes depends on the
store and the settings (README "Media from the reverse proxy"):

- the local folder: send_file(), or, for a public work and with MEDIA_ACCEL_REDIRECT or
  MEDIA_SENDFILE set, an empty answer naming the file for nginx (X-Accel-Redirect) or
  Apache / lighttpd (X-Sendfile) to send;
- a bucket: the app streams the object (or the asked range of it) with its ETag and
  Last-Modified, and answers If-None-Match / If-Modified-Since with a 304 itself.

Pending and hidden works are always sent by the app, private and never cached.

A published image asked for again is answered before Flask (MediaShortcut): the view
notes, in each worker, the keys of the published works it checked, under the page cache's
generation (web/pagecache.py), which every commit that changes what visitors see renews on
every worker and host at once.  A key noted under the current generation is a published
work's: its file is sent straight away, with the same headers, validators and log line the
view gives, in a tenth of the time (README "Performance").  Anything else goes to the view."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from flask import Blueprint, Flask, abort, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import SecurityError, ServiceUnavailable
from werkzeug.http import http_date, is_resource_modified, remove_entity_headers
from werkzeug.utils import send_file as send_file_from
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper, get_host

from ..extensions import db

from ..media import media_store
from ..models import Work, WorkStatus
from ..media import CONTENT_TYPES, MediaStore, Store, valid_name
from ..web.headers import HSTS, log_access, security_headers
from ..web.http import immutable, private
from ..web.pagecache import generation

log = logging.getLogger(__name__)

bp = Blueprint("media", __name__, url_prefix="/media")
ROUTE = "/<key>/<filename>"

MEDIA_CSP = "default-src 'none'; sandbox"
STREAM_CHUNK = 64 * 1024  # bytes a read from a bucket asks for at a time


def media_url(work: Work, filename: str, external: bool = False) -> str:
    """The address pages and feeds give for one of a work's renditions: the app's own
    /media/ route, which checks visibility on every request.  A CDN, if any, sits in front
    of the whole site and pulls from it (README "Media in object storage")."""
    return url_for("media.file", key=work.image_key, filename=filename, _external=external)


def send_rendition(key: str, filename: str, *, conditional: bool) -> Response:
    """One stored file with its format's Content-Type and the headers every media
    response carries (nosniff, a sandboxing CSP); 404 for anything not stored."""
    if filename.rpartition(".")[2] not in CONTENT_TYPES:
        abort(404)
    store = media_store()
    try:
        if isinstance(store, MediaStore):
            path = store.path(key, filename)
            if path is None:
                abort(404)
            response = send_file(path, mimetype=CONTENT_TYPES[filename.rpartition(".")[2]],
                                 conditional=conditional, etag=conditional)  # fmt: skip
        else:
            response = _stream(store, key, filename, conditional=conditional)
    except OSError as exc:
        _store_unavailable(exc)
    return _media_headers(response)


STORE_RETRY_AFTER = 30  # seconds: what an image asks for while the store cannot be read
_LOG_EVERY = 60.0
_last_logged = [-_LOG_EVERY]


def _store_unavailable(exc: OSError) -> NoReturn:
    """The store cannot be read (a bucket unreachable, a failing disk): a 503 with
    Retry-After and the polite "try again" page, not a 500; pages still render.  Logged
    once a minute per worker, by the error's kind only."""
    now = time.monotonic()
    if now - _last_logged[0] >= _LOG_EVERY:
        _last_logged[0] = now
        log.warning("an image could not be read from the media store: %s (503 until it answers)",
                    exc.strerror or type(exc).__name__)  # fmt: skip
    raise ServiceUnavailable(retry_after=STORE_RETRY_AFTER) from exc


def _stream(store: Store, key: str, filename: str, *, conditional: bool) -> Response:
    """A stored object sent by the app: its ETag and date, a 304 when the browser's copy
    is current, a 206 for a range; the bytes are fetched only when they are sent."""
    found = store.stat(key, filename)
    fp = store.open(key, filename, found) if found else None
    if found is None or fp is None:
        abort(404)
    response = Response(FileWrapper(fp, STREAM_CHUNK), mimetype=found.content_type,
                        direct_passthrough=True)  # fmt: skip
    response.content_length = found.size
    if conditional:
        response.set_etag(found.etag)
        response.last_modified = found.modified
        response.make_conditional(request, accept_ranges=True, complete_length=found.size)
    return response


def _by_proxy(key: str, filename: str, app: Flask | None = None) -> Response | None:
    """An empty answer that tells the reverse proxy which file to send, when a setting
    asks for it; None otherwise.  Only for public works (the caller checks), and only
    with the local store (create_app refuses the settings with a bucket)."""
    app = app or current_app
    internal = app.config["MEDIA_ACCEL_REDIRECT"]
    sendfile = app.config["MEDIA_SENDFILE"]
    store = media_store(app)
    if not (internal or sendfile) or not isinstance(store, MediaStore):
        return None
    path = store.path(key, filename)  # checks the key and the name: nothing else reaches the header
    if path is None:
        abort(404)
    response = Response(b"", mimetype=CONTENT_TYPES[filename.rpartition(".")[2]])
    if internal:
        response.headers["X-Accel-Redirect"] = f"{internal.rstrip('/')}/{key}/{filename}"
    else:
        response.headers["X-Sendfile"] = str(path)
    return _media_headers(response)


def _media_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _public(work: Work) -> bool:
    return work.status == WorkStatus.APPROVED and not work.hidden


def _may_see(work: Work) -> bool:
    # Logged-in, active moderators (Flask-Login checks the session generation) also
    # see pending and hidden works; rejected and withdrawn ones have no files left.
    return _public(work) or current_user.is_authenticated


@bp.get(ROUTE)
def file(key: str, filename: str) -> ResponseReturnValue:
    """One stored rendition, if this visitor may see it; 404 otherwise."""
    # Checked before any query: a NUL in the key is an error on PostgreSQL, not a miss.
    if not valid_name(key, filename):
        abort(404)
    seen = PublishedKeys.of(current_app)
    vouched = generation() if seen is not None else None  # read before the row
    work = db.session.scalar(select(Work).where(Work.image_key == key))
    if work is None or not _may_see(work):
        abort(404)
    if not _public(work):
        return private(send_rendition(key, filename, conditional=True))
    if seen is not None and vouched is not None:
        seen.note(vouched, key)
    return immutable(_by_proxy(key, filename) or send_rendition(key, filename, conditional=True))


class PublishedKeys:
    """The image keys of published works this worker has checked, as of one generation,
    and the answer made for each file of theirs the shortcut has sent."""

    LIMIT = 20_000  # keys, and answers kept (about 20 MB at most); past it, start again
    EXTENSION = "gallery.published_keys"

    def __init__(self, lifetime: float = 300) -> None:
        # A generation is trusted for as long as a cached page is (PAGE_CACHE_SECONDS):
        # should a new one ever fail to be written, images follow the pages' expiry.
        self.lifetime = lifetime
        self.generation: str | None = None
        self.since = 0.0
        self.keys: set[str] = set()
        self.answers: dict[tuple[str, str], _Answer] = {}

    @classmethod
    def of(cls, app: Flask) -> PublishedKeys | None:
        """This app's set; None when the shortcut is off (PAGE_CACHE off, or a bucket)."""
        return app.extensions.get(cls.EXTENSION)

    def note(self, token: str, key: str) -> None:
        if not self._current(token) or len(self.keys) >= self.LIMIT:
            self.generation, self.since, self.keys, self.answers = token, time.monotonic(), set(), {}
        self.keys.add(key)

    def vouches(self, token: str | None, key: str) -> bool:
        return key in self.keys and self._current(token)

    def _current(self, token: str | None) -> bool:
        return (token is not None and token == self.generation
                and time.monotonic() - self.since < self.lifetime)  # fmt: skip

    def keep(self, key: str, filename: str, answer: _Answer) -> None:
        if len(self.answers) >= self.LIMIT:
            self.answers = {}
        self.answers[key, filename] = answer


@dataclass(frozen=True)
class _Answer:
    """What the view sends for one published file, made once: its headers (the app's own,
    from send_file() or the proxy's answer, without the dated ones), its validators, and
    the file to send (None when the reverse proxy sends it)."""

    headers: list[tuple[str, str]]
    path: Path | None
    etag: str | None
    modified: datetime | None
    max_age: int | None


_DATED = frozenset({"date", "expires"})


class MediaShortcut:
    """WSGI middleware: answers GET and HEAD of a published work's image, once the view has
    checked that work in the current generation, without Flask, its hooks or the database;
    passes everything else on to the app (ranges too, which the view answers)."""

    PREFIX = bp.url_prefix + "/"  # type: ignore[operator]
    RULE = bp.url_prefix + ROUTE  # type: ignore[operator]  # what the access log names

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.seen = PublishedKeys(lifetime=app.config["PAGE_CACHE_SECONDS"])
        app.extensions[PublishedKeys.EXTENSION] = self.seen

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        answered = self._answer(environ, start_response)
        if answered is None:
            return self.wsgi_app(environ, start_response)
        status, body = answered
        log_access(environ["REQUEST_METHOD"], self.RULE, status, started)
        return body

    def _answer(self, environ: dict[str, Any], start_response: Callable[..., Any]
                ) -> tuple[int, Iterable[bytes]] | None:  # fmt: skip
        path = environ.get("PATH_INFO", "")
        if (not path.startswith(self.PREFIX) or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
                or "HTTP_RANGE" in environ or not self._host_trusted(environ)):  # fmt: skip
            return None  # the view answers (a host outside TRUSTED_HOSTS: Flask's 400 page)
        key, _, filename = path[len(self.PREFIX):].partition("/")
        if key not in self.seen.keys or not valid_name(key, filename):
            return None
        try:
            if not self.seen.vouches(generation(self.app), key):
                return None
            answer = self.seen.answers.get((key, filename)) or self._prepare(environ, key, filename)
            return None if answer is None else self._send(answer, environ, start_response)
        except Exception:  # noqa: BLE001 - the view knows how to answer; say why it had to
            log.exception("media shortcut failed; the view answers instead")
            return None

    def _host_trusted(self, environ: dict[str, Any]) -> bool:
        trusted = self.app.config["TRUSTED_HOSTS"]
        if not trusted:
            return True
        try:
            get_host(environ, trusted)
        except SecurityError:
            return False
        return True

    def _prepare(self, environ: dict[str, Any], key: str, filename: str) -> _Answer | None:
        """The view's answer for this file, as send_file() or the proxy setting makes it."""
        store = media_store(self.app)
        found = store.path(key, filename) if isinstance(store, MediaStore) else None
        if found is None:
            return None  # a name the view answers 404 to
        plain = {k: v for k, v in environ.items() if not k.startswith("HTTP_IF_")}
        max_age = self._max_age()
        response = _by_proxy(key, filename, self.app) or send_file_from(
            found, plain, mimetype=CONTENT_TYPES[filename.rpartition(".")[2]],
            conditional=True, etag=True, max_age=max_age)  # fmt: skip
        response.close()
        immutable(_media_headers(response))
        security_headers(response.headers, secure=False)  # HSTS: by each request's scheme
        proxied = "X-Accel-Redirect" in response.headers or "X-Sendfile" in response.headers
        answer = _Answer(
            headers=[(k, v) for k, v in response.headers.to_wsgi_list() if k.lower() not in _DATED],
            path=None if proxied else found, etag=response.get_etag()[0],
            modified=response.last_modified, max_age=max_age,
        )  # fmt: skip
        self.seen.keep(key, filename, answer)
        return answer

    def _send(self, answer: _Answer, environ: dict[str, Any], start_response: Callable[..., Any]
              ) -> tuple[int, Iterable[bytes]] | None:  # fmt: skip
        headers = list(answer.headers)
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS)
        if answer.path is not None:
            headers.append(("Date", http_date()))  # as make_conditional() adds it
        if answer.max_age:
            headers.append(("Expires", http_date(time.time() + answer.max_age)))
        if answer.path is None:
            start_response("200 OK", headers)
            return 200, [b""]
        if ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ) and not (
                is_resource_modified(environ, etag=answer.etag, last_modified=answer.modified)):
            remove_entity_headers(headers)  # in place, as werkzeug does for a 304
            start_response("304 Not Modified", headers)
            return 304, []
        try:
            fp = open(answer.path, "rb")  # noqa: SIM115 - the server closes it when sent
        except OSError:
            return None  # gone since: the view answers
        if environ["REQUEST_METHOD"] == "HEAD":
            fp.close()
            start_response("200 OK", headers)
            return 200, []
        start_response("200 OK", headers)
        return 200, environ.get("wsgi.file_wrapper", FileWrapper)(fp, STREAM_CHUNK)

    def _max_age(self) -> int | None:
        """SEND_FILE_MAX_AGE_DEFAULT as Flask's send_file() reads it (it needs a context)."""
        age = self.app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        return int(age.total_seconds()) if isinstance(age, timedelta) else age
