"""Pieces several verbs share: locked rows, tags, renditions, and files that go once a change
commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select, update

from ..core.database import after_commit, after_rollback, begin_write
from ..core.errors import NotFound
from ..core.text import slugify
from ..extensions import db
from ..images import ProcessedImage
from ..media import Store
from ..models import ModerationEvent, Tag, Work, WorkStatus
from . import NotAllowed, audit

log = logging.getLogger(__name__)

TAG_SLUG_LENGTH = 60


def locked_works(work_ids: Iterable[int]) -> list[Work]:
    """These works, locked for update, in id order (so two writers never deadlock)."""
    ids = sorted(set(work_ids))
    stmt = select(Work).where(Work.id.in_(ids)).order_by(Work.id).with_for_update()
    return list(db.session.scalars(stmt))


def locked_work(work_id: int) -> Work:
    """One work, locked for update; NotFound if there is none."""
    found = locked_works([work_id])
    if not found:
        raise NotFound("no such work")
    return found[0]


def editable_work(work_id: int, moderator_id: int | None) -> Work:
    """One work, locked for a change (a write transaction begun): by its artist (no
    moderator) only while it waits for review, by a moderator while it waits or is
    published; NotAllowed("decided") otherwise."""
    begin_write()
    work = locked_work(work_id)
    allowed = (
        (WorkStatus.PENDING,) if moderator_id is None else (WorkStatus.PENDING, WorkStatus.APPROVED)
    )
    if work.status not in allowed:
        raise NotAllowed("decided")
    return work


def require_reason(reason: str | None, preset: str | None = None) -> str:
    """The moderator's words, trimmed ("" when a preset reason says it all);
    NotAllowed("reason-required") when there is neither."""
    text = (reason or "").strip()
    if not text and not preset:
        raise NotAllowed("reason-required")
    return text


def tag_slug(name: str) -> str:
    """The slug a tag name files under ("" when it has no letters or digits at all)."""
    return slugify(name, max_length=TAG_SLUG_LENGTH)


def tags_named(names: Iterable[str]) -> list[Tag]:
    """Tags for the given names (one per slug), created when new; names without a slug
    are skipped (the forms refuse them first, with a message)."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:TAG_SLUG_LENGTH]
        slug = tag_slug(name)
        if slug and slug not in wanted:
            wanted[slug] = name
    if not wanted:
        return []
    found = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    for slug, name in wanted.items():
        if slug not in found:
            found[slug] = Tag(slug=slug, name=name)
            db.session.add(found[slug])
    return [found[slug] for slug in wanted]


def renditions_json(processed: ProcessedImage) -> dict[str, dict]:
    """Work.renditions for a processed image: {size: {width, height, files: {format: name}}}."""
    out: dict[str, dict] = {}
    for r in processed.renditions:
        entry = out.setdefault(r.size, {"width": r.width, "height": r.height, "files": {}})
        entry["files"][r.format] = r.filename
    return out


def image_columns(key: str, processed: ProcessedImage) -> dict[str, object]:
    """The image columns (models.ImageColumns) of a processed image stored under key."""
    return {
        "phash": processed.phash,
        "image_key": key,
        "image_format": processed.source_format,
        "width": processed.width,
        "height": processed.height,
        "image_bytes": sum(len(r.data) for r in processed.renditions if r.size == "large"),
        "image_sha256": processed.sha256,
        "has_alpha": processed.has_alpha,
        "renditions": renditions_json(processed),
    }


def drop_images(store: Store, work: Work) -> None:
    """A rejected or withdrawn work's images: every file goes once this commits, the other
    images' rows go now, and the cover image's key and renditions are cleared."""
    delete_files_after_commit(store, work.image_keys)
    work.images.clear()  # delete-orphan: their rows go at the flush
    work.image_key = None
    work.renditions = None


def publish_then_lock(store: Store, processed: ProcessedImage) -> str:
    """Store an image's renditions under a new key, then take the write lock; the files go
    again if the lock cannot be had or the transaction does not commit.  Returns the key.

    The image work is done before, with no lock held; the caller re-reads what it changes."""
    key = store.publish({r.filename: r.data for r in processed.renditions})
    try:
        begin_write()
    except BaseException:
        store.delete(key)
        raise
    after_rollback(lambda: store.delete(key))
    return key


