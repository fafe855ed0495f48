"""Moderators' decisions on works: approve, reject, unpublish, edit, and several at once.

Rejection forgets a work's image (image_key and renditions become None; the row, its image
facts and its sha256 stay for the record) and deletes the files once that commits.
Unpublishing keeps the files and returns the work to the queue as pending, where it can be
approved or rejected again.

The moderators also record (or withdraw) the artist's permission to print a work whose
licence reserves every right (set_print_leave): only the artist can allow a reproduction.
Other licences allow printing as they are.

Approve, reject and unpublish (every path: one work, several, a report's outcome) each
queue the artist's e-mail in the same transaction when they asked for one
(mail.tell_artist); it goes out after the commit.

A work is approved only once the face detector has looked at it, and, when its artist asked
for covering or the detector suggests faces, once a moderator has covered it or recorded
that there is nothing to cover on the image as it is now (Work.cover_decision_needed):
refused with NotAllowed("cover-first") otherwise, alone or in a bulk approval.

A moderator's approval or rejection from the queue can be undone for `undo` seconds
(DECISION_UNDO_SECONDS): the artist's e-mail waits as long, and a rejected work keeps its
files and its artist's details until then (Work.finalize_after). finalize_due() then
forgets them; it runs from a timer in the worker once the window has passed
(gallery/moderation/finisher.py, started by the moderation view), on every later decision, and from
`flask send-mail`, so a stopped worker leaves nothing for long."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from .. import mail, search
from ..core.database import begin_write
from ..extensions import db
from ..images import faces
from ..media import Store
from ..models import Licence, ModerationEvent, Work, WorkStatus, actions, utcnow
from ..models.labels import PRESET_REASONS
from . import NotAllowed, audit
from .common import (
    delete_files_after_commit,
    forget_artist,
    locked_work,
    locked_works,
    new_media_address,
    require_reason,
    tags_named,
)
from .covers import suggest_faces


def compose_reason(preset: str | None, text: str | None) -> str | None:
    """The reason the artist sees: a preset sentence and/or the moderator's words."""
    parts = []
    if preset and preset in PRESET_REASONS:
        parts.append(str(PRESET_REASONS[preset]))
    if text and text.strip():
        parts.append(text.strip())
    return "\n\n".join(parts) or None


log = logging.getLogger(__name__)

UNDOABLE = (actions.APPROVE, actions.REJECT)


def _waits_for_cover(work: Work) -> bool:
    """Whether a pending work must wait: the detector has not looked at it (approve_work
    has it look first; without OpenCV it never will, and nothing waits for it), or a
    moderator must still cover it or say nothing needs it."""
    return (work.face_suggestions is None and faces.available()) or work.cover_decision_needed


def approve(work: Work, moderator_id: int, *, undo: int = 0) -> None:
    """Publish a locked pending work now; NotAllowed("cover-first") while it waits for a
    moderator's look at what to cover (or for the face detector)."""
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("not-pending")
    if _waits_for_cover(work):
        raise NotAllowed("cover-first")
    now = utcnow()
    work.status = WorkStatus.APPROVED
    work.decided_at = now
    work.published_at = now
    work.decided_by_id = moderator_id
    work.rejection_reason = None
    work.rejection_preset = None
    work.hidden = False
    search.index_work(work)
    audit.record(actions.APPROVE, moderator_id=moderator_id, work_id=work.id, subject=work.title)
    mail.tell_artist(work, mail.APPROVED, delay=_window(undo))


def reject(
    store: Store,
    work: Work,
    moderator_id: int,
    reason: str,
    action: str = actions.REJECT,
    *,
    preset: str | None = None,
    undo: int = 0,
) -> None:
    """Mark a locked pending or published work rejected; its files and its artist's
    details go after the commit, or once `undo` seconds have passed (finalize_due).

    A preset reason is kept by its key, so the artist reads it in their own language; the
    moderator's own words are kept as written."""
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("not-pending")
    work.status = WorkStatus.REJECTED
    work.rejection_preset = preset if preset in PRESET_REASONS else None
    work.rejection_reason = reason or None
    work.decided_at = utcnow()
    work.decided_by_id = moderator_id
    work.published_at = None
    search.drop_work(work.id)
    audit.record(
        action,
        moderator_id=moderator_id,
        work_id=work.id,
        subject=work.title,
        reason=compose_reason(preset, reason),
    )
    mail.tell_artist(
        work, mail.REJECTED, reason=reason, preset=work.rejection_preset, delay=_window(undo)
    )
    if undo > 0:
        work.finalize_after = work.decided_at + timedelta(seconds=undo)
    else:
        _forget_rejected(store, work)


def _forget_rejected(store: Store, work: Work) -> None:
    """What a rejection takes for good: the files (after the commit) and everything of the
    artist; the mail row, if any, already holds its own sealed copy."""
    delete_files_after_commit(store, [work.image_key])
    work.image_key = None
    work.renditions = None
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
            _forget_rejected(store, work)
            done += 1
    db.session.flush()
    return done


def _window(undo: int) -> timedelta | None:
    return timedelta(seconds=undo) if undo > 0 else None


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


