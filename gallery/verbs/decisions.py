"""Moderators' decisions on pending works: approve or reject, one work or several at once.

Rejection forgets a work's image (image_key and renditions become None; the row, its image
facts and its sha256 stay for the record) and deletes the files once that commits, or once
the decision's undo window has passed (undoing.py). Unpublishing a published work is in
unpublishing.py, corrections of its title, alt text, tags and print leave in editing.py.

Approve, reject and unpublish (every path: one work, several, a report's outcome) each
queue the artist's e-mail in the same transaction when they asked for one
(mail.tell_artist); it goes out after the commit.

A work is approved only once the face detector has looked at it, and, when its artist asked
for covering or the detector suggests faces, once a moderator has covered it or recorded
that there is nothing to cover on the image as it is now (Work.cover_decision_needed):
refused with NotAllowed("cover-first") otherwise, alone or in a bulk approval.

A moderator approves what they saw: the approve forms carry the work's review_fingerprint
as the page showed it, and approval is refused with NotAllowed("changed") when the work's
words, tags, warning or image changed since (the artist edits a pending work from the
receipt; another moderator may fix it). A bulk approval leaves such works waiting and
counts them. Callers without a page (the CLI, tests) pass seen=None: nothing to compare."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select

from .. import federation, mail, search
from ..core.database import begin_write
from ..extensions import db
from ..images import faces
from ..media import Store
from ..models import Work, WorkImage, WorkStatus, actions, utcnow
from ..models.labels import PRESET_REASONS
from . import NotAllowed, audit
from .common import locked_work, locked_works, require_reason
from .covers import suggest_faces
from .undoing import finalize_due, forget_rejected, mail_delay


def compose_reason(preset: str | None, text: str | None) -> str | None:
    """The reason the artist sees: a preset sentence and/or the moderator's words."""
    parts = []
    if preset and preset in PRESET_REASONS:
        parts.append(str(PRESET_REASONS[preset]))
    if text and text.strip():
        parts.append(text.strip())
    return "\n\n".join(parts) or None


def _waits_for_cover(work: Work) -> bool:
    """Whether a pending work must wait: the detector has not looked at it (approve_work
    has it look first; without OpenCV it never will, and nothing waits for it), or a
    moderator must still cover it or say nothing needs it."""
    unseen = any(i.face_suggestions is None for i in work.all_images)
    return (unseen and faces.available()) or work.cover_decision_needed


def approve(work: Work, moderator_id: int, *, undo: int = 0, seen: str | None = None) -> None:
    """Publish a locked pending work now; NotAllowed("cover-first") while it waits for a
    moderator's look at what to cover (or for the face detector), NotAllowed("changed")
    when `seen` (the review_fingerprint the moderator's page showed) is no longer the
    work's."""
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("not-pending")
    if seen is not None and seen != work.review_fingerprint:
        raise NotAllowed("changed")
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
    mail.tell_artist(work, mail.APPROVED, delay=mail_delay(undo))
    federation.schedule(work)


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
    if work.status == WorkStatus.APPROVED:
        federation.retract(work)  # a published work rejected after a report
    work.status = WorkStatus.REJECTED
    work.postcard_safe = False  # a published work rejected after a report is no postcard
    work.postcard_safe_at = None
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
        work, mail.REJECTED, reason=reason, preset=work.rejection_preset, delay=mail_delay(undo)
    )
    if undo > 0:
        work.finalize_after = work.decided_at + timedelta(seconds=undo)
    else:
        forget_rejected(store, work)


def _looked_at(store: Store, work_ids: Iterable[int]) -> None:
    """Run the face detector on those pending works (on each of their images) it has not
    looked at yet, before they can be approved (each detection outside the write lock,
    then flushed)."""
    for work in db.session.scalars(
        select(Work).where(
            Work.id.in_(sorted(set(work_ids))),
            Work.status == WorkStatus.PENDING,
            or_(
                Work.face_suggestions.is_(None),
                Work.images.any(WorkImage.face_suggestions.is_(None)),
            ),
        )
    ):
        suggest_faces(store, work)


def approve_work(
    store: Store, work_id: int, moderator_id: int, *, undo: int = 0, seen: str | None = None
) -> Work:
    """Publish a pending work now (see approve for what can refuse it)."""
    finalize_due(store)
    _looked_at(store, [work_id])
    begin_write()
    work = locked_work(work_id)
    approve(work, moderator_id, undo=undo, seen=seen)
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
    """What a bulk decision did: the works decided, those no longer pending, those left
    waiting for a moderator's look at what to cover, and those changed since the page
    the moderator approved from."""

    done: list[int] = field(default_factory=list)
    skipped: int = 0
    cover_first: int = 0
    changed: int = 0


def bulk_decide(
    store: Store,
    work_ids: Iterable[int],
    moderator_id: int,
    *,
    approve_them: bool,
    reason: str | None = None,
    preset: str | None = None,
    undo: int = 0,
    seen: Mapping[int, str] | None = None,
) -> Bulk:
    """Approve or reject several pending works at once. `seen`: when approving, each
    work's review_fingerprint as the moderator's page showed it (a work missing from it,
    or changed since, is left waiting and counted in `changed`); None: nothing to compare."""
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
        if approve_them and seen is not None and seen.get(work.id) != work.review_fingerprint:
            outcome.changed += 1
            continue
        if approve_them and _waits_for_cover(work):
            outcome.cover_first += 1
            continue
        if approve_them:
            approve(work, moderator_id, undo=undo)
        else:
            reject(store, work, moderator_id, reason or "", preset=preset, undo=undo)
        outcome.done.append(work.id)
    outcome.skipped = len(wanted) - len(outcome.done) - outcome.cover_first - outcome.changed
    db.session.flush()
    return outcome
