"""Serving stored images: approved ones publicly, everything else only to those allowed."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..extensions import db, media_store
from ..models import Work, WorkStatus
from ..web.http import immutable, private

bp = Blueprint("media", __name__, url_prefix="/media")

CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
MEDIA_CSP = "default-src 'none'; sandbox"


def send_rendition(key: str, filename: str, *, conditional: bool) -> Response:
    """One stored file with its format's Content-Type and the headers every media
    response carries (nosniff, a sandboxing CSP); 404 for anything not stored."""
    extension = filename.rpartition(".")[2]
    path = media_store().path(key, filename) if extension in CONTENT_TYPES else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=CONTENT_TYPES[extension], conditional=conditional,
                         etag=conditional)  # fmt: skip
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
    response = send_rendition(key, filename, conditional=True)
    return immutable(response) if _public(work) else private(response)