def unpublish(
    store: Store, work: Work, moderator_id: int, reason: str, action: str = actions.UNPUBLISH
) -> None:
    """Take a locked published work off every public page and back into the queue; its
    files get a new address, so what caches kept of the old one is never served again."""
    if work.status != WorkStatus.APPROVED:
        raise NotAllowed("not-approved")
    new_media_address(store, work)
    work.status = WorkStatus.PENDING
    work.published_at = None
    work.decided_at = None
    work.decided_by_id = None
    work.hidden = False
    search.drop_work(work.id)
    audit.record(
        action, moderator_id=moderator_id, work_id=work.id, subject=work.title, reason=reason
    )
    mail.tell_artist(work, mail.UNPUBLISHED)


def _looked_at(store: Store, work_ids: Iterable[int]) -> None:
    """Run the face detector on those pending works it has not looked at yet, before
    they can be approved (each detection outside the write lock, then flushed)."""
    for work in db.session.scalars(
        select(Work).where(
            Work.id.in_(sorted(set(work_ids))),
            Work.status == WorkStatus.PENDING,
            Work.face_suggestions.is_(None),
        )
    ):
        suggest_faces(store, work)


def approve_work(store: Store, work_id: int, moderator_id: int, *, undo: int = 0) -> Work:
    """Publish a pending work now (see approve for what can refuse it)."""
    finalize_due(store)
    _looked_at(store, [work_id])
    begin_write()
    work = locked_work(work_id)
    approve(work, moderator_id, undo=undo)
    db.session.flush()
    return work


def reject_work(
    store: Store,
    work_id: int,
    moderator_id: int,
    reason: str | None,
    *,
    preset: str | None = None,
    undo: int = 0,
) -> Work:
    """Refuse a pending work with a reason the artist will see; its files go."""
    reason = require_reason(reason, preset)
    finalize_due(store)
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.PENDING:  # a published work is unpublished first
        raise NotAllowed("not-pending")
    reject(store, work, moderator_id, reason, preset=preset, undo=undo)
    db.session.flush()
    return work


@dataclass
class Bulk:
    """What a bulk decision did: the works decided, those no longer pending, and those
    left waiting for a moderator's look at what to cover."""

    done: list[int] = field(default_factory=list)
    skipped: int = 0
    cover_first: int = 0


def bulk_decide(
    store: Store,
    work_ids: Iterable[int],
    moderator_id: int,
    *,
    approve_them: bool,
    reason: str | None = None,
    preset: str | None = None,
    undo: int = 0,
) -> Bulk:
    """Approve or reject several pending works at once."""
    wanted = set(work_ids)
    finalize_due(store)
    if not approve_them:
        reason = require_reason(reason, preset)
    else:
        _looked_at(store, wanted)
    begin_write()
    outcome = Bulk()
    for work in locked_works(wanted):
        if work.status != WorkStatus.PENDING:
            continue
        if approve_them and _waits_for_cover(work):
            outcome.cover_first += 1
            continue
        if approve_them:
            approve(work, moderator_id, undo=undo)
        else:
            reject(store, work, moderator_id, reason or "", preset=preset, undo=undo)
        outcome.done.append(work.id)
    outcome.skipped = len(wanted) - len(outcome.done) - outcome.cover_first
    db.session.flush()
    return outcome


def unpublish_work(store: Store, work_id: int, moderator_id: int, reason: str | None) -> Work:
    """Take an approved work off every public page at once and back into the queue."""
    reason = require_reason(reason)
    begin_write()
    work = locked_work(work_id)
    unpublish(store, work, moderator_id, reason)
    db.session.flush()
    return work


def edit_work(
    work_id: int, moderator_id: int, *, title: str, alt_text: str, tag_names: Iterable[str]
) -> list[str]:
    """Fix a work's title, alt text and tags; returns the names of the fields changed."""
    begin_write()
    work = locked_work(work_id)
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("decided")
    changes = []
    if title != work.title:
        changes.append(f"title: {work.title!r} -> {title!r}")
        work.title = title
    if alt_text != work.alt_text:
        changes.append(f"alt text: {work.alt_text!r} -> {alt_text!r}")
        work.alt_text = alt_text
    old_tags = [t.name for t in work.tags]
    new_tags = tags_named(tag_names)
    if sorted(t.slug for t in new_tags) != sorted(t.slug for t in work.tags):
        changes.append(f"tags: {', '.join(old_tags)} -> {', '.join(t.name for t in new_tags)}")
        work.tags = new_tags
    if changes:
        search.index_work(work)  # a pending work stays out of the index
        audit.record(
            actions.EDIT,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=title,
            reason="\n".join(changes),
        )
    db.session.flush()
    return [c.split(":", 1)[0] for c in changes]


def set_print_leave(work_id: int, moderator_id: int, permitted: bool) -> Work:
    """Record or withdraw the artist's permission to print a pending or published work
    whose licence reserves every right (its posters and labels then say so)."""
    begin_write()
    work = locked_work(work_id)
    if work.licence != Licence.ALL_RIGHTS_RESERVED or work.status not in (
        WorkStatus.PENDING,
        WorkStatus.APPROVED,
    ):
        raise NotAllowed("no-leave-needed")
    if work.print_permitted != permitted:
        work.print_permitted = permitted
        audit.record(
            actions.PRINT_ALLOW if permitted else actions.PRINT_FORBID,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=work.title,
        )
    db.session.flush()
    return work
