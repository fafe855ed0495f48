"""Demo content: one real prisoner's profile from cited sources, the Paris rally, and
generated posters. Everything here is flagged is_demo and can be removed in one command."""
from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, select

from . import search
from .database import begin_write
from .extensions import db
from .demo_texts import AZAT_SOURCES, AZAT_TEXTS, RALLY_SOURCES, RALLY_TEXTS
from .models import Campaign, CampaignTranslation, Licence, Prisoner, PrisonerStatus, PrisonerStory
from .models import SiteSetting, Tag, Work, WorkStatus, sources_from, utcnow
from .verbs.common import delete_files_after_commit
from .verbs.profiles import STORY_TEXTS, sync_language_rows
from .verbs.submissions import NewWork, create_work
from .storage import MediaStore

DEMO_REMOVED = "demo.removed"
# Memorial's profile and the Azat Miftakhov Committee, both in AZAT_SOURCES (one 2020 article
# says 21 March; every primary source says 22 March).
AZAT_BIRTH_DATE = date(1993, 3, 22)

def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption(draw: ImageDraw.ImageDraw, box: tuple[int, int], lines: list[str], fill: str) -> None:
    width, y = box
    for text, size in zip(lines, (110, 56, 40), strict=False):
        font = _font(size)
        w = draw.textlength(text, font=font)
        draw.text(((width - w) / 2, y), text, font=font, fill=fill)
        y += int(size * 1.3)


def poster_window(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1200, 1500), "#1d2b4a")
    d = ImageDraw.Draw(im)
    d.rectangle((250, 200, 950, 900), fill="#f2c14e")
    d.ellipse((420, 330, 780, 690), fill="#f6e7b0")
    for x in range(250, 951, 100):
        d.rectangle((x - 12, 200, x + 12, 900), fill="#2f2f33")
    for _ in range(6):
        x, y = rng.randint(300, 900), rng.randint(230, 450)
        d.line((x, y, x + 30, y - 14, x + 60, y), fill="#1d2b4a", width=8)
    _caption(d, (1200, 1030), ["FREE AZAT", "mathematician, prisoner since 2019"], "#f6e7b0")
    return im


def poster_letters(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1500, 1200), "#efe6d8")
    d = ImageDraw.Draw(im)
    for row in range(0, 12):
        offset = 0 if row % 2 else 60
        for x in range(-120 + offset, 1500, 120):
            d.rectangle((x, 500 + row * 28, x + 112, 524 + row * 28), fill="#a4493d")
    for _ in range(9):
        x, y = rng.randint(80, 1300), rng.randint(80, 420)
        d.polygon([(x, y), (x + 120, y + 40), (x, y + 80), (x + 30, y + 40)], fill="#ffffff", outline="#333333")
    _caption(d, (1500, 860), ["LETTERS", "break walls", "write to a political prisoner"], "#1f1f1f")
    return im


def poster_maths(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1400, 1400), "#20352b")
    d = ImageDraw.Draw(im)
    for k in range(1, 6):
        pts = [(x, 600 + 200 * math.sin(x / (60 * k)) * math.exp(-x / 1400)) for x in range(60, 1340, 8)]
        d.line(pts, fill=(230, 230, 210 - 20 * k), width=5)
    for _ in range(40):
        x, y = rng.randint(60, 1340), rng.randint(120, 1000)
        d.ellipse((x - 4, y - 4, x + 4, y + 4), fill="#e7e2c8")
    _caption(d, (1400, 1080), ["MATHS", "is not a crime"], "#e7e2c8")
    return im


def poster_rally(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1600, 1000), "#c9dbe8")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 700, 1600, 1000), fill="#8c8f94")
    for _ in range(70):
        x, y = rng.randint(20, 1580), rng.randint(560, 900)
        r = rng.randint(22, 34)
        d.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(["#3a2e2a", "#6b4f3f", "#c8a27c", "#2b2b2b"]))
    for x in (300, 760, 1220):
        d.rectangle((x, 300, x + 260, 470), fill="#ffffff", outline="#222222", width=6)
        d.line((x + 130, 470, x + 130, 640), fill="#5a3d2b", width=12)
    _caption(d, (1600, 80), ["PARIS 20.09.2025", "ART PROTEST"], "#1c2a3a")
    return im


def poster_days(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1200, 1600), "#f4f1ea")
    d = ImageDraw.Draw(im)
    for row in range(28):
        for group in range(6):
            x, y = 90 + group * 175, 120 + row * 36
            for i in range(4):
                d.line((x + i * 28, y, x + i * 28 + rng.randint(-3, 3), y + 26), fill="#333333", width=5)
            d.line((x - 8, y + 22, x + 100, y + 4), fill="#b3261e", width=5)
    _caption(d, (1200, 1160), ["EVERY DAY COUNTS", "letters make the days shorter"], "#b3261e")
    return im


