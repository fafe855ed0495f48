"""The media blueprint: one stored rendition, if this visitor may see it; a published
work's key is noted for the shortcut."""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...media import valid_name
from ...models import Work, WorkImage, WorkStatus
from ...web.http import immutable, private
from ...web.pagecache import generation
from .published import PublishedKeys
from .sending import _by_proxy, send_rendition

bp = Blueprint("media", __name__, url_prefix="/media")
ROUTE = "/<key>/<filename>"


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
    work = db.session.scalar(select(Work).where(Work.image_key == key)) or db.session.scalar(
        # one of a work's other images: seen as its work is
        select(Work).join(WorkImage, WorkImage.work_id == Work.id).where(WorkImage.image_key == key)
    )
    if work is None or not _may_see(work):
        abort(404)
    if not _public(work):
        return private(send_rendition(key, filename, conditional=True))
    if seen is not None and vouched is not None:
        seen.note(vouched, key)
    return immutable(_by_proxy(key, filename) or send_rendition(key, filename, conditional=True))
