"""Prisoners and campaigns: their profiles in several languages, and the sources behind
their facts."""

from __future__ import annotations

import calendar
import enum
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..core.text import days_between, today_in
from ..extensions import db
from .base import ORIGINAL_LOCALE_DEFAULT, Shown, UTCDateTime, _enum, pick_language, utcnow
from .outlets import is_undesirable
from .works import work_prisoners


class PrisonerStatus(enum.StrEnum):
    IMPRISONED = "imprisoned"
    RELEASED = "released"
    EXILE = "exile"
    DECEASED = "deceased"


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
        this_year = date(
            today.year,
            month,
            28 if (month, day) == (2, 29) and not calendar.isleap(today.year) else day,
        )
        if this_year >= today:
            return this_year
        year = today.year + 1
        return date(
            year, month, 28 if (month, day) == (2, 29) and not calendar.isleap(year) else day
        )

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

    def postcard_name(self) -> str | None:
        """The name a solidarity postcard's back carries: in Russian Cyrillic only (the
        Russian profile's name, else the native name when it is Russian), or None when the
        profile has none, and then no postcard is offered: a prison censor stops Latin
        letters."""
        candidates = [s.name for s in self.stories if s.locale == "ru"]
        if self.name_native_locale == "ru" or (
            self.name_native_locale is None and self.original_locale == "ru"
        ):
            candidates.append(self.name_native)
        return next((n.strip() for n in candidates if n and is_cyrillic_only(n)), None)

    def accepts_letters(self) -> bool:
        """Whether the letter desk takes letters for this person: only while imprisoned,
        and with a name in Cyrillic for the envelope and the card (postcard_name)."""
        return self.status == PrisonerStatus.IMPRISONED and self.postcard_name() is not None

    def all_names(self) -> list[str]:
        """Every spelling of the name, each once (for search)."""
        names = [self.name, self.name_native, *(s.name for s in self.stories)]
        return list(dict.fromkeys(n for n in names if n))

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


def is_cyrillic_only(text: str) -> bool:
    """Whether a text has Cyrillic letters and no letter of another script (digits,
    spaces and punctuation allowed): what a postcard to a Russian prison may carry."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("CYRILLIC") for c in letters)


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
    return (
        selectinload(path)
        .selectinload(Prisoner.stories)
        .load_only(PrisonerStory.locale, PrisonerStory.name)
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
        rows.append(
            Source(
                title=title,
                titles=titles,
                url=entry.url,
                position=position,
                undesirable=entry.undesirable or is_undesirable(entry.url),
            )
        )
    return rows


class CallState(enum.StrEnum):
    """Where a campaign's call for works stands."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def _day_start(day: date, utc_offset_hours: int) -> datetime:
    """The moment `day` begins at a fixed offset from UTC, as a UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=utc_offset_hours)


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
    # A call for works (issue 26): its brief and thank-you in the original language (other
    # languages in CampaignTranslation), open from call_opens_on to call_closes_on inclusive.
    # A campaign runs a call when its brief is written in some language.
    call_brief: Mapped[str | None] = mapped_column(Text)  # Markdown
    call_thanks: Mapped[str | None] = mapped_column(Text)
    call_opens_on: Mapped[date | None]
    call_closes_on: Mapped[date | None]
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
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="CampaignTranslation.locale",
    )

    TEXTS = ("title", "summary", "description", "place", "call_brief", "call_thanks")

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

    @property
    def has_call(self) -> bool:
        """Whether the campaign calls for works (its brief is written in some language)."""
        return bool(self.call_brief) or any(t.call_brief for t in self.translations)

    def call_state(self, now: datetime | None = None) -> CallState | None:
        """Where the call stands at `now` (None: the campaign runs no call).

        Its dates are days "anywhere on Earth", the custom of calls for entries: the call opens
        when its first day has begun somewhere (UTC+14) and closes when its last day has ended
        everywhere (UTC-12), so no artist finds it shut while it is still that day at home."""
        if not self.has_call:
            return None
        now = now or utcnow()
        if self.call_opens_on is not None and now < _day_start(self.call_opens_on, 14):
            return CallState.UPCOMING
        if self.call_closes_on is not None and now >= _day_start(
            self.call_closes_on, -12
        ) + timedelta(days=1):
            return CallState.CLOSED
        return CallState.OPEN

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
    call_brief: Mapped[str | None] = mapped_column(Text)  # Markdown
    call_thanks: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="translations")

    def __repr__(self) -> str:
        return f"<CampaignTranslation {self.campaign_id}:{self.locale}>"
