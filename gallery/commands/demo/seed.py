"""Demo content: one real prisoner's profile from cited sources, the Paris rally, and
generated posters (posters.py). Everything here is flagged is_demo and can be removed in one
command: the seeding steps are the profile and the rally, then the posters; refresh_texts
gives an earlier load today's texts, remove takes it all away."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from ... import search
from ...core.database import begin_write
from ...extensions import db
from ...media import MediaStore
from ...models import (
    Campaign,
    CampaignTranslation,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    SiteSetting,
    Tag,
    Work,
    sources_from,
    utcnow,
)
from ...verbs.common import delete_files_after_commit
from ...verbs.profiles import STORY_TEXTS, sync_language_rows
from .posters import add_posters, refresh_posters
from .texts import AZAT_SOURCES, AZAT_TEXTS, RALLY_SOURCES, RALLY_TEXTS

DEMO_REMOVED = "demo.removed"
# Memorial's profile and the Azat Miftakhov Committee, both in AZAT_SOURCES (one 2020 article
# says 21 March; every primary source says 22 March).
AZAT_BIRTH_DATE = date(1993, 3, 22)


def demo_present() -> bool:
    """Whether any content exists at all (so seeding would not be on an empty database)."""
    return db.session.scalar(select(Prisoner.id).limit(1)) is not None or (
        db.session.scalar(select(Work.id).limit(1)) is not None
    )


def demo_was_removed() -> bool:
    """Whether an operator removed the demo content (make run must not bring it back)."""
    return db.session.get(SiteSetting, DEMO_REMOVED) is not None


def _azat() -> Prisoner:
    prisoner = Prisoner(
        slug="azat-miftakhov",
        name="Azat Miftakhov",
        name_native="Азат Мифтахов",
        name_native_locale="ru",
        status=PrisonerStatus.IMPRISONED,
        detained_on=date(2019, 2, 1),
        birth_date=AZAT_BIRTH_DATE,
        timezone="Europe/Moscow",
        original_locale="en",
        featured=True,
        is_demo=True,
    )
    prisoner.stories = [
        PrisonerStory(locale=locale, **texts) for locale, texts in AZAT_TEXTS.items()
    ]
    prisoner.sources = sources_from(AZAT_SOURCES, "en")
    return prisoner


def _rally(prisoner: Prisoner) -> Campaign:
    original = RALLY_TEXTS["en"]
    campaign = Campaign(
        slug="art-protest-paris-2025",
        held_on=date(2025, 9, 20),
        original_locale="en",
        is_demo=True,
        **original,
    )
    campaign.translations = [
        CampaignTranslation(locale=locale, **texts)
        for locale, texts in RALLY_TEXTS.items()
        if locale != "en"
    ]
    campaign.prisoners = [prisoner]
    campaign.sources = sources_from(RALLY_SOURCES, "en")
    return campaign


def seed(store: MediaStore) -> int:
    """Add the demo profile, campaign and posters (flushed: the caller commits them all at
    once, or none); returns the number of works added."""
    begin_write()
    present = db.session.scalar(select(Prisoner).where(Prisoner.slug == "azat-miftakhov"))
    if present is not None:
        if present.is_demo:
            refresh_texts(present)
        return 0
    prisoner = _azat()
    campaign = _rally(prisoner)
    db.session.add_all([prisoner, campaign])
    db.session.flush()
    search.index_prisoner(prisoner)
    removed_marker = db.session.get(SiteSetting, DEMO_REMOVED)
    if removed_marker is not None:
        db.session.delete(removed_marker)
    db.session.flush()
    return add_posters(store, prisoner.id, campaign.id)


def refresh_texts(prisoner: Prisoner) -> None:
    """Bring the demo profile's, campaign's and posters' texts and sources up to date (facts
    about a real person are corrected in texts.py, and an installation loaded before
    must not keep the old ones); of the demo works, only their texts and tags' labels change."""
    sync_language_rows(
        prisoner.stories, lambda code: PrisonerStory(locale=code), STORY_TEXTS, AZAT_TEXTS
    )
    prisoner.birth_date = AZAT_BIRTH_DATE
    prisoner.name_native_locale = "ru"
    prisoner.sources = sources_from(AZAT_SOURCES, "en")
    db.session.flush()
    search.index_prisoner(prisoner)
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "art-protest-paris-2025"))
    if campaign is not None and campaign.is_demo:
        for name in Campaign.TEXTS:
            setattr(campaign, name, RALLY_TEXTS["en"].get(name))
        campaign.original_locale = "en"
        sync_language_rows(
            campaign.translations,
            lambda code: CampaignTranslation(locale=code),
            Campaign.TEXTS,
            RALLY_TEXTS,
            skip="en",
        )
        campaign.sources = sources_from(RALLY_SOURCES, "en")
    db.session.flush()
    refresh_posters()


def remove(store: MediaStore) -> int:
    """Delete every demo row, and its files once that commits; returns the number of works."""
    begin_write()
    works = list(db.session.scalars(select(Work).where(Work.is_demo.is_(True))))
    keys = [key for w in works for key in w.image_keys]
    for work in works:
        db.session.delete(work)
    search.drop_works(w.id for w in works)
    search.drop_prisoners(db.session.scalars(select(Prisoner.id).where(Prisoner.is_demo.is_(True))))
    db.session.execute(delete(Campaign).where(Campaign.is_demo.is_(True)))
    db.session.execute(delete(Prisoner).where(Prisoner.is_demo.is_(True)))
    unused = select(Tag.id).where(~Tag.works.any())
    db.session.execute(delete(Tag).where(Tag.id.in_(unused)))
    if db.session.get(SiteSetting, DEMO_REMOVED) is None:
        db.session.add(SiteSetting(key=DEMO_REMOVED, value=utcnow().isoformat()))
    db.session.flush()
    delete_files_after_commit(store, keys)
    return len(works)
