"""How long what is left of a rejected or withdrawn work is kept: `flask --app gallery
purge --older-than 90d` deletes those rows (and anything left of them) for good.

A rejected or withdrawn work has already forgotten its artist (common.forget_artist); its
row keeps the status, the dates, the reason and the moderator for the audit trail, and a
rejected one its perceptual hash, so a resubmission is recognised.  Purging deletes the
row with its reports, tag and prisoner links and any unsent mail; the audit events stay,
their link to the work cleared (ON DELETE SET NULL), and its edit events only say which
fields were changed."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from ..core.database import begin_write
from ..extensions import db
from ..media import Store
from ..models import OutgoingMail, Work, WorkStatus, utcnow
from . import audit
from .common import delete_files_after_commit

log = logging.getLogger(__name__)

_AGE = re.compile(r"\A(\d{1,5})([hdw])\Z")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """ "90d", "12h" or "2w" as a timedelta; ValueError for anything else."""
    match = _AGE.match(text.strip())
    if not match:
        raise ValueError("an age such as 90d (days), 12h (hours) or 2w (weeks)")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def purge(store: Store, older_than: timedelta) -> int:
    """Delete rejected and withdrawn works decided more than `older_than` ago; flushed, the
    caller commits (their files, if any were left, go after the commit).  Returns how many."""
    cutoff = utcnow() - older_than
    begin_write()
    decided = func.coalesce(Work.decided_at, Work.submitted_at)
    works = db.session.scalars(
        select(Work)
        .where(Work.status.in_((WorkStatus.REJECTED, WorkStatus.WITHDRAWN)), decided < cutoff)
        .with_for_update()
    ).all()
    if not works:
        return 0
    ids = [w.id for w in works]
    # Forgotten when the work was withdrawn or rejected; again here for a row decided
    # before edit events forgot their texts (the events outlive the row).
    audit.forget_edit_texts(ids)
    delete_files_after_commit(store, [k for w in works for k in w.image_keys])
    db.session.execute(delete(OutgoingMail).where(or_(*(OutgoingMail.work_id == i for i in ids))))
    for work in works:
        db.session.delete(work)  # reports, tags and prisoner links go with it
    db.session.flush()
    log.info("purged %d rejected or withdrawn works", len(works))
    return len(works)
