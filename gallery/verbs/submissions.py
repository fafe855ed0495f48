"""Verbs of the artists' side: a new work (submitted, or loaded by the CLI) and withdrawal."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select

from .. import federation, mail, search
from ..core.database import begin_write
from ..core.errors import NotFound
from ..core.text import render_markdown
from ..core.tokens import new_public_id, new_receipt_token, token_hash
from ..extensions import db
from ..images import sandbox
from ..media import Store
from ..models import (
    Campaign,
    ContentWarning,
    Licence,
    Prisoner,
    Work,
    WorkStatus,
    actions,
    utcnow,
)
from . import NotAllowed, audit
from .common import (
    drop_images,
    forget_artist,
    image_columns,
    publish_then_lock,
    tags_named,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewWork:
    """What a submitted work says about itself (everything but the image)."""

    title: str
    alt_text: str
    licence: Licence
    description: str | None = None
    text_locale: str | None = None  # the language the artist wrote in
    display_name: str | None = None
    contact_email: str | None = None
    own_work: bool = True
    consent: bool = True
    ai_used: bool = False
    prisoner_ids: tuple[int, ...] = ()
    campaign_id: int | None = None
    tag_names: tuple[str, ...] = ()
    is_demo: bool = False
    cover_requested: bool = False  # "please cover faces and other identifying details"
    content_warning: ContentWarning | None = None
    # "E-mail me when a moderator decides": the page's language to write in (None: not asked).
    notify_locale: str | None = None


def _prisoners(ids: Iterable[int]) -> list[Prisoner]:
    ids = tuple(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(Prisoner).where(Prisoner.id.in_(ids))))


def create_work(
    store: Store,
    image: BinaryIO,
    fields: NewWork,
    *,
    status: WorkStatus = WorkStatus.PENDING,
    receipt_token_hash: str | None = None,
    published_at: datetime | None = None,
    max_pixels: int = 40_000_000,
    limits: sandbox.Limits | None = None,
) -> Work:
    """Clean the image (in a child process held to `limits`, by default those of the default
    settings: gallery/images/sandbox.py) and store its files, then add the row (flushed, not
    committed).

    The files are in place before the row exists; if the transaction does not commit,
    they are removed, so no file outlives a failure and no row lacks its files."""
    processed = sandbox.process(  # no lock held while decoding
        image, max_pixels=max_pixels, limits=limits or sandbox.default_limits()
    )
    key = publish_then_lock(store, processed)
    work = Work(
        public_id=new_public_id(),
        title=fields.title,
        alt_text=fields.alt_text,
        description=fields.description,
        description_html=str(render_markdown(fields.description)) if fields.description else None,
        text_locale=fields.text_locale,
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
        cover_requested=fields.cover_requested,
        content_warning=fields.content_warning,
        **image_columns(key, processed),
    )
    db.session.add(work)
    if status == WorkStatus.APPROVED:
        work.published_at = published_at or utcnow()
        work.decided_at = work.published_at
    work.prisoners = _prisoners(fields.prisoner_ids)
    work.tags = tags_named(fields.tag_names)
    db.session.flush()
    if status == WorkStatus.APPROVED:  # loaded published (demo, bench-seed)
        search.index_work(work)
    log.info(
        "stored work %s (%s, %dx%d)", work.public_id, work.image_format, work.width, work.height
    )
    return work


def submit_work(
    store: Store,
    image: BinaryIO,
    fields: NewWork,
    *,
    max_pixels: int,
    limits: sandbox.Limits | None = None,
) -> tuple[Work, str]:
    """Accept an artist's submission as pending; returns the work and its receipt token."""
    known = set(db.session.scalars(select(Prisoner.id).where(Prisoner.id.in_(fields.prisoner_ids))))
    if set(fields.prisoner_ids) - known:
        raise NotAllowed("unknown prisoner")
    if fields.campaign_id is not None and db.session.get(Campaign, fields.campaign_id) is None:
        raise NotAllowed("unknown campaign")
    token = new_receipt_token()
    work = create_work(
        store,
        image,
        fields,
        receipt_token_hash=token_hash(token),
        max_pixels=max_pixels,
        limits=limits,
    )
    # Its title, for the receipt alone once a decision or a withdrawal forgets it.
    work.seal_receipt_title(token)
    if fields.notify_locale and fields.contact_email:
        # Kept encrypted so the decision's mail can carry the private link (gallery/mail.py).
        work.notify_token = mail.seal_token(token)
        work.notify_locale = fields.notify_locale
    db.session.flush()
    return work, token


def withdraw_work(store: Store, token: str) -> Work:
    """The artist takes their work back: its files go once this commits; the row stays."""
    begin_write()
    work = db.session.scalar(
        select(Work).where(Work.receipt_token_hash == token_hash(token)).with_for_update()
    )
    if work is None:
        raise NotFound("no such receipt")
    if work.status not in (WorkStatus.PENDING, WorkStatus.APPROVED):
        raise NotAllowed("already decided")
    if work.status == WorkStatus.APPROVED:
        federation.retract(work)  # not announced yet: never; announced: a Delete
    drop_images(store, work)
    work.status = WorkStatus.WITHDRAWN
    work.postcard_safe = False
    work.postcard_safe_at = None
    work.decided_at = utcnow()
    work.published_at = None
    work.notify_token = None  # no mail follows a withdrawal
    if work.receipt_title is None and work.title:  # sent before titles were sealed
        work.seal_receipt_title(token)
    search.drop_work(work.id)
    audit.record(actions.WITHDRAW, work_id=work.id, reason="withdrawn by the artist")
    forget_artist(work, keep_phash=False)
    db.session.flush()
    log.info("work %s withdrawn by its artist", work.public_id)
    return work