def poster_chain(rng: random.Random) -> Image.Image:
    im = Image.new("RGBA", (1400, 1000), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((40, 40, 1360, 960), radius=80, fill="#ffd23f")
    for i in range(7):
        x = 120 + i * 170
        if i == 3:
            d.arc((x, 330, x + 220, 470), 200, 320, fill="#222222", width=26)
            d.arc((x, 330, x + 220, 470), 20, 140, fill="#222222", width=26)
            continue
        d.ellipse((x, 330, x + 220, 470), outline="#222222", width=26)
    _caption(d, (1400, 620), ["SOLIDARITY", "from Paris to Moscow"], "#222222")
    return im


POSTERS: list[tuple[str, str, Callable[[random.Random], Image.Image], tuple[str, ...]]] = [
    ("Free Azat (demo poster)", "A barred prison window with a yellow sun behind the bars and "
     "small birds; below, the words FREE AZAT and 'mathematician, prisoner since 2019'.",
     poster_window, ("poster", "solidarity")),
    ("Letters break walls (demo poster)", "Paper planes fly above a red brick wall; below, the "
     "words LETTERS break walls, write to a political prisoner.", poster_letters,
     ("poster", "letters")),
    ("Maths is not a crime (demo poster)", "Chalk curves and dots on a dark green blackboard, "
     "with the words MATHS is not a crime.", poster_maths, ("poster", "mathematics")),
    ("Paris, 20 September 2025 (demo poster)", "A crowd seen from above holding three blank "
     "placards on a grey square, with the words PARIS 20.09.2025, ART PROTEST.",
     poster_rally, ("poster", "rally")),
    ("Every day counts (demo poster)", "Rows of tally marks, in groups of five crossed in red, "
     "fill a pale page; below, EVERY DAY COUNTS, letters make the days shorter.", poster_days,
     ("poster", "letters")),
    ("Solidarity (demo poster)", "A black chain with one broken link on a yellow rounded "
     "panel with transparent corners; below, SOLIDARITY from Paris to Moscow.", poster_chain,
     ("poster", "solidarity")),
]  # fmt: skip


def _png(im: Image.Image) -> io.BytesIO:
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    buf.seek(0)
    return buf


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
    prisoner.stories = [PrisonerStory(locale=locale, **texts) for locale, texts in AZAT_TEXTS.items()]
    prisoner.sources = sources_from(AZAT_SOURCES, "en")
    return prisoner


def _rally(prisoner: Prisoner) -> Campaign:
    original = RALLY_TEXTS["en"]
    campaign = Campaign(
        slug="art-protest-paris-2025", held_on=date(2025, 9, 20), original_locale="en",
        is_demo=True, **original,
    )  # fmt: skip
    campaign.translations = [CampaignTranslation(locale=locale, **texts)
                             for locale, texts in RALLY_TEXTS.items() if locale != "en"]  # fmt: skip
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
    now = utcnow()
    for i, (title, alt, draw, tags) in enumerate(POSTERS):
        fields = NewWork(
            title=title, alt_text=alt, licence=Licence.CC_BY, display_name="Demo poster", text_locale="en",
            description="Generated by the gallery's demo loader, not made by an artist.",
            prisoner_ids=(prisoner.id,), campaign_id=campaign.id, tag_names=tags, is_demo=True,
        )  # fmt: skip
        image = _png(draw(random.Random(i)))
        create_work(store, image, fields, status=WorkStatus.APPROVED,
                    published_at=now - timedelta(hours=i))  # fmt: skip
    return len(POSTERS)


def refresh_texts(prisoner: Prisoner) -> None:
    """Bring the demo profile's and campaign's texts and sources up to date (facts about a
    real person are corrected in demo_texts.py, and an installation loaded before must not
    keep the old ones); demo works are left as they are."""
    sync_language_rows(prisoner.stories, lambda code: PrisonerStory(locale=code), STORY_TEXTS,
                       AZAT_TEXTS)  # fmt: skip
    prisoner.birth_date = AZAT_BIRTH_DATE
    prisoner.name_native_locale = "ru"
    prisoner.sources = sources_from(AZAT_SOURCES, "en")
    db.session.flush()
    search.index_prisoner(prisoner)
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "art-protest-paris-2025"))
    if campaign is not None and campaign.is_demo:
        for name in Campaign.TEXTS:
            setattr(campaign, name, RALLY_TEXTS["en"][name])
        campaign.original_locale = "en"
        sync_language_rows(campaign.translations, lambda code: CampaignTranslation(locale=code),
                           Campaign.TEXTS, RALLY_TEXTS, skip="en")  # fmt: skip
        campaign.sources = sources_from(RALLY_SOURCES, "en")
    db.session.flush()


def remove(store: MediaStore) -> int:
    """Delete every demo row, and its files once that commits; returns the number of works."""
    begin_write()
    works = list(db.session.scalars(select(Work).where(Work.is_demo.is_(True))))
    keys = [w.image_key for w in works if w.image_key]
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
