"""Moderators' verbs on works and reports. Each takes the write lock first, appends its
ModerationEvent(s) in the same transaction, commits once, and only then deletes files.

Rejection deletes a work's image files and sets image_key and renditions to None (the
row, its image facts and its sha256 stay for the record). Unpublishing keeps the files
and returns the work to the queue as pending, where it can be approved or rejected again.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import begin_write
from ..extensions import db
from ..models import Report, ReportCategory, Work, WorkStatus, utcnow
from ..services import NotAllowed, tags_named
from ..storage import MediaStore
from . import audit

log = logging.getLogger(__name__)

# Reasons offered in a select; the artist sees the sentence (plus any free text).
PRESET_REASONS = {
    "unrelated": _l("The work is not related to political prisoners or to the campaign chosen."),
    "at-risk": _l("The work could identify a person at risk."),
    "not-own": _l("We could not confirm that the work is your own."),
    "unreadable": _l("The image is unreadable or too small to show."),
    "offensive": _l("The work contains hateful or offensive content."),
    "copyright": _l("The work seems to use someone else's work without permission."),
}
REPORT_ACTIONS = ("dismiss", "unpublish", "reject")


def compose_reason(preset: str | None, text: str | None) -> str | None:
    """The reason the artist sees: a preset sentence and/or the moderator's words."""
    parts = []
    if preset and preset in PRESET_REASONS:
        parts.append(str(PRESET_REASONS[preset]))
    if text and text.strip():
        parts.append(text.strip())
    return "\n\n".join(parts) or None


def _locked_works(work_ids: Iterable[int]) -> list[Work]:
    ids = sorted(set(work_ids))
    stmt = select(Work).where(Work.id.in_(ids)).order_by(Work.id).with_for_update()
    return list(db.session.scalars(stmt))


def _locked_work(work_id: int) -> Work:
    found = _locked_works([work_id])
    if not found:
        db.session.rollback()
        raise LookupError("no such work")
    return found[0]


def _approve(work: Work, moderator_id: int) -> None:
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("not-pending")
    now = utcnow()
    work.status = WorkStatus.APPROVED
    work.decided_at = now
    work.published_at = now
    work.decided_by_id = moderator_id
    work.rejection_reason = None
    work.hidden = False
    audit.record(audit.APPROVE, moderator_id=moderator_id, work_id=work.id, subject=work.title)


def _reject(work: Work, moderator_id: int, reason: str, action: str = audit.REJECT) -> str | None:
    """Mark rejected and forget the files; returns the key whose files to delete."""
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("not-pending")
    key = work.image_key
    work.status = WorkStatus.REJECTED
    work.rejection_reason = reason
    work.decided_at = utcnow()
    work.decided_by_id = moderator_id
    work.published_at = None
    work.image_key = None
    work.renditions = None
    audit.record(action, moderator_id=moderator_id, work_id=work.id, subject=work.title, reason=reason)
    return key


def _unpublish(work: Work, moderator_id: int, reason: str, action: str = audit.UNPUBLISH) -> None:
    if work.status != WorkStatus.APPROVED:
        raise NotAllowed("not-approved")
    work.status = WorkStatus.PENDING
    work.published_at = None
    work.decided_at = None
    work.decided_by_id = None
    work.hidden = False
    audit.record(action, moderator_id=moderator_id, work_id=work.id, subject=work.title, reason=reason)


def _delete_files(store: MediaStore, keys: Iterable[str | None]) -> None:
    for key in keys:
        if key:
            store.delete(key)


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise NotAllowed("reason-required")
    return reason.strip()


def approve_work(work_id: int, moderator_id: int) -> Work:
    """Publish a pending work now."""
    begin_write()
    work = _locked_work(work_id)
    try:
        _approve(work, moderator_id)
    except NotAllowed:
        db.session.rollback()
        raise
    db.session.commit()
    return work


def reject_work(store: MediaStore, work_id: int, moderator_id: int, reason: str | None) -> Work:
    """Refuse a pending work with a reason the artist will see; delete its files."""
    reason = _require_reason(reason)
    begin_write()
    work = _locked_work(work_id)
    if work.status != WorkStatus.PENDING:  # a published work is unpublished first
        db.session.rollback()
        raise NotAllowed("not-pending")
    key = _reject(work, moderator_id, reason)
    db.session.commit()
    _delete_files(store, [key])
    return work


