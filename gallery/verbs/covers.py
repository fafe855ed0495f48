"""Covering what identifies someone: solid rectangles on a pending work's image, the face
detector's suggestions, and the artist's request for cover.

cover_work() fills the rectangles on the stored large image and derives every rendition
from it again (images.cover, in a child process: gallery/images/sandbox.py), writes them under a new storage key, points the work at it,
and deletes the old folder once that commits (the new one goes on a rollback): from the
commit on, no uncovered copy is left in the media store, and so none in a later backup.
The image work runs before the write lock is taken, as for a new submission; the row is
then locked and checked again, so a cover that raced another change is refused."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence

from ..core.database import begin_write
from ..core.errors import InvalidInput, NotFound
from ..core.i18n import N_
from ..extensions import db
from ..images import faces, sandbox
from ..media import Store
from ..models import ImageColumns, Work, WorkStatus, actions
from . import NotAllowed, audit
from .common import delete_files_after_commit, locked_work, publish_then_lock, renditions_json
from .work_images import image_number, image_of

log = logging.getLogger(__name__)

MAX_REGIONS = 50
MAX_TEXT = 20_000  # characters of JSON: 50 rectangles need about 2 000
Region = tuple[float, float, float, float]

NOT_READABLE = N_(
    "The rectangles could not be read. Write them as a list such as "
    "[[0.1, 0.2, 0.3, 0.4]]: x, y, width and height of each, as fractions of the image."
)
NO_REGION = N_("Draw at least one rectangle to cover.")
TOO_MANY = N_("At most %(max)s rectangles can be covered at once.")
BAD_REGION = N_(
    "Rectangle %(n)s must be four numbers between 0 and 1 (x, y, width and height), "
    "with a width and a height above 0, inside the image."
)


class BadRegions(InvalidInput):
    """Rectangles that cannot be covered: .template (translatable) and .params say why."""

    public = True


def parse_regions(text: str | None) -> list[Region]:
    """The rectangles of the `regions` field (JSON), checked; BadRegions otherwise."""
    if not text or len(text) > MAX_TEXT:
        raise BadRegions(NOT_READABLE if text else NO_REGION)
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise BadRegions(NOT_READABLE) from exc
    return check_regions(value)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number here")


def check_regions(value: object) -> list[Region]:
    """1 to MAX_REGIONS rectangles [x, y, width, height] of finite numbers, 0 <= x, y <= 1
    and 0 < width, height <= 1, each clipped to the image; BadRegions otherwise."""
    if not isinstance(value, list | tuple):
        raise BadRegions(NOT_READABLE)
    if not value:
        raise BadRegions(NO_REGION)
    if len(value) > MAX_REGIONS:
        raise BadRegions(TOO_MANY, max=str(MAX_REGIONS))
    return [_region(item, n) for n, item in enumerate(value, start=1)]


def _region(item: object, n: int) -> Region:
    numbers = (
        isinstance(item, list | tuple)
        and len(item) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
    )
    if not numbers:
        raise BadRegions(BAD_REGION, n=str(n))
    try:
        x, y, w, h = (float(v) for v in item)  # type: ignore[union-attr]
    except OverflowError as exc:  # an integer too large for a float
        raise BadRegions(BAD_REGION, n=str(n)) from exc
    finite = all(math.isfinite(v) for v in (x, y, w, h))
    if not (finite and 0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1):
        raise BadRegions(BAD_REGION, n=str(n))
    w, h = min(w, 1 - x), min(h, 1 - y)
    if w <= 0 or h <= 0:  # starts on the right or bottom edge: nothing of the image in it
        raise BadRegions(BAD_REGION, n=str(n))
    return x, y, w, h


def _file(image: ImageColumns, size: str) -> str | None:
    """The stored file of one size the pipeline makes losslessly or as JPEG (PNG with
    transparency, else JPEG), or None."""
    files = ((image.renditions or {}).get(size) or {}).get("files") or {}
    return files.get("png" if image.has_alpha else "jpeg")


def cover_work(
    store: Store,
    work_id: int,
    regions: Sequence[Sequence[float]],
    moderator_id: int | None,
    limits: sandbox.Limits | None = None,
    image_id: int | None = None,
) -> Work:
    """Fill the rectangles solid on one image of a pending work (image_id: one of its
    other images; None: its cover image), by a moderator (or, with None, by the artist
    from the receipt page); flushed, the caller commits.

    BadRegions for rectangles that do not make sense, NotFound for an unknown work or
    image, NotAllowed("not-pending") unless the work waits for review with its image, and
    NotAllowed("changed") if its image changed while this one was being made."""
    boxes = check_regions(list(regions))
    work = db.session.get(Work, work_id)
    if work is None:
        raise NotFound("no such work")
    image = image_of(work, image_id)
    large = _file(image, "large")
    if work.status != WorkStatus.PENDING or not image.image_key or large is None:
        raise NotAllowed("not-pending")
    old_key = image.image_key
    original = store.read(old_key, large)
    if original is None:
        raise NotAllowed("not-pending")  # its files are gone (fsck reports it)
    processed = sandbox.cover(
        original,
        boxes,
        has_alpha=image.has_alpha,  # no lock held
        limits=limits or sandbox.default_limits(),
    )
    # The detector looks at the covered image at once (no page has to do it later).
    display = next(
        (
            r.data
            for r in processed.renditions
            if r.size == "display" and r.format == ("png" if image.has_alpha else "jpeg")
        ),
        None,
    )
    found = faces.suggest(display, limits=limits) if faces.available() else None
    new_key = publish_then_lock(store, processed)
    work = locked_work(work_id)
    image = image_of(work, image_id)
    if work.status != WorkStatus.PENDING or image.image_key != old_key:
        raise NotAllowed("changed")
    delete_files_after_commit(store, [old_key])
    image.image_key = new_key
    image.renditions = renditions_json(processed)
    image.image_sha256 = processed.sha256
    image.image_bytes = sum(len(r.data) for r in processed.renditions if r.size == "large")
    image.covered_regions = (image.covered_regions or 0) + len(boxes)
    image.face_suggestions = found
    # A moderator who covered has looked at what to cover; if the detector still sees a
    # face on the covered image, a moderator must cover it or say it stays.
    image.cover_checked_key = new_key if moderator_id is not None and not found else None
    count = f"{len(boxes)} region{'' if len(boxes) == 1 else 's'}"
    if work.images:
        count += f" on image {image_number(work, image)}"
    audit.record(
        actions.COVER,
        moderator_id=moderator_id,
        work_id=work.id,
        subject=work.title,
        reason=count if moderator_id is not None else f"{count}, by the artist",
    )
    db.session.flush()
    log.info("work %s: %d region(s) covered", work.public_id, len(boxes))
    return work


def suggest_faces(store: Store, work: Work, limits: sandbox.Limits | None = None) -> None:
    """Run the face detector once on each image of a pending work that has no suggestions
    yet, and keep what it finds (flushed; the caller commits).  The detector runs before
    the write lock is taken; if an image changed meanwhile, nothing is kept for it.
    Without OpenCV (the extra gallery[faces]) nothing is written: the work keeps no
    suggestion, and can be approved."""
    if work.status != WorkStatus.PENDING or not faces.available():
        return
    work_id = work.id
    found: dict[str, list] = {}
    for image in work.all_images:
        display = _file(image, "display")
        if image.face_suggestions is not None or not display or not image.image_key:
            continue
        key = image.image_key
        found[key] = faces.suggest(store.read(key, display), limits=limits)
    if not found:
        return
    begin_write()
    work = locked_work(work_id)
    if work.status == WorkStatus.PENDING:
        for image in work.all_images:
            if image.image_key in found and image.face_suggestions is None:
                image.face_suggestions = found[image.image_key]
    db.session.flush()


def nothing_to_cover(work_id: int, moderator_id: int) -> Work:
    """A moderator looked at a pending work's images as they are now and found nothing
    (more) to cover: it can be approved even though its artist asked for covering or the face
    detector suggests faces (flushed; the caller commits)."""
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.PENDING or not work.image_key:
        raise NotAllowed("not-pending")
    unchecked = [i for i in work.all_images if i.cover_checked_key != i.image_key]
    if unchecked:
        for image in unchecked:  # the moderator's page shows every image of the work
            image.cover_checked_key = image.image_key
        suggested = sum(len(i.face_suggestions or []) for i in work.all_images)
        audit.record(
            actions.COVER_CHECKED,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=work.title,
            reason=f"nothing to cover; {suggested} suggestion(s) left as they are",
        )
    db.session.flush()
    return work


def request_cover(work_id: int) -> Work:
    """The artist asks the moderators to cover faces and other identifying details of
    their pending work (from the receipt page); flushed, the caller commits."""
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.PENDING:
        raise NotAllowed("not-pending")
    if not work.cover_requested:
        work.cover_requested = True
        work.cover_checked_key = None  # a moderator's "nothing to cover" came before this
        audit.record(
            actions.COVER_REQUEST, work_id=work.id, subject=work.title, reason="asked by the artist"
        )
    db.session.flush()
    return work
