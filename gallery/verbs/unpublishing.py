"""Unpublishing: a published work taken off every public page and back into the queue as
pending, where it can be approved or rejected again. Its files are kept, under a new
address, so what caches kept of the old one is never served again; the artist's e-mail is
queued as for a decision. A report's outcome unpublishes too, with its own audit action
(reports.py)."""

from __future__ import annotations

from .. import federation, mail, search
from ..core.database import begin_write
from ..extensions import db
from ..media import Store
from ..models import Work, WorkStatus, actions
from . import NotAllowed, audit
from .common import locked_work, new_media_address, require_reason


def unpublish(
    store: Store, work: Work, moderator_id: int, reason: str, action: str = actions.UNPUBLISH
) -> None:
    """Take a locked published work off every public page and back into the queue; its
    files get a new address, so what caches kept of the old one is never served again."""
    if work.status != WorkStatus.APPROVED:
        raise NotAllowed("not-approved")
    federation.retract(work)  # before the media's new address: the Delete names the work
    new_media_address(store, work)
    work.status = WorkStatus.PENDING
    work.published_at = None
    work.decided_at = None
    work.decided_by_id = None
    work.hidden = False
    # A work back in the queue is no postcard either: a new look decides again.
    work.postcard_safe = False
    work.postcard_safe_at = None
    search.drop_work(work.id)
    audit.record(
        action, moderator_id=moderator_id, work_id=work.id, subject=work.title, reason=reason
    )
    mail.tell_artist(work, mail.UNPUBLISHED)


def unpublish_work(store: Store, work_id: int, moderator_id: int, reason: str | None) -> Work:
    """Take an approved work off every public page at once and back into the queue."""
    reason = require_reason(reason)
    begin_write()
    work = locked_work(work_id)
    unpublish(store, work, moderator_id, reason)
    db.session.flush()
    return work