def delete_files_after_commit(store: Store, keys: Iterable[str | None]) -> None:
    """Delete these works' folders once the transaction has committed, not before."""
    for key in keys:
        if key:
            after_commit(lambda key=key: store.delete(key))


def forget_artist(work: Work, *, keep_phash: bool) -> None:
    """Clear everything of a rejected or withdrawn work that could say who sent what: the
    texts, the name shown, the e-mail, the image's hashes and facts, the suggestions, and
    the title its audit events quote and the texts its edit events recorded (they keep
    which fields changed).  What the record needs stays: status, dates, reason, moderator,
    licence and the prisoners it stood with (README "What is kept").

    keep_phash: a rejected work keeps its 64-bit perceptual hash until it is purged, so a
    resubmission is recognised; it cannot rebuild the picture."""
    work.title = ""
    work.alt_text = ""
    work.description = work.description_html = None
    work.texts.clear()  # the same texts in other languages
    work.display_name = None
    work.contact_email = None
    work.text_locale = None
    work.notify_token = work.notify_locale = None
    work.image_sha256 = None
    work.image_bytes = work.width = work.height = None
    work.image_format = None
    work.face_suggestions = None
    if not keep_phash:
        work.phash = None
    db.session.execute(
        update(ModerationEvent).where(ModerationEvent.work_id == work.id).values(subject=None)
    )
    audit.forget_edit_texts([work.id])


def new_media_address(store: Store, work: Work) -> bool:
    """Give a work's files (those of each of its images) a new key (a takedown: unpublish,
    a "person at risk" report), so every URL a browser, proxy or CDN may have kept answers
    404 from now on; moved back if the transaction does not commit.  Returns whether they
    all moved.

    Fails closed: when the store cannot be reached, the takedown still commits (the app
    answers 404 for a work that is not public, at any address) and the work is marked
    media_move_pending, for `flask move-media` (move_pending_media) or its next takedown."""
    work_id = work.id
    old_keys: list[str] = []
    moved = True
    for image in work.all_images:
        old = image.image_key
        if not old:
            continue
        try:
            new = store.rekey(old)
        except FileNotFoundError:
            log.warning(
                "media of work %s are missing from the store: nothing to move (flask fsck)",
                work_id,
            )
            continue
        except OSError as exc:
            moved = False
            why = exc.strerror or type(exc).__name__  # the store's words: no data, no credential
            after_commit(
                lambda why=why: log.warning(
                    "media of work %s could not move after a takedown (%s): the work is not "
                    "public; run `flask move-media` once the store answers",
                    work_id,
                    why,
                )
            )
            continue
        after_rollback(lambda new=new, old=old: store.rekey(new, old))
        image.image_key = new
        if image.cover_checked_key == old:  # the same pixels: a moderator's look still holds
            image.cover_checked_key = new
        old_keys.append(old)
    work.media_move_pending = not moved
    if old_keys:
        # The old keys were public (a published image's address), and print PDFs and feeds
        # showed the work: what an operator purges from a CDN.
        addresses = ", ".join(_public_addresses(work, old_keys))
        after_commit(
            lambda: log.info(
                "media of work %s moved after a takedown: purge from any CDN %s",
                work_id,
                addresses,
            )
        )
    return moved


def _public_addresses(work: Work, old_keys: list[str]) -> list[str]:
    """The addresses that embedded or linked the work's images (each also under /en/, /fr/,
    /ru/ where pages have one)."""
    found = [f"/media/{old_key}/" for old_key in old_keys]
    found += [
        f"/works/{work.public_id}/poster.pdf",
        "/feed.atom",
        "/sitemap.xml",
    ]
    found += [f"/prisoners/{p.slug}/feed.atom" for p in work.prisoners]
    if work.campaign is not None:
        slug = work.campaign.slug
        found += [
            f"/campaigns/{slug}/posters.pdf",
            f"/campaigns/{slug}/labels.pdf",
            f"/campaigns/{slug}/feed.atom",
        ]
    return found


def works_awaiting_media_move() -> list[int]:
    """The ids of works whose takedown could not move their files yet."""
    return list(db.session.scalars(select(Work.id).where(Work.media_move_pending.is_(True))))


def move_media(store: Store, work_id: int) -> bool:
    """Give a new address to the files of a work whose takedown could not move them;
    whether they have moved (flushed, the caller commits)."""
    begin_write()
    work = locked_work(work_id)
    if not work.media_move_pending:
        return True
    moved = new_media_address(store, work)
    db.session.flush()
    return moved
