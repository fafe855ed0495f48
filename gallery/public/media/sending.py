"""Sending a stored file's bytes: send_file() from the local folder, a stream from a bucket
(with its ETag, Last-Modified and ranges), or an empty answer naming the file for the
reverse proxy (X-Accel-Redirect, X-Sendfile); a 503 when the store cannot be read."""

from __future__ import annotations

import logging
import time
from typing import NoReturn

from flask import Flask, abort, current_app, request, send_file
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from ...media import CONTENT_TYPES, MediaStore, Store, media_store

log = logging.getLogger(__package__)  # gallery.public.media, as before the split


MEDIA_CSP = "default-src 'none'; sandbox"
STREAM_CHUNK = 64 * 1024  # bytes a read from a bucket asks for at a time


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
            response = send_file(
                path,
                mimetype=CONTENT_TYPES[filename.rpartition(".")[2]],
                conditional=conditional,
                etag=conditional,
            )
        else:
            response = _stream(store, key, filename, conditional=conditional)
    except OSError as exc:
        _store_unavailable(exc)
    return _media_headers(response)


STORE_RETRY_AFTER = 30  # seconds: what an image asks for while the store cannot be read
_LOG_EVERY = 60.0
_LAST_LOGGED = "gallery.media_store_unavailable_logged"  # app.extensions: monotonic seconds


def _store_unavailable(exc: OSError) -> NoReturn:
    """The store cannot be read (a bucket unreachable, a failing disk): a 503 with
    Retry-After and the polite "try again" page, not a 500; pages still render.  Logged
    once a minute per worker (per app: a worker has one), by the error's kind only."""
    now = time.monotonic()
    seen = current_app.extensions
    if now - seen.get(_LAST_LOGGED, -_LOG_EVERY) >= _LOG_EVERY:
        seen[_LAST_LOGGED] = now
        log.warning(
            "an image could not be read from the media store: %s (503 until it answers)",
            exc.strerror or type(exc).__name__,
        )
    raise ServiceUnavailable(retry_after=STORE_RETRY_AFTER) from exc


def _stream(store: Store, key: str, filename: str, *, conditional: bool) -> Response:
    """A stored object sent by the app: its ETag and date, a 304 when the browser's copy
    is current, a 206 for a range; the bytes are fetched only when they are sent."""
    found = store.stat(key, filename)
    fp = store.open(key, filename, found) if found else None
    if found is None or fp is None:
        abort(404)
    response = Response(
        FileWrapper(fp, STREAM_CHUNK), mimetype=found.content_type, direct_passthrough=True
    )
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
