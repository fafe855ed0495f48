"""Moderators' verbs on prisoner profiles and campaigns. Slugs are made once, from the
name, unique (-2, -3, ...), and never change afterwards, so links keep working."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import select

from .. import search
from ..core.database import begin_write
from ..core.errors import InvalidInput, NotFound
from ..core.i18n import N_
from ..core.text import slugify
from ..extensions import db
from ..models import (
    Campaign,
    CampaignTranslation,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    SourceEntry,
    actions,
    sources_from,
)
from . import audit

R = TypeVar("R", Prisoner, Campaign)


@dataclass(frozen=True)
class PrisonerData:
    """Everything the prisoner form edits."""

    name: str  # in the original language; `texts` may spell it for each language
    status: PrisonerStatus
    name_native: str | None = None
    name_native_locale: str | None = None  # the language of name_native
    detained_on: date | None = None
    released_on: date | None = None
    birth_date: date | None = None
    timezone: str = "Europe/Moscow"
    letter_address: str | None = None
    featured: bool = False
    original_locale: str = "en"
    # locale: {"name": ..., "summary": ..., "body": ..., "charges": ..., "sentence": ...,
    #          "letter_guidance": ...}
    texts: dict[str, dict[str, str | None]] = field(default_factory=dict)
    sources: tuple[SourceEntry, ...] = ()


@dataclass(frozen=True)
class CampaignData:
    """Everything the campaign form edits."""

    held_on: date | None = None
    call_opens_on: date | None = None
    call_closes_on: date | None = None
    original_locale: str = "en"
    # locale: {name: text for each of Campaign.TEXTS}; the title in the original language is
    # required.
    texts: dict[str, dict[str, str | None]] = field(default_factory=dict)
    prisoner_ids: tuple[int, ...] = ()
    sources: tuple[SourceEntry, ...] = ()

    @property
    def title(self) -> str:
        """The title in the original language (the slug is made from it)."""
        return self.texts.get(self.original_locale, {}).get("title") or ""


def unique_slug(model: type[Prisoner] | type[Campaign], text: str, fallback: str) -> str:
    """A slug from `text` that no row of `model` has yet."""
    base = slugify(text) or fallback
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _editable(model: type[R], row_id: int | None, create: Callable[[], R] | None) -> tuple[R, bool]:
    """(the row to edit, locked; or a new one from create() when row_id is None, True)."""
    if row_id is None and create is not None:
        row = create()
        db.session.add(row)
        return row, True
    found = db.session.get(model, row_id, with_for_update=True) if row_id is not None else None
    if found is None:
        raise NotFound(f"no such {model.__tablename__}")
    return found, False


STORY_TEXTS = PrisonerStory.TEXTS


def sync_language_rows(
    rows: list,
    make: Callable[[str], object],
    names: tuple[str, ...],
    texts: dict[str, dict[str, str | None]],
    skip: str | None = None,
) -> None:
    """Keep one row per language that has any text (set from `texts`), in place in `rows`:
    a language left empty, or `skip` (held elsewhere), loses its row."""
    by_locale = {row.locale: row for row in rows}
    for locale, values in texts.items():
        row = by_locale.get(locale)
        if locale == skip or not any(values.get(name) for name in names):
            if row is not None:
                rows.remove(row)
            continue
        if row is None:
            row = make(locale)
            rows.append(row)
        for name in names:
            setattr(row, name, values.get(name) or None)


def _set_campaign_texts(campaign: Campaign, data: CampaignData) -> None:
    """The original language in the campaign's columns, every other one in a row."""
    campaign.original_locale = data.original_locale
    for name in Campaign.TEXTS:
        setattr(campaign, name, data.texts.get(data.original_locale, {}).get(name) or None)
    sync_language_rows(
        campaign.translations,
        lambda code: CampaignTranslation(locale=code),
        Campaign.TEXTS,
        data.texts,
        skip=data.original_locale,
    )


def save_prisoner(prisoner_id: int | None, data: PrisonerData, moderator_id: int) -> Prisoner:
    """Create (prisoner_id None) or update a prisoner profile."""
    begin_write()
    prisoner, created = _editable(
        Prisoner,
        prisoner_id,
        lambda: Prisoner(
            slug=unique_slug(Prisoner, data.name, "prisoner"), name=data.name, status=data.status
        ),
    )
    action = actions.PRISONER_CREATE if created else actions.PRISONER_EDIT
    for name in (
        "name",
        "name_native",
        "name_native_locale",
        "status",
        "detained_on",
        "released_on",
        "birth_date",
        "timezone",
        "letter_address",
        "featured",
        "original_locale",
    ):
        setattr(prisoner, name, getattr(data, name))
    sync_language_rows(
        prisoner.stories, lambda code: PrisonerStory(locale=code), STORY_TEXTS, data.texts
    )
    prisoner.sources = sources_from(data.sources, data.original_locale)
    db.session.flush()
    search.index_prisoner(prisoner)
    audit.record(action, moderator_id=moderator_id, subject=prisoner.slug)
    return prisoner


def mark_verified(prisoner_id: int, moderator_id: int, today: date) -> Prisoner:
    """Record that a moderator checked the profile against its sources today."""
    begin_write()
    prisoner, _created = _editable(Prisoner, prisoner_id, None)
    prisoner.last_verified_on = today
    audit.record(
        actions.PRISONER_VERIFY,
        moderator_id=moderator_id,
        subject=prisoner.slug,
        reason=f"verified on {today.isoformat()}",
    )
    db.session.flush()
    return prisoner


def save_campaign(campaign_id: int | None, data: CampaignData, moderator_id: int) -> Campaign:
    """Create (campaign_id None) or update a campaign."""
    begin_write()
    campaign, created = _editable(
        Campaign,
        campaign_id,
        lambda: Campaign(slug=unique_slug(Campaign, data.title, "campaign"), title=data.title),
    )
    action = actions.CAMPAIGN_CREATE if created else actions.CAMPAIGN_EDIT
    campaign.held_on = data.held_on
    if data.call_opens_on and data.call_closes_on and data.call_closes_on < data.call_opens_on:
        raise InvalidInput(N_("A call cannot close before it opens."))
    campaign.call_opens_on, campaign.call_closes_on = data.call_opens_on, data.call_closes_on
    _set_campaign_texts(campaign, data)
    campaign.prisoners = list(
        db.session.scalars(select(Prisoner).where(Prisoner.id.in_(data.prisoner_ids)))
    )
    campaign.sources = sources_from(data.sources, data.original_locale)
    db.session.flush()
    audit.record(action, moderator_id=moderator_id, subject=campaign.slug)
    return campaign
