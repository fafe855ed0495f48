"""A work's several images: the cover image is the work's own image columns, the others are
WorkImage rows (up to MAX_WORK_IMAGES in all). While a work waits for review, its artist
(from the private link) adds and removes images, fixes their alt texts and chooses the
cover image; a moderator may choose the cover image too. Each change is audited, and the
work keeps its place in the queue (submitted_at does not change)."""

from __future__ import annotations

import logging
from typing import BinaryIO

from .. import federation, search
from ..core.database import begin_write
from ..core.errors import NotFound
from ..extensions import db
from ..images import sandbox
from ..media import Store
from ..models import ImageColumns, Work, WorkImage, WorkStatus, actions
from . import NotAllowed, audit
from .common import (
    delete_files_after_commit,
    editable_work,
    image_columns,
    locked_work,
    publish_then_lock,
)

log = logging.getLogger(__name__)

BY_ARTIST = "by the artist, through the private link"


def image_of(work: Work, image_id: int | None) -> ImageColumns:
    """The work itself (its cover image) for None, else its image of that id; NotFound
    for an image of another work or none."""
    if image_id is None:
        return work
    found = next((i for i in work.images if i.id == image_id), None)
    if found is None:
        raise NotFound("no such image")
    return found


def image_number(work: Work, image: ImageColumns) -> int:
    """The image's place among the work's images as people count them (the cover is 1)."""
    return next(n for n, i in enumerate(work.all_images, start=1) if i is image)


def _pending(work_id: int) -> Work:
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("decided")
    return work


def _by(moderator_id: int | None) -> list[str]:
    return [BY_ARTIST] if moderator_id is None else []


def _record(action: str, work: Work, moderator_id: int | None, what: str) -> None:
    """Audit a change to a work's images, saying whose it was (flushed)."""
    audit.record(
        action,
        moderator_id=moderator_id,
        work_id=work.id,
        subject=work.title,
        reason="\n".join([what, *_by(moderator_id)]),
    )
    db.session.flush()


def add_work_image(
    store: Store,
    work_id: int,
    image: BinaryIO,
    alt_text: str,
    *,
    max_images: int,
    max_pixels: int = 40_000_000,
    limits: sandbox.Limits | None = None,
    audited: bool = True,
) -> WorkImage:
    """Clean and store one more image of a pending work, after its others (flushed; the
    caller commits). Its files are in place before its row, and go if the transaction
    does not commit, as a new work's do. audited: False while the work itself is being
    submitted (the submission is the record), True from the private link.

    NotAllowed("decided") once the work is no longer pending, NotAllowed("too-many") when
    it has max_images images already."""
    processed = sandbox.process(  # no lock held while decoding
        image, max_pixels=max_pixels, limits=limits or sandbox.default_limits()
    )
    key = publish_then_lock(store, processed)
    work = _pending(work_id)
    if len(work.all_images) >= max_images:
        raise NotAllowed("too-many")
    position = max((i.position for i in work.images), default=0) + 1
    added = WorkImage(position=position, alt_text=alt_text, **image_columns(key, processed))
    work.images.append(added)
    if audited:
        _record(actions.IMAGE_ADD, work, None, f"image {len(work.all_images)}")
    db.session.flush()
    log.info(
        "work %s: image added (%s, %dx%d)",
        work.public_id,
        added.image_format,
        added.width,
        added.height,
    )
    return added


def remove_work_image(
    store: Store, work_id: int, image_id: int | None, moderator_id: int | None = None
) -> Work:
    """Remove one image of a pending work (None: its cover image, whose place the next
    image takes); its files go once this commits. NotAllowed("last-image") for a work's
    only image: withdrawing is the way to take that back."""
    work = _pending(work_id)
    target = image_of(work, image_id)
    if not work.images:
        raise NotAllowed("last-image")
    number = image_number(work, target)
    detail = f"image {number}"
    if target is work:  # the next image becomes the cover, then goes from the list
        target = work.images[0]
        _swap(work, target)
        detail += _forget_alt_texts(work)
    delete_files_after_commit(store, [target.image_key])
    work.images.remove(target)  # delete-orphan: the row goes at the flush
    _record(actions.IMAGE_REMOVE, work, moderator_id, detail)
    return work


def set_image_alt(
    work_id: int, image_id: int | None, alt_text: str, moderator_id: int | None = None
) -> bool:
    """Fix the alt text of one of a pending work's images (None: the cover's); whether
    it changed. Audited as an edit."""
    work = _pending(work_id)
    target = image_of(work, image_id)
    if target.alt_text == alt_text:  # type: ignore[attr-defined]
        return False
    number = image_number(work, target)
    old = target.alt_text  # type: ignore[attr-defined]
    target.alt_text = alt_text  # type: ignore[attr-defined]
    _record(
        actions.EDIT, work, moderator_id, f"alt text of image {number}: {old!r} -> {alt_text!r}"
    )
    return True


def choose_cover_image(work_id: int, image_id: int, moderator_id: int | None = None) -> Work:
    """Make one of a work's other images its cover image (the one grids, previews, the
    feed and prints show): its image columns and alt text change places with the work's,
    and the work's alt texts in other languages (WorkText) are removed.  The artist
    (moderator_id None) while the work is pending; a moderator while it is pending or
    published."""
    work = editable_work(work_id, moderator_id)
    target = image_of(work, image_id)
    if target is work:
        return work
    number = image_number(work, target)
    _swap(work, target)
    detail = f"image {number}" + _forget_alt_texts(work)
    if work.status == WorkStatus.APPROVED:
        search.index_work(work)
        if not work.hidden:
            db.session.flush()
            federation.revise(work)  # an Update of its Note, if it was announced
    _record(actions.COVER_IMAGE, work, moderator_id, detail)
    return work


def _forget_alt_texts(work: Work) -> str:
    """Remove the work's alt texts in other languages (WorkText), which described the
    cover image it had until now: a reader of those languages gets the new cover's own
    alt text (with the usual note) until they are written again, never a description of
    another picture.  Returns what the audit line adds ("" when there were none)."""
    dropped = sorted(text.locale for text in work.texts if text.alt_text)
    for text in work.texts:
        text.alt_text = None
    if not dropped:
        return ""
    return f"; its alt text in {', '.join(dropped)} described the old cover: removed"


def _swap(work: Work, other: WorkImage) -> None:
    """Exchange the image columns and alt texts of the work (its cover) and another image.
    The keys are unique in each table only, so the rows change in one flush."""
    for name in (*ImageColumns.IMAGE_COLUMNS, "alt_text"):
        mine, theirs = getattr(work, name), getattr(other, name)
        setattr(work, name, theirs)
        setattr(other, name, mine)
