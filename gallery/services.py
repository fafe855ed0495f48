"""Verbs that change state. Views and the CLI call these; each commits once."""
from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select

from . import images
from .database import begin_write
from .extensions import db
from .models import Campaign, Licence, ModerationEvent, Prisoner, Tag, Work, WorkStatus, utcnow
from .storage import MediaStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewWork:
    """What a submitted work says about itself (everything but the image)."""

    title: str
    alt_text: str
    licence: Licence
    description: str | None = None
    display_name: str | None = None
    contact_email: str | None = None
    own_work: bool = True
    consent: bool = True
    ai_used: bool = False
    prisoner_ids: tuple[int, ...] = ()
    campaign_id: int | None = None
    tag_names: tuple[str, ...] = ()
    is_demo: bool = False


class NotAllowed(Exception):
    """The action is not possible in the work's current state."""


def token_hash(token: str) -> str:
    """What we store of a receipt token: its SHA-256, so a leaked database leaks no link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_public_id() -> str:
    """A random, URL-safe id of 128 bits."""
    return secrets.token_urlsafe(16)


def slugify(text: str) -> str:
    """A lower-case ASCII slug (empty if nothing usable is left)."""
    out = []
    for ch in text.strip().lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:60]


def tags_named(names: Iterable[str]) -> list[Tag]:
    """Tags for the given names (slugs deduplicated), created when new; not committed."""
    wanted: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:60]
        slug = slugify(name)
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


def _renditions_json(processed: images.ProcessedImage) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for r in processed.renditions:
        entry = out.setdefault(r.size, {"width": r.width, "height": r.height, "files": {}})
        entry["files"][r.format] = r.filename
    return out


def create_work(
    store: MediaStore,
    image: BinaryIO,
    fields: NewWork,
    *,
    status: WorkStatus = WorkStatus.PENDING,
    receipt_token_hash: str | None = None,
    published_at: datetime | None = None,
    max_pixels: int = 40_000_000,
) -> Work:
    """Clean the image, store its files, then commit the row; no file outlives a failure."""
    processed = images.process(image, max_pixels=max_pixels)
    key = store.publish({r.filename: r.data for r in processed.renditions})
    try:
        begin_write()
        work = Work(
            public_id=new_public_id(),
            title=fields.title,
            alt_text=fields.alt_text,
            description=fields.description,
            display_name=fields.display_name,
            contact_email=fields.contact_email,
            licence=fields.licence,
            own_work=fields.own_work,
            consent=fields.consent,
            ai_used=fields.ai_used,
            status=status,
            receipt_token_hash=receipt_token_hash,
            campaign_id=fields.campaign_id,
            is_demo=fields.is_demo,
            image_key=key,
            image_format=processed.source_format,
            width=processed.width,
            height=processed.height,
            image_bytes=sum(len(r.data) for r in processed.renditions if r.size == "large"),
            image_sha256=processed.sha256,
            has_alpha=processed.has_alpha,
            renditions=_renditions_json(processed),
        )
        db.session.add(work)
        if status == WorkStatus.APPROVED:
            work.published_at = published_at or utcnow()
            work.decided_at = work.published_at
        if fields.prisoner_ids:
            work.prisoners = list(
                db.session.scalars(select(Prisoner).where(Prisoner.id.in_(fields.prisoner_ids)))
            )
        work.tags = tags_named(fields.tag_names)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        store.delete(key)
        raise
    log.info("stored work %s (%s, %dx%d)", work.public_id, work.image_format, work.width, work.height)
    return work



def submit_work(store: MediaStore, image: BinaryIO, fields: NewWork, *, max_pixels: int) -> tuple[Work, str]:
    """Accept an artist's submission as pending; returns the work and its receipt token."""
    valid_prisoners = set(db.session.scalars(select(Prisoner.id).where(Prisoner.id.in_(fields.prisoner_ids))))
    if set(fields.prisoner_ids) - valid_prisoners:
        raise NotAllowed("unknown prisoner")
    if fields.campaign_id is not None and db.session.get(Campaign, fields.campaign_id) is None:
        raise NotAllowed("unknown campaign")
    token = secrets.token_urlsafe(32)
    work = create_work(store, image, fields, receipt_token_hash=token_hash(token), max_pixels=max_pixels)
    return work, token


def work_for_receipt(token: str) -> Work | None:
    """The work a receipt token belongs to, whatever its status."""
    if not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(select(Work).where(Work.receipt_token_hash == token_hash(token)))


def withdraw_work(store: MediaStore, token: str) -> Work:
    """The artist takes their work back: its files are deleted, the row stays for the record."""
    begin_write()
    work = db.session.scalar(select(Work).where(Work.receipt_token_hash == token_hash(token)))
    if work is None:
        raise LookupError("no such receipt")
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("already decided")
    key = work.image_key
    work.status = WorkStatus.WITHDRAWN
    work.decided_at = utcnow()
    work.published_at = None
    work.image_key = None
    work.renditions = None
    db.session.add(ModerationEvent(work_id=work.id, action="withdraw", reason="withdrawn by the artist"))
    db.session.commit()
    if key:
        store.delete(key)
    log.info("work %s withdrawn by its artist", work.public_id)
    return work