def bulk_decide(
    store: MediaStore, work_ids: Iterable[int], moderator_id: int, *, approve: bool,
    reason: str | None = None,
) -> tuple[int, int]:  # fmt: skip
    """Approve or reject several pending works at once; returns (done, skipped)."""
    if not approve:
        reason = _require_reason(reason)
    begin_write()
    works = _locked_works(work_ids)
    keys: list[str | None] = []
    done = 0
    for work in works:
        if work.status != WorkStatus.PENDING:
            continue
        if approve:
            _approve(work, moderator_id)
        else:
            keys.append(_reject(work, moderator_id, reason or ""))
        done += 1
    db.session.commit()
    _delete_files(store, keys)
    return done, len(set(work_ids)) - done


def unpublish_work(work_id: int, moderator_id: int, reason: str | None) -> Work:
    """Take an approved work off every public page at once and back into the queue."""
    reason = _require_reason(reason)
    begin_write()
    work = _locked_work(work_id)
    try:
        _unpublish(work, moderator_id, reason)
    except NotAllowed:
        db.session.rollback()
        raise
    db.session.commit()
    return work


def edit_work(
    work_id: int, moderator_id: int, *, title: str, alt_text: str, tag_names: Iterable[str]
) -> list[str]:
    """Fix a work's title, alt text and tags; returns the names of the fields changed."""
    begin_write()
    work = _locked_work(work_id)
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        db.session.rollback()
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
    if not changes:
        db.session.rollback()
        return []
    audit.record(audit.EDIT, moderator_id=moderator_id, work_id=work.id, subject=title,
                 reason="\n".join(changes))  # fmt: skip
    db.session.commit()
    return [c.split(":", 1)[0] for c in changes]


def file_report(work_id: int, category: ReportCategory, text: str | None) -> Report:
    """A visitor's report; "identifies a person at risk" hides the work at once."""
    begin_write()
    work = _locked_work(work_id)
    if work.status != WorkStatus.APPROVED:
        db.session.rollback()
        raise NotAllowed("not-public")
    report = Report(work_id=work.id, category=category, text=(text or "").strip() or None)
    db.session.add(report)
    if category == ReportCategory.PERSON_AT_RISK and not work.hidden:
        work.hidden = True
        audit.record(audit.AUTO_HIDE, work_id=work.id, subject=work.title,
                     reason="a visitor reported that the work identifies a person at risk")  # fmt: skip
    db.session.commit()
    return report


def handle_report(
    store: MediaStore, report_id: int, moderator_id: int, action: str, note: str | None
) -> Report:
    """Close a report: keep the work (unhiding it), unpublish it, or reject it.

    Unpublishing or rejecting closes every open report on that work, since the work
    has left the gallery."""
    if action not in REPORT_ACTIONS:
        raise NotAllowed("action")
    if action != "dismiss":
        note = _require_reason(note)
    begin_write()
    report = db.session.get(Report, report_id, with_for_update=True)
    if report is None or report.handled_at is not None:
        db.session.rollback()
        raise NotAllowed("handled")
    work = _locked_work(report.work_id)
    key = None
    if action == "dismiss":
        audit.record(audit.REPORT_DISMISS, moderator_id=moderator_id, work_id=work.id,
                     subject=f"{report.category.value}: {work.title}", reason=note)  # fmt: skip
        closing = [report]
    elif action == "unpublish":
        _unpublish(work, moderator_id, note or "", audit.REPORT_UNPUBLISH)
        closing = [r for r in work.reports if r.handled_at is None]
    else:
        key = _reject(work, moderator_id, note or "", audit.REPORT_REJECT)
        closing = [r for r in work.reports if r.handled_at is None]
    now = utcnow()
    for r in closing:
        r.handled_at, r.handled_by_id, r.resolution = now, moderator_id, f"{action}: {note or ''}".strip()
    db.session.flush()
    if action == "dismiss" and work.hidden and not _open_at_risk(work.id):
        work.hidden = False
    db.session.commit()
    _delete_files(store, [key])
    return report


def _open_at_risk(work_id: int) -> bool:
    stmt = select(Report.id).where(
        Report.work_id == work_id,
        Report.handled_at.is_(None),
        Report.category == ReportCategory.PERSON_AT_RISK,
    )
    return db.session.scalar(stmt.limit(1)) is not None
