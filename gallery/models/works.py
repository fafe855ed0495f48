"""Works: the submission, its decision, its image, its covering, its texts in other
languages, and its tags."""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import secretbox
from ..core.text import render_markdown
from ..extensions import db
from .base import Shown, UTCDateTime, _enum, pick_language, utcnow

# The purpose that derives Work.receipt_title's key from a receipt token (core/secretbox).
RECEIPT_TITLE = "receipt title"


class WorkStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Licence(enum.StrEnum):
    CC_BY = "cc-by-4.0"
    CC_BY_SA = "cc-by-sa-4.0"
    CC_BY_NC = "cc-by-nc-4.0"
    CC0 = "cc0-1.0"
    ALL_RIGHTS_RESERVED = "all-rights-reserved"


work_prisoners = Table(
    "work_prisoner",
    db.metadata,
    Column("work_id", ForeignKey("work.id", ondelete="CASCADE"), primary_key=True),
    Column("prisoner_id", ForeignKey("prisoner.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_work_prisoner_prisoner_work", "prisoner_id", "work_id"),
)

work_tags = Table(
    "work_tag",
    db.metadata,
    Column("work_id", ForeignKey("work.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_work_tag_tag_work", "tag_id", "work_id"),
)


class ContentWarning(enum.StrEnum):
    """What a work shows that some readers would rather not see unasked (issue 26): the
    work is then shown behind a blurred cover they click to reveal, sent to the fediverse
    as sensitive, and left out of the slideshow unless chosen."""

    VIOLENCE = "violence"
    SELF_HARM = "self-harm"
    DEATH = "death"
    OTHER = "other"


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    # The tag's name in other languages ({"fr": "affiche", "ru": "плакат"}), shown in
    # place of `name` to a reader of that language; the filter's address keeps the slug.
    labels: Mapped[dict[str, str] | None] = mapped_column(JSON)

    works: Mapped[list[Work]] = relationship(secondary=work_tags, back_populates="tags")

    def label(self, locale: str) -> str:
        """The tag as a reader of `locale` sees it: its label in that language, else its name."""
        return (self.labels or {}).get(locale) or self.name

    def __repr__(self) -> str:
        return f"<Tag {self.slug}>"


class ImageColumns:
    """The columns of one stored image, declared once: a work's cover image (on Work) and
    each of its other images (WorkImage)."""

    # A random key naming the image's folder, and facts about the cleaned file.
    image_key: Mapped[str | None] = mapped_column(String(43), unique=True)
    image_format: Mapped[str | None] = mapped_column(String(8))
    width: Mapped[int | None]
    height: Mapped[int | None]
    image_bytes: Mapped[int | None]
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    has_alpha: Mapped[bool] = mapped_column(default=False)
    # {"thumb": {"width": .., "height": .., "files": {"webp": "thumb.webp", "jpeg": ...}}, ...}
    renditions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A 64-bit perceptual hash of the picture (16 hex digits), for moderators only: a new
    # submission close to an earlier work is flagged in the queue.  Never shown publicly.
    phash: Mapped[str | None] = mapped_column(String(16), index=True)
    # face_suggestions: the detector's rectangles, [[x, y, width, height], ...] as fractions
    # of the image, computed once (None: not yet; []: nothing found or the detector failed).
    # covered_regions: how many rectangles have been filled solid on the stored image so far.
    face_suggestions: Mapped[list[list[float]] | None] = mapped_column(JSON)
    covered_regions: Mapped[int] = mapped_column(default=0)
    # The image key on which a moderator last reviewed what to cover: covers applied (and
    # the detector then found nothing more), or "nothing to cover" recorded.  A work whose
    # artist asked for covering, or one of whose images has face suggestions, can be
    # approved only while this equals image_key on each of its images
    # (Work.cover_decision_needed): any new image needs a new look.
    cover_checked_key: Mapped[str | None] = mapped_column(String(43))

    def needs_cover_look(self, requested: bool) -> bool:
        """Whether a moderator must still look at this image for what to cover: asked
        for (requested) or suggested by the detector, and not reviewed as it is now."""
        if self.cover_checked_key is not None and self.cover_checked_key == self.image_key:
            return False
        return bool(requested or self.face_suggestions)

    IMAGE_COLUMNS = (
        "image_key",
        "image_format",
        "width",
        "height",
        "image_bytes",
        "image_sha256",
        "has_alpha",
        "renditions",
        "phash",
        "face_suggestions",
        "covered_regions",
        "cover_checked_key",
    )


class Work(ImageColumns, db.Model):
    __table_args__ = (
        # The public grid: approved works, newest first, seeked by (published_at, id).
        Index("ix_work_status_published", "status", "published_at", "id"),
        Index("ix_work_campaign_status_published", "campaign_id", "status", "published_at"),
        Index("ix_work_status_submitted", "status", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    alt_text: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text)  # Markdown
    # The description rendered and sanitised once, when it is saved: no page ever parses
    # an artist's Markdown (a hostile text can cost a parser tens of milliseconds).
    description_html: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(String(100))
    # The language the artist wrote the title, description and alt text in (a BCP 47
    # code), so pages mark those texts with it and screen readers pronounce them right.
    text_locale: Mapped[str | None] = mapped_column(String(16))
    contact_email: Mapped[str | None] = mapped_column(String(254))  # private: never shown
    licence: Mapped[Licence] = mapped_column(_enum(Licence))
    own_work: Mapped[bool] = mapped_column(default=False)
    consent: Mapped[bool] = mapped_column(default=False)
    ai_used: Mapped[bool] = mapped_column(default=False)
    status: Mapped[WorkStatus] = mapped_column(_enum(WorkStatus), default=WorkStatus.PENDING)
    rejection_reason: Mapped[str | None] = mapped_column(Text)  # the moderator's own words
    # A preset reason by its key (labels.PRESET_REASONS), so the artist reads it in their
    # own language, whatever the moderator's.
    rejection_preset: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    receipt_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Set when a visitor reports that the work identifies a person at risk: the work
    # leaves every public page at once, until a moderator has looked.
    hidden: Mapped[bool] = mapped_column(default=False)
    # The artist's permission, recorded by a moderator, to print a work whose licence
    # reserves every right (print PDFs, gallery/prints/); other licences allow printing as
    # they are.
    print_permitted: Mapped[bool] = mapped_column(default=False)
    # A moderator's decision, separate from publishing, that the work may go to a prisoner
    # as a solidarity postcard (no slogans, no war imagery, nothing a prison censor would
    # stop, no Latin text on the image): gallery/prints/postcards.py. Cleared when the work
    # is unpublished; who decided and when is in the audit log, when too here.
    postcard_safe: Mapped[bool] = mapped_column(default=False)
    postcard_safe_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the artist when sending, or by a moderator: None for no warning.
    content_warning: Mapped[ContentWarning | None] = mapped_column(_enum(ContentWarning))
    # Set when a takedown could not give the files a new address (the media store did not
    # answer): the takedown stands, and `flask move-media` moves them later (verbs/common.py).
    media_move_pending: Mapped[bool] = mapped_column(default=False)

    # The stored image columns (ImageColumns) are the work's cover image: the one grids,
    # share previews, the feed, the slideshow, prints and federation show. Its other images
    # are WorkImage rows (Work.images).
    # Covering what identifies someone: cover_requested: the artist asked the moderators
    # to cover faces and other identifying details (the form's box, for those without
    # JavaScript, or a request from the receipt page), on every image of the work.
    cover_requested: Mapped[bool] = mapped_column(default=False)
    # A rejected work keeps its files and its artist's details until this moment, so the
    # rejection can be undone (DECISION_UNDO_SECONDS); then they go (verbs.undoing).
    finalize_after: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # "E-mail me when a moderator decides": the receipt token, encrypted with a key derived
    # from the app's secret, kept only for a work whose artist asked and gave an address,
    # so the message can carry the private link; and the language to write it in.
    notify_token: Mapped[str | None] = mapped_column(Text)
    notify_locale: Mapped[str | None] = mapped_column(String(16))
    # The title the artist last wrote, sealed with a key derived from the receipt token
    # (secretbox, remember=False), which the server does not keep: made at submission and
    # again when the artist edits it through the private link (a moderator's fix does not
    # reach it). It outlives forget_artist, so the receipt of a rejected or withdrawn work
    # still says which work it was; only the link's holder can open it.
    receipt_title: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign | None] = relationship(back_populates="works")
    prisoners: Mapped[list[Prisoner]] = relationship(
        secondary=work_prisoners, back_populates="works", order_by="Prisoner.name"
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=work_tags, back_populates="works", order_by="Tag.name"
    )
    decided_by: Mapped[Moderator | None] = relationship(back_populates="decisions")
    reports: Mapped[list[Report]] = relationship(
        back_populates="work", cascade="all, delete-orphan"
    )
    # The texts in other languages than the one they were written in (text_locale). Loaded
    # with every work (one query per batch): every page that shows a work shows its texts.
    texts: Mapped[list[WorkText]] = relationship(
        back_populates="work",
        cascade="all, delete-orphan",
        order_by="WorkText.locale",
        lazy="selectin",
    )

    # The work's other images, after its cover image (the work's own image columns), in
    # their order; loaded with every work, as its texts.
    images: Mapped[list[WorkImage]] = relationship(
        back_populates="work",
        cascade="all, delete-orphan",
        order_by="WorkImage.position",
        lazy="selectin",
    )

    TEXTS = ("title", "alt_text", "description")

    def text_for(self, field: str, locale: str) -> Shown | None:
        """The title, alt text or description (Markdown) in the reader's language, else
        the nearest one it is written in (pick_language); the work's own columns hold the
        language it was written in (text_locale; unknown on rows older than that column:
        then it is taken as the reader's, as the pages always did)."""
        original = self.text_locale or locale
        texts = {t.locale: getattr(t, field) for t in self.texts}
        texts[original] = getattr(self, field)
        return pick_language(texts, locale, original)

    def description_for(self, locale: str) -> Shown | None:
        """The description as safe HTML, in the language text_for("description") picks."""
        shown = self.text_for("description", locale)
        if shown is None:
            return None
        row = next((t for t in self.texts if t.locale == shown.locale), None)
        html = self.description_markup if row is None else row.description_markup
        return Shown(html, shown.locale)

    @property
    def media_version(self) -> str:
        """A short mark of the image's address, which every takedown changes (verbs/common.
        new_media_address): the poster PDF's address carries it (?v=), so it changes too."""
        return (self.image_key or "")[:8]

    @property
    def postcard_recipients(self) -> list[Prisoner]:
        """The prisoners this work can be sent to as a solidarity postcard: none unless it
        is published, postcard-safe and may be printed; of those it stands with, each whose
        profile has a name in Russian Cyrillic (Prisoner.postcard_name)."""
        if (
            self.status != WorkStatus.APPROVED
            or self.hidden
            or not self.postcard_safe
            or (self.licence == Licence.ALL_RIGHTS_RESERVED and not self.print_permitted)
        ):
            return []
        return [p for p in self.prisoners if p.postcard_name()]

    @property
    def shown_name(self) -> str | None:
        """The artist's chosen name, or None for Anonymous."""
        return self.display_name or None

    @property
    def all_images(self) -> list[ImageColumns]:
        """The cover image (the work itself) first, then the other images in order."""
        return [self, *self.images]

    @property
    def image_keys(self) -> list[str]:
        """The storage keys of every image of the work that still has its files."""
        return [i.image_key for i in self.all_images if i.image_key]

    @property
    def cover_decision_needed(self) -> bool:
        """True while a moderator must still cover, or record that there is nothing to
        cover, before this work can be published: the artist asked for covering, or the
        face detector has suggestions on one of its images, and no moderator has reviewed
        covers on that image as it is now.  (A work the detector has not looked at yet is
        looked at first when it is approved: verbs.decisions.)"""
        return any(i.needs_cover_look(self.cover_requested) for i in self.all_images)

    def seal_receipt_title(self, token: str) -> None:
        """Seal the title as it is now for the holder of the receipt token `token`."""
        self.receipt_title = secretbox.seal(
            self.title, secret=token, purpose=RECEIPT_TITLE, remember=False
        )

    def receipt_title_for(self, token: str) -> str | None:
        """The sealed title, opened with the receipt token; None without a seal (works sent
        before it existed) or when `token` is not the one it was sealed for."""
        if not self.receipt_title:
            return None
        try:
            return secretbox.open_sealed(
                self.receipt_title, secret=token, purpose=RECEIPT_TITLE, remember=False
            )
        except secretbox.InvalidToken:
            return None

    @property
    def review_fingerprint(self) -> str:
        """A short mark of everything a moderator reads before approving: the title, alt
        text, description, tags, content warning, texts in other languages and the image
        (its key). The approve forms carry the mark of the page the moderator saw, and
        approval is refused when it no longer matches (verbs.decisions.approve): the
        artist may have changed the words from the receipt meanwhile."""
        seen = [
            self.title,
            self.alt_text,
            self.description,
            sorted(t.slug for t in self.tags),
            str(self.content_warning) if self.content_warning else None,
            sorted([t.locale, t.title, t.alt_text, t.description] for t in self.texts),
            self.image_key,
        ]
        blob = json.dumps(seen, ensure_ascii=False, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()[:20]

    @property
    def description_markup(self) -> Markup:
        """The description as safe HTML: the copy rendered when it was saved (rows from
        before that copy existed are rendered now)."""
        if self.description_html is not None:
            return Markup(self.description_html)  # noqa: S704 - sanitised by render_markdown
        return render_markdown(self.description)

    def __repr__(self) -> str:
        return f"<Work {self.public_id} {self.status}>"


class WorkText(db.Model):
    """A work's title, alt text and description in a language other than the one it was
    written in (the work's own columns hold those). The demo posters have them; an
    artist's work can have them too."""

    __table_args__ = (UniqueConstraint("work_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(200))
    alt_text: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(Text)  # Markdown
    description_html: Mapped[str | None] = mapped_column(Text)  # rendered once, as Work's

    work: Mapped[Work] = relationship(back_populates="texts")

    @property
    def description_markup(self) -> Markup:
        """The description as safe HTML (rendered when it was saved)."""
        if self.description_html is not None:
            return Markup(self.description_html)  # noqa: S704 - sanitised by render_markdown
        return render_markdown(self.description)

    def __repr__(self) -> str:
        return f"<WorkText {self.work_id}:{self.locale}>"


class WorkImage(ImageColumns, db.Model):
    """One of a work's images other than its cover image (the work's own image columns),
    with its own alt text and covering; up to MAX_WORK_IMAGES images in all. Choosing one
    as the cover image swaps its image columns and alt text with the work's."""

    __tablename__ = "work_image"
    __table_args__ = (Index("ix_work_image_work_position", "work_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str] = mapped_column(String(1000))

    work: Mapped[Work] = relationship(back_populates="images")

    def text_for(self, field: str, locale: str) -> Shown | None:
        """The image's alt text, in the language the work was written in."""
        text = getattr(self, field, None) if field == "alt_text" else None
        if not text:
            return None
        return Shown(text, self.work.text_locale or locale)

    def __repr__(self) -> str:
        return f"<WorkImage {self.work_id}:{self.position}>"
