"""Serving stored images: approved ones publicly, everything else only to those allowed.

The visibility check always comes first, in the app.  What sends the bytes depends on the
store and the settings (README "Media from the reverse proxy"):

- the local folder: send_file(), or, for a public work and with MEDIA_ACCEL_REDIRECT or
  MEDIA_SENDFILE set, an empty answer naming the file for nginx (X-Accel-Redirect) or
  Apache / lighttpd (X-Sendfile) to send;
- a bucket: the app streams the object (or the asked range of it) with its ETag and
  Last-Modified, and answers If-None-Match / If-Modified-Since with a 304 itself.

Pending and hidden works are always sent by the app, private and never cached."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from werkzeug.wsgi import FileWrapper

from ..extensions import db, media_store
from ..models import Work, WorkStatus
from ..storage import CONTENT_TYPES, MediaStore, Store
from ..web.http import immutable, private

bp = Blueprint("media", __name__, url_prefix="/media")

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
    if isinstance(store, MediaStore):
        path = store.path(key, filename)
        if path is None:
            abort(404)
        response = send_file(path, mimetype=CONTENT_TYPES[filename.rpartition(".")[2]],
                             conditional=conditional, etag=conditional)  # fmt: skip
    else:
        response = _stream(store, key, filename, conditional=conditional)
    return _media_headers(response)


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


def _by_proxy(key: str, filename: str) -> Response | None:
    """An empty answer that tells the reverse proxy which file to send, when a setting
    asks for it; None otherwise.  Only for public works (the caller checks), and only
    with the local store (create_app refuses the settings with a bucket)."""
    internal = current_app.config.get("MEDIA_ACCEL_REDIRECT")
    sendfile = current_app.config.get("MEDIA_SENDFILE")
    store = media_store()
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


@bp.get("/<key>/<filename>")
def file(key: str, filename: str) -> ResponseReturnValue:
    """One stored rendition, if this visitor may see it; 404 otherwise."""
    if filename.rpartition(".")[2] not in CONTENT_TYPES:
        abort(404)
    work = db.session.scalar(select(Work).where(Work.image_key == key))
    if work is None or not _may_see(work):
        abort(404)
    if not _public(work):
        return private(send_rendition(key, filename, conditional=True))
    return immutable(_by_proxy(key, filename) or send_rendition(key, filename, conditional=True))
