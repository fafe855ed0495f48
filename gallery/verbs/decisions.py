"""Moderators' decisions on works: approve, reject, unpublish, edit, and several at once.

Rejection forgets a work's image (image_key and renditions become None; the row, its image
facts and its sha256 stay for the record) and deletes the files once that commits.
Unpublishing keeps the files and returns the work to the queue as pending, where it can be
approved or rejected again.

The moderators also give (or withdraw) leave to print a work whose licence reserves
every right (set_print_leave); other licences allow printing as they are.

Approve, reject and unpublish (every path: one work, several, a report's outcome) each
queue the artist's e-mail in the same transaction when they asked for one
(mail.tell_artist); it goes out after the commit."""
from __future__ import annotations

from collections.abc import Iterable

from .. import audit, mail, search
from ..database import begin_write
from ..extensions import db
from ..labels import PRESET_REASONS
from ..models import Licence, Work, WorkStatus, utcnow
from ..storage import Store
from . import NotAllowed
from .common import (
    delete_files_after_commit,
    forget_artist,
    locked_work,
    locked_works,
    new_media_address,
    require_reason,
    tags_named,
)


def compose_reason(preset: str | None, text: str | None) -> str | None:
    """The reason the artist sees: a preset sentence and/or the moderator's words."""
    parts = []
    if preset and preset in PRESET_REASONS:
        parts.append(str(PRESET_REASONS[preset]))
    if text and text.strip():
        parts.append(text.strip())
    return "\n\n".join(parts) or None


def approve(work: Work, moderator_id: int) -> None:
    """Publish a locked pending work now."""
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("not-pending")
    now = utcnow()
    work.status = WorkStatus.APPROVED
    work.decided_at = now
    work.published_at = now
    work.decided_by_id = moderator_id
    work.rejection_reason = None
    work.rejection_preset = None
    work.hidden = False
    search.index_work(work)
    audit.record(audit.APPROVE, moderator_id=moderator_id, work_id=work.id, subject=work.title)
    mail.tell_artist(work, mail.APPROVED)


def reject(store: Store, work: Work, moderator_id: int, reason: str,
           action: str = audit.REJECT, *, preset: str | None = None) -> None:  # fmt: skip
    """Mark a locked pending or published work rejected; its files go after the commit.

    A preset reason is kept by its key, so the artist reads it in their own language; the
    moderator's own words are kept as written."""
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("not-pending")
    delete_files_after_commit(store, [work.image_key])
    work.status = WorkStatus.REJECTED
    work.rejection_preset = preset if preset in PRESET_REASONS else None
    work.rejection_reason = reason or None
    work.decided_at = utcnow()
    work.decided_by_id = moderator_id
    work.published_at = None
    work.image_key = None
    work.renditions = None
    search.drop_work(work.id)
    audit.record(action, moderator_id=moderator_id, work_id=work.id, subject=work.title,
                 reason=compose_reason(preset, reason))  # fmt: skip
    mail.tell_artist(work, mail.REJECTED, reason=reason, preset=work.rejection_preset)
    forget_artist(work, keep_phash=True)  # after the mail row took its sealed copy


def unpublish(store: Store, work: Work, moderator_id: int, reason: str,
              action: str = audit.UNPUBLISH) -> None:  # fmt: skip
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
    audit.record(action, moderator_id=moderator_id, work_id=work.id, subject=work.title, reason=reason)
    mail.tell_artist(work, mail.UNPUBLISHED)


def approve_work(work_id: int, moderator_id: int) -> Work:
    """Publish a pending work now."""
    begin_write()
    work = locked_work(work_id)
    approve(work, moderator_id)
    db.session.flush()
    return work


def reject_work(store: Store, work_id: int, moderator_id: int, reason: str | None,
                *, preset: str | None = None) -> Work:  # fmt: skip
    """Refuse a pending work with a reason the artist will see; its files go."""
    reason = require_reason(reason, preset)
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.PENDING:  # a published work is unpublished first
        raise NotAllowed("not-pending")
    reject(store, work, moderator_id, reason, preset=preset)
    db.session.flush()
    return work


def bulk_decide(
    store: Store, work_ids: Iterable[int], moderator_id: int, *, approve_them: bool,
    reason: str | None = None, preset: str | None = None,
) -> tuple[int, int]:  # fmt: skip
    """Approve or reject several pending works at once; returns (done, skipped)."""
    wanted = set(work_ids)
    if not approve_them:
        reason = require_reason(reason, preset)
    begin_write()
    done = 0
    for work in locked_works(wanted):
        if work.status != WorkStatus.PENDING:
            continue
        if approve_them:
            approve(work, moderator_id)
        else:
            reject(store, work, moderator_id, reason or "", preset=preset)
        done += 1
    db.session.flush()
    return done, len(wanted) - done


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
        audit.record(audit.EDIT, moderator_id=moderator_id, work_id=work.id, subject=title,
                     reason="\n".join(changes))  # fmt: skip
    db.session.flush()
    return [c.split(":", 1)[0] for c in changes]


def set_print_leave(work_id: int, moderator_id: int, permitted: bool) -> Work:
    """Give or withdraw the moderators' leave to print a pending or published work whose
    licence reserves every right (its posters and labels then say so)."""
    begin_write()
    work = locked_work(work_id)
    if work.licence != Licence.ALL_RIGHTS_RESERVED or work.status not in (
        WorkStatus.PENDING, WorkStatus.APPROVED
    ):
        raise NotAllowed("no-leave-needed")
    if work.print_permitted != permitted:
        work.print_permitted = permitted
        audit.record(audit.PRINT_ALLOW if permitted else audit.PRINT_FORBID,
                     moderator_id=moderator_id, work_id=work.id, subject=work.title)  # fmt: skip
    db.session.flush()
    return work
