"""Serving stored images: approved ones publicly, everything else only to those allowed."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from .extensions import db
from .models import Work, WorkStatus
from .storage import MediaStore

bp = Blueprint("media", __name__, url_prefix="/media")

CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
MEDIA_CSP = "default-src 'none'; sandbox"
IMMUTABLE = "public, max-age=31536000, immutable"


def store(app: Flask | None = None) -> MediaStore:
    """The media store of this app, made once."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("gallery.media_store")
    if found is None:
        found = MediaStore(app.config["MEDIA_ROOT"])
        app.extensions["gallery.media_store"] = found
    return found


def rendition_url_args(work: Work, size: str, fmt: str) -> dict[str, str] | None:
    """url_for() arguments for one rendition of a work, or None if it has none."""
    info = (work.renditions or {}).get(size)
    if not info or not work.image_key:
        return None
    filename = info["files"].get(fmt)
    if filename is None:
        return None
    return {"key": work.image_key, "filename": filename}


def _public(work: Work) -> bool:
    return work.status == WorkStatus.APPROVED and not work.hidden


def _may_see(work: Work) -> bool:
    # Logged-in, active moderators (Flask-Login checks the session generation) also
    # see pending and hidden works; rejected and withdrawn ones have no files left.
    return _public(work) or current_user.is_authenticated


@bp.get("/<key>/<filename>")
def file(key: str, filename: str) -> ResponseReturnValue:
    """One stored rendition, if this visitor may see it; 404 otherwise."""
    extension = filename.rpartition(".")[2]
    if extension not in CONTENT_TYPES:
        abort(404)
    work = db.session.scalar(select(Work).where(Work.image_key == key))
    if work is None or not _may_see(work):
        abort(404)
    path = store().path(key, filename)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=CONTENT_TYPES[extension], conditional=True, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE if _public(work) else "private, no-store"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
