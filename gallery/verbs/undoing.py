"""The undo window of a decision: a moderator's approval or rejection from the queue can be
taken back for `undo` seconds (DECISION_UNDO_SECONDS).

Until then the artist's e-mail waits, and a rejected work keeps its files and its artist's
details (Work.finalize_after). finalize_due() then forgets them; it runs from a timer in
the worker once the window has passed (gallery/moderation/finisher.py, started by the
moderation view), on every later decision, and from `flask send-mail`, so a stopped worker
leaves nothing for long."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import federation, mail, search
from ..core.database import begin_write
from ..extensions import db
from ..media import Store
from ..models import ModerationEvent, Work, WorkStatus, actions, utcnow
from . import NotAllowed, audit
from .common import (
    drop_images,
    forget_artist,
    locked_work,
    locked_works,
    new_media_address,
)

UNDOABLE = (actions.APPROVE, actions.REJECT)


def mail_delay(undo: int) -> timedelta | None:
    """How long the artist's e-mail waits: the undo window, if there is one."""
    return timedelta(seconds=undo) if undo > 0 else None


def forget_rejected(store: Store, work: Work) -> None:
    """What a rejection takes for good: the files (after the commit) and everything of the
    artist; the mail row, if any, already holds its own sealed copy."""
    drop_images(store, work)
    work.finalize_after = None
    forget_artist(work, keep_phash=True)


def finalize_due(store: Store) -> int:
    """Forget every rejected work whose undo window has passed (flushed; the caller
    commits); returns how many."""
    now = utcnow()
    due = list(
        db.session.scalars(
            select(Work.id).where(
                Work.status == WorkStatus.REJECTED,
                Work.finalize_after.is_not(None),
                Work.finalize_after <= now,
            )
        )
    )
    if not due:
        return 0
    begin_write()
    done = 0
    for work in locked_works(due):
        if (
            work.status == WorkStatus.REJECTED
            and work.finalize_after
            and work.finalize_after <= now
        ):
            forget_rejected(store, work)
            done += 1
    db.session.flush()
    return done


def undo_decision(store: Store, work_id: int, moderator_id: int, undo: int) -> Work:
    """Take back the last approval or rejection of a work while its undo window lasts: the
    work waits in the queue again as it was, the artist's e-mail is not sent, and both
    steps stay in the audit log.  NotAllowed("too-late") once the window has passed or
    anything else happened to the work since."""
    begin_write()
    work = locked_work(work_id)
    last = db.session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.work_id == work_id)
        .order_by(ModerationEvent.at.desc(), ModerationEvent.id.desc())
        .limit(1)
    ).first()
    now = utcnow()
    if (
        last is None
        or last.action not in UNDOABLE
        or undo <= 0
        or last.at < now - timedelta(seconds=undo)
    ):
        raise NotAllowed("too-late")
    if last.action == actions.APPROVE:
        if work.status != WorkStatus.APPROVED or work.hidden:
            raise NotAllowed("too-late")
        federation.retract(work)  # its Create waits for FEDERATION_DELAY: it never goes
        # The work was public for a few seconds: its files move, as after any takedown.
        new_media_address(store, work)
        work.published_at = None
        search.drop_work(work.id)
        mail.withdraw_unsent(work.id, mail.APPROVED)
    else:
        if (
            work.status != WorkStatus.REJECTED
            or work.finalize_after is None
            or work.finalize_after <= now
        ):
            raise NotAllowed("too-late")
        work.finalize_after = None
        work.rejection_reason = None
        work.rejection_preset = None
        mail.withdraw_unsent(work.id, mail.REJECTED)
    work.status = WorkStatus.PENDING
    work.postcard_safe = False  # unpublished: a new look decides again
    work.postcard_safe_at = None
    work.decided_at = None
    work.decided_by_id = None
    audit.record(
        actions.UNDO,
        moderator_id=moderator_id,
        work_id=work.id,
        subject=work.title,
        reason=f"{last.action} undone",
    )
    db.session.flush()
    return work
