"""Typed SQLAlchemy 2 models and their status enums."""
from __future__ import annotations

import calendar
import enum
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from flask_login import UserMixin
from markupsafe import Markup
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from .outlets import is_undesirable
from ..core.text import days_between, render_markdown, today_in

ORIGINAL_LOCALE_DEFAULT = "en"
FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class Shown:
    """A text in the language it is shown in (which may not be the one the reader asked
    for: then the page says so, and marks the text with its own `lang`)."""

    text: str
    locale: str


def pick_language(texts: Mapping[str, str | None], wanted: str, original: str) -> Shown | None:
    """The text in the reader's language, else English, else the original language, else
    any language it exists in; None when there is none at all."""
    for code in (wanted, FALLBACK_LOCALE, original, *sorted(texts)):
        text = texts.get(code)
        if text:
            return Shown(text, code)
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings (no native ENUM type) so both databases migrate alike.
    return Enum(
        cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class PrisonerStatus(enum.StrEnum):
    IMPRISONED = "imprisoned"
    RELEASED = "released"
    EXILE = "exile"
    DECEASED = "deceased"


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


class ReportCategory(enum.StrEnum):
    UNRELATED = "unrelated"
    PERSON_AT_RISK = "person-at-risk"
    COPYRIGHT = "copyright"
    OFFENSIVE = "offensive"
    OTHER = "other"


class Role(enum.StrEnum):
    MODERATOR = "moderator"
    ADMIN = "admin"


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

campaign_prisoners = Table(
    "campaign_prisoner",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("prisoner_id", ForeignKey("prisoner.id", ondelete="CASCADE"), primary_key=True),
)


class Prisoner(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # The name in the profile's original language; each language may spell it its own way
    # (PrisonerStory.name: «Азат Мифтахов» on Russian pages), else this one is shown.
    name: Mapped[str] = mapped_column(String(200))
    # The name as the prisoner writes it, and that language (BCP 47: "ru", "uk", "crh"...).
    name_native: Mapped[str | None] = mapped_column(String(200))
    name_native_locale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[PrisonerStatus] = mapped_column(_enum(PrisonerStatus))
    detained_on: Mapped[date | None]
    released_on: Mapped[date | None]
    birth_date: Mapped[date | None]  # optional: the home page lists upcoming birthdays
    # Calendar days are counted where the prisoner is held, not where the visitor is.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    # The language the profile was first written in: the last fallback for its texts.
    original_locale: Mapped[str] = mapped_column(
        String(8), default=ORIGINAL_LOCALE_DEFAULT, server_default=ORIGINAL_LOCALE_DEFAULT
    )
    # Not translated: a postal address is written in the language of the post that carries it.
    letter_address: Mapped[str | None] = mapped_column(Text)
    last_verified_on: Mapped[date | None]
    featured: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stories: Mapped[list[PrisonerStory]] = relationship(
        back_populates="prisoner", cascade="all, delete-orphan"
    )
    sources: Mapped[list[Source]] = relationship(
        back_populates="prisoner", cascade="all, delete-orphan", order_by="Source.position"
    )
    works: Mapped[list[Work]] = relationship(secondary=work_prisoners, back_populates="prisoners")
    campaigns: Mapped[list[Campaign]] = relationship(
        secondary=campaign_prisoners, back_populates="prisoners"
    )

    def days_in_prison(self, now: datetime | None = None) -> int | None:
        """Days behind bars: until release, or until today where the prisoner is held."""
        if self.detained_on is None:
            return None
        end = self.released_on or today_in(self.timezone, now)
        return days_between(self.detained_on, end)

    def next_birthday(self, today: date | None = None) -> date | None:
        """The next birthday from today (today included; 29 February falls on the 28th in
        other years), where the prisoner is held; None without a birth date."""
        if self.birth_date is None:
            return None
        today = today or today_in(self.timezone)
        month, day = self.birth_date.month, self.birth_date.day
        this_year = date(today.year, month, 28 if (month, day) == (2, 29) and not calendar.isleap(today.year) else day)
        if this_year >= today:
            return this_year
        year = today.year + 1
        return date(year, month, 28 if (month, day) == (2, 29) and not calendar.isleap(year) else day)

    def name_shown(self, locale: str) -> Shown:
        """The name as readers of `locale` write it: the profile's name in that language,
        else the base name (which is in the profile's original language)."""
        for story in self.stories:
            if story.locale == locale and story.name:
                return Shown(story.name, locale)
        return Shown(self.name, self.original_locale)

    def name_for(self, locale: str) -> str:
        """The name to show to readers of `locale` (see name_shown)."""
        return self.name_shown(locale).text

    def other_name(self, locale: str) -> Shown | None:
        """A second line under the name for readers of `locale`: the name in the
        prisoner's own script, else the base name, whichever differs from the name shown
        (in Latin letters under «Азат Мифтахов», in Cyrillic under "Azat Miftakhov");
        None when there is no other."""
        shown = self.name_for(locale)
        if self.name_native and self.name_native != shown:
            return Shown(self.name_native, self.name_native_locale or self.original_locale)
        if self.name != shown:
            return Shown(self.name, self.original_locale)
        return None

    def all_names(self) -> list[str]:
        """Every spelling of the name, each once (for search)."""
        names = [self.name, self.name_native, *(s.name for s in self.stories)]
        return list(dict.fromkeys(n for n in names if n))

    def story_for(self, locale: str) -> PrisonerStory | None:
        """The texts in the visitor's language, else English, else the original, else any."""
        by_locale = {s.locale: s for s in self.stories if s.body}
        shown = pick_language({code: code for code in by_locale}, locale, self.original_locale)
        return by_locale[shown.locale] if shown else None

    def text_for(self, field: str, locale: str) -> Shown | None:
        """One text of the profile (summary, body, charges, sentence, letter_guidance) in
        the visitor's language or the nearest one that has it."""
        texts = {s.locale: getattr(s, field) for s in self.stories}
        return pick_language(texts, locale, self.original_locale)

    def missing_locales(self, locales: Iterable[str]) -> list[str]:
        """The languages in which the profile has no story yet (for the moderators)."""
        present = {s.locale for s in self.stories if s.body}
        return [code for code in locales if code not in present]

    def __repr__(self) -> str:
        return f"<Prisoner {self.slug}>"


def _sort_key(name: str) -> tuple[str, str]:
    # Case and accents aside (é with e, ё with е), then as written.
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return bare.casefold(), name


def by_name(prisoners: Iterable[Prisoner], locale: str) -> list[Prisoner]:
    """Prisoners in the order of their names as readers of `locale` see them."""
    return sorted(prisoners, key=lambda p: _sort_key(p.name_for(locale)))


def with_names(path: Any) -> Any:
    """A loader option for the prisoners at `path` (Work.prisoners, Campaign.prisoners):
    with their names in every language (name_for), not their long texts."""
    return selectinload(path).selectinload(Prisoner.stories).load_only(
        PrisonerStory.locale, PrisonerStory.name
    )


class PrisonerStory(db.Model):
    """A profile's texts in one language: the name as that language spells it, summary,
    story, charges, sentence, letter guidance."""

    __table_args__ = (UniqueConstraint("prisoner_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prisoner_id: Mapped[int] = mapped_column(ForeignKey("prisoner.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(200))  # None: Prisoner.name is shown
    summary: Mapped[str | None] = mapped_column(String(400))
    body: Mapped[str | None] = mapped_column(Text)  # Markdown, sanitised when rendered
    charges: Mapped[str | None] = mapped_column(Text)
    sentence: Mapped[str | None] = mapped_column(Text)
    letter_guidance: Mapped[str | None] = mapped_column(Text)  # Markdown

    TEXTS = ("name", "summary", "body", "charges", "sentence", "letter_guidance")

    prisoner: Mapped[Prisoner] = relationship(back_populates="stories")

    def __repr__(self) -> str:
        return f"<PrisonerStory {self.prisoner_id}:{self.locale}>"


class Source(db.Model):
    """A public source behind a prisoner's or campaign's facts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    prisoner_id: Mapped[int | None] = mapped_column(
        ForeignKey("prisoner.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # The title in the profile's or campaign's original language (the last fallback), and
    # the title in every language it is written in (locale -> title).
    title: Mapped[str] = mapped_column(String(300))
    titles: Mapped[dict[str, str] | None] = mapped_column(JSON)
    url: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(default=0)
    # An outlet Russia has declared "undesirable": reposting its material there is punished,
    # so the page marks it and warns readers in Russia (see gallery/models/outlets.py).
    undesirable: Mapped[bool] = mapped_column(default=False)

    prisoner: Mapped[Prisoner | None] = relationship(back_populates="sources")
    campaign: Mapped[Campaign | None] = relationship(back_populates="sources")

    def title_for(self, locale: str, original: str) -> Shown:
        """The title in the reader's language, else English, else the original one."""
        return pick_language(self.titles or {}, locale, original) or Shown(self.title, original)

    def __repr__(self) -> str:
        return f"<Source {self.url}>"


@dataclass(frozen=True)
class SourceEntry:
    """One source as written by a moderator or the demo loader: its address, its title in
    one or more languages, and whether the outlet is marked "undesirable" by hand (known
    outlets are marked whatever this says)."""

    url: str
    titles: Mapping[str, str]
    undesirable: bool = False


def sources_from(entries: Iterable[SourceEntry], original: str) -> list[Source]:
    """Source rows, in the given order; the stored `title` is the one in the original
    language (else the first written)."""
    rows = []
    for position, entry in enumerate(entries):
        titles = {code: text for code, text in entry.titles.items() if text}
        title = titles.get(original) or next(iter(titles.values()), entry.url)
        rows.append(Source(title=title, titles=titles, url=entry.url, position=position,
                           undesirable=entry.undesirable or is_undesirable(entry.url)))  # fmt: skip
    return rows


class Campaign(db.Model):
    """A rally, exhibition or other campaign. Its own columns hold the texts in the
    original language; CampaignTranslation rows hold the other languages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date | None] = mapped_column(index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)  # Markdown
    original_locale: Mapped[str] = mapped_column(
        String(8), default=ORIGINAL_LOCALE_DEFAULT, server_default=ORIGINAL_LOCALE_DEFAULT
    )
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    prisoners: Mapped[list[Prisoner]] = relationship(
        secondary=campaign_prisoners, back_populates="campaigns", order_by="Prisoner.name"
    )
    works: Mapped[list[Work]] = relationship(back_populates="campaign")
    sources: Mapped[list[Source]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="Source.position"
    )
    translations: Mapped[list[CampaignTranslation]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", order_by="CampaignTranslation.locale"
    )

    TEXTS = ("title", "summary", "description", "place")

    def texts_in(self, locale: str) -> dict[str, str | None]:
        """The campaign's texts as written in one language (empty where not written)."""
        if locale == self.original_locale:
            return {name: getattr(self, name) for name in self.TEXTS}
        row = next((t for t in self.translations if t.locale == locale), None)
        return {name: getattr(row, name) if row else None for name in self.TEXTS}

    def text_for(self, field: str, locale: str) -> Shown | None:
        """One text of the campaign in the visitor's language or the nearest one."""
        texts = {t.locale: getattr(t, field) for t in self.translations}
        texts[self.original_locale] = getattr(self, field)
        return pick_language(texts, locale, self.original_locale)

    def missing_locales(self, locales: Iterable[str]) -> list[str]:
        """The languages the campaign's title is not written in yet (for the moderators)."""
        return [code for code in locales if not self.texts_in(code)["title"]]

    def __repr__(self) -> str:
        return f"<Campaign {self.slug}>"


class CampaignTranslation(db.Model):
    """A campaign's texts in a language other than its original one."""

    __table_args__ = (UniqueConstraint("campaign_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(Text)  # Markdown
    place: Mapped[str | None] = mapped_column(String(300))

    campaign: Mapped[Campaign] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<CampaignTranslation {self.campaign_id}:{self.locale}>"


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


class Work(db.Model):
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
    # Set when a takedown could not give the files a new address (the media store did not
    # answer): the takedown stands, and `flask move-media` moves them later (verbs/common.py).
    media_move_pending: Mapped[bool] = mapped_column(default=False)

    # The stored image: a random key naming its folder, and facts about the cleaned file.
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

    # Covering what identifies someone.  cover_requested: the artist asked the moderators
    # to cover faces and other identifying details (the form's box, for those without
    # JavaScript, or a request from the receipt page).  face_suggestions: the detector's
    # rectangles, [[x, y, width, height], ...] as fractions of the image, computed once
    # (None: not yet; []: nothing found or the detector failed).  covered_regions: how
    # many rectangles have been filled solid on the stored image so far.
    cover_requested: Mapped[bool] = mapped_column(default=False)
    face_suggestions: Mapped[list[list[float]] | None] = mapped_column(JSON)
    covered_regions: Mapped[int] = mapped_column(default=0)
    # The image key on which a moderator last reviewed what to cover: covers applied (and
    # the detector then found nothing more), or "nothing to cover" recorded.  A work whose
    # artist asked for covering, or that has face suggestions, can be approved only while
    # this equals image_key (Work.cover_decision_needed): any new image needs a new look.
    cover_checked_key: Mapped[str | None] = mapped_column(String(43))
    # A rejected work keeps its files and its artist's details until this moment, so the
    # rejection can be undone (DECISION_UNDO_SECONDS); then they go (verbs.decisions).
    finalize_after: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # "E-mail me when a moderator decides": the receipt token, encrypted with a key derived
    # from the app's secret, kept only for a work whose artist asked and gave an address,
    # so the message can carry the private link; and the language to write it in.
    notify_token: Mapped[str | None] = mapped_column(Text)
    notify_locale: Mapped[str | None] = mapped_column(String(16))

    campaign: Mapped[Campaign | None] = relationship(back_populates="works")
    prisoners: Mapped[list[Prisoner]] = relationship(
        secondary=work_prisoners, back_populates="works", order_by="Prisoner.name"
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=work_tags, back_populates="works", order_by="Tag.name"
    )
    decided_by: Mapped[Moderator | None] = relationship(back_populates="decisions")
    reports: Mapped[list[Report]] = relationship(back_populates="work", cascade="all, delete-orphan")
    # The texts in other languages than the one they were written in (text_locale). Loaded
    # with every work (one query per batch): every page that shows a work shows its texts.
    texts: Mapped[list[WorkText]] = relationship(
        back_populates="work", cascade="all, delete-orphan", order_by="WorkText.locale", lazy="selectin"
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
    def shown_name(self) -> str | None:
        """The artist's chosen name, or None for Anonymous."""
        return self.display_name or None

    @property
    def cover_decision_needed(self) -> bool:
        """True while a moderator must still cover, or record that there is nothing to
        cover, before this work can be published: the artist asked for covering, or the
        face detector has suggestions, and no moderator has reviewed covers on the image
        as it is now.  (A work the detector has not looked at yet is looked at first when
        it is approved: verbs.decisions.)"""
        if self.cover_checked_key is not None and self.cover_checked_key == self.image_key:
            return False
        return bool(self.cover_requested or self.face_suggestions)

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


class Moderator(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MODERATOR)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout and password change: sessions carrying an older value are refused.
    session_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decisions: Mapped[list[Work]] = relationship(back_populates="decided_by")
    events: Mapped[list[ModerationEvent]] = relationship(back_populates="moderator")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        """True for admins, who also manage moderators."""
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<Moderator {self.username} {self.role}>"


class ModerationEvent(db.Model):
    """Append-only audit log: who did what, when and why."""

    __table_args__ = (Index("ix_moderation_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL"), index=True
    )
    work_id: Mapped[int | None] = mapped_column(
        ForeignKey("work.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    moderator: Mapped[Moderator | None] = relationship(back_populates="events")
    work: Mapped[Work | None] = relationship()

    def __repr__(self) -> str:
        return f"<ModerationEvent {self.action} at {self.at:%Y-%m-%d %H:%M}>"


class Report(db.Model):
    """A visitor's report about a public work, for the moderators."""

    __table_args__ = (Index("ix_report_open", "handled_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    category: Mapped[ReportCategory] = mapped_column(_enum(ReportCategory))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(Text)

    work: Mapped[Work] = relationship(back_populates="reports")
    handled_by: Mapped[Moderator | None] = relationship()

    def __repr__(self) -> str:
        return f"<Report {self.category} on work {self.work_id}>"


class OutgoingMail(db.Model):
    """A message to an artist, written in the same transaction as the decision it tells
    of and sent after the commit; the row goes once the message is delivered (or given up).

    payload is encrypted (address, receipt link and language), so a copy of the database
    without the app's secret says nothing of whom the gallery writes to."""

    __table_args__ = (Index("ix_outgoing_mail_due", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # approved, rejected, unpublished
    payload: Mapped[str] = mapped_column(Text)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.kind} for work {self.work_id}>"


class SiteSetting(db.Model):
    """Small key-value facts about this installation (e.g. that demo content was removed)."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SiteSetting {self.key}>"
