"""Demo content: one real prisoner's profile from cited sources, the Paris rally, and
generated posters. Everything here is flagged is_demo and can be removed in one command."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, select

from ... import search
from ...core.database import begin_write
from ...core.text import render_markdown
from ...extensions import db
from ...media import MediaStore
from ...models import (
    Campaign,
    CampaignTranslation,
    Licence,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    SiteSetting,
    Tag,
    Work,
    WorkStatus,
    WorkText,
    sources_from,
    utcnow,
)
from ...verbs.common import delete_files_after_commit
from ...verbs.profiles import STORY_TEXTS, sync_language_rows
from ...verbs.submissions import NewWork, create_work
from .texts import AZAT_SOURCES, AZAT_TEXTS, RALLY_SOURCES, RALLY_TEXTS

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
        d.polygon(
            [(x, y), (x + 120, y + 40), (x, y + 80), (x + 30, y + 40)],
            fill="#ffffff",
            outline="#333333",
        )
    _caption(d, (1500, 860), ["LETTERS", "break walls", "write to a political prisoner"], "#1f1f1f")
    return im


def poster_maths(rng: random.Random) -> Image.Image:
    im = Image.new("RGB", (1400, 1400), "#20352b")
    d = ImageDraw.Draw(im)
    for k in range(1, 6):
        pts = [
            (x, 600 + 200 * math.sin(x / (60 * k)) * math.exp(-x / 1400))
            for x in range(60, 1340, 8)
        ]
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
        d.ellipse(
            (x - r, y - r, x + r, y + r),
            fill=rng.choice(["#3a2e2a", "#6b4f3f", "#c8a27c", "#2b2b2b"]),
        )
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
                d.line(
                    (x + i * 28, y, x + i * 28 + rng.randint(-3, 3), y + 26),
                    fill="#333333",
                    width=5,
                )
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


# Each poster's title and alt text in every language of the gallery (English is the
# original, in the work's own columns; the others are WorkText rows). The words painted on
# the pictures are part of the artwork and stay in English: the alt texts say so and
# translate them. French: no-break spaces before « : » and inside « », narrow ones before
# « ; » (typography of the French review); Russian: «ёлочки».
POSTERS: list[
    tuple[dict[str, str], dict[str, str], Callable[[random.Random], Image.Image], tuple[str, ...]]
] = [
    (
        {"en": "Free Azat", "fr": "Libérez Azat", "ru": "Свободу Азату"},
        {
            "en": "A barred prison window with a yellow sun behind the bars and small birds; below, "
            "the words FREE AZAT and “mathematician, prisoner since 2019”.",
            "fr": "Une fenêtre de prison à barreaux et, derrière les barreaux, un soleil jaune et de "
            "petits oiseaux\u202f; en dessous, en anglais\u00a0: FREE AZAT («\u202fLibérez Azat\u202f») "
            "et «\u202fmathematician, prisoner since 2019\u202f» («\u202fmathématicien, "
            "prisonnier depuis 2019\u202f»).",
            "ru": "Тюремное окно с решёткой, за решёткой — жёлтое солнце и маленькие птицы; внизу "
            "по-английски: FREE AZAT («Свободу Азату») и «mathematician, prisoner since 2019» "
            "(«математик, в заключении с 2019 года»).",
        },
        poster_window,
        ("poster", "solidarity"),
    ),
    (
        {
            "en": "Letters break walls",
            "fr": "Les lettres brisent les murs",
            "ru": "Письма рушат стены",
        },
        {
            "en": "Paper planes fly above a red brick wall; below, the words LETTERS break walls, "
            "write to a political prisoner.",
            "fr": "Des avions en papier volent au-dessus d’un mur de briques rouges\u202f; en dessous, "
            "en anglais\u00a0: LETTERS break walls, write to a political prisoner («\u202fLes "
            "lettres brisent les murs, écrivez à un prisonnier politique\u202f»).",
            "ru": "Бумажные самолётики летят над красной кирпичной стеной; внизу по-английски: "
            "LETTERS break walls, write to a political prisoner («Письма рушат стены, напишите "
            "политзаключённому»).",
        },
        poster_letters,
        ("poster", "letters"),
    ),
    (
        {
            "en": "Maths is not a crime",
            "fr": "Les maths ne sont pas un crime",
            "ru": "Математика — не преступление",
        },
        {
            "en": "Chalk curves and dots on a dark green blackboard, with the words MATHS is not a crime.",
            "fr": "Des courbes et des points à la craie sur un tableau noir vert foncé, avec en "
            "anglais les mots MATHS is not a crime («\u202fLes maths ne sont pas un "
            "crime\u202f»).",
            "ru": "Кривые и точки мелом на тёмно-зелёной доске и надпись по-английски: MATHS is not "
            "a crime («Математика — не преступление»).",
        },
        poster_maths,
        ("poster", "mathematics"),
    ),
    (
        {
            "en": "Paris, 20 September 2025",
            "fr": "Paris, 20\u00a0septembre 2025",
            "ru": "Париж, 20\u00a0сентября 2025\u00a0года",
        },
        {
            "en": "A crowd seen from above holding three blank placards on a grey square, with the "
            "words PARIS 20.09.2025, ART PROTEST.",
            "fr": "Une foule vue d’en haut, sur une place grise, brandit trois pancartes "
            "vierges\u202f; au-dessus, les mots PARIS 20.09.2025, ART PROTEST.",
            "ru": "Толпа на серой площади, вид сверху: люди держат три пустых плаката; над ними "
            "надпись PARIS 20.09.2025, ART PROTEST.",
        },
        poster_rally,
        ("poster", "rally"),
    ),
    (
        {"en": "Every day counts", "fr": "Chaque jour compte", "ru": "Каждый день на счету"},
        {
            "en": "Rows of tally marks, in groups of five crossed in red, fill a pale page; below, "
            "EVERY DAY COUNTS, letters make the days shorter.",
            "fr": "Des rangées de bâtons, barrés de rouge par groupes de cinq, couvrent une page "
            "pâle\u202f; en dessous, en anglais\u00a0: EVERY DAY COUNTS, letters make the days "
            "shorter («\u202fChaque jour compte, les lettres raccourcissent les jours\u202f»).",
            "ru": "Ряды палочек, сгруппированных по пять и перечёркнутых красным, заполняют светлую "
            "страницу; внизу по-английски: EVERY DAY COUNTS, letters make the days shorter "
            "(«Каждый день на счету, с письмами дни короче»).",
        },
        poster_days,
        ("poster", "letters"),
    ),
    (
        {"en": "Solidarity", "fr": "Solidarité", "ru": "Солидарность"},
        {
            "en": "A black chain with one broken link on a yellow rounded panel with transparent "
            "corners; below, SOLIDARITY from Paris to Moscow.",
            "fr": "Une chaîne noire dont un maillon est brisé, sur un panneau jaune aux coins "
            "arrondis et transparents\u202f; en dessous, en anglais\u00a0: SOLIDARITY from Paris "
            "to Moscow («\u202fSolidarité de Paris à Moscou\u202f»).",
            "ru": "Чёрная цепь с одним разорванным звеном на жёлтой панели со скруглёнными "
            "прозрачными углами; внизу по-английски: SOLIDARITY from Paris to Moscow "
            "(«Солидарность от Парижа до Москвы»).",
        },
        poster_chain,
        ("poster", "solidarity"),
    ),
]

# The posters' tags in the other languages (Tag.labels): the tag filter and the work pages
# show these; the filter's address keeps the slug.
TAG_LABELS: dict[str, dict[str, str]] = {
    "poster": {"fr": "affiche", "ru": "плакат"},
    "solidarity": {"fr": "solidarité", "ru": "солидарность"},
    "letters": {"fr": "lettres", "ru": "письма"},
    "mathematics": {"fr": "mathématiques", "ru": "математика"},
    "rally": {"fr": "rassemblement", "ru": "акция"},
}

# The loader's own words are interface text (the catalogue translates them); the name is
# shown in the reader's language by labels.artist_name, the description is stored per
# language when the posters are loaded or refreshed.
DEMO_ARTIST = "Demo poster"
DEMO_DESCRIPTION = _l("Generated by the gallery's demo loader, not made by an artist.")
OLD_TITLE_SUFFIX = " (demo poster)"  # the English titles of demos loaded before issue 23


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
    now = utcnow()
    for i, (titles, alts, draw, tags) in enumerate(POSTERS):
        fields = NewWork(
            title=titles["en"],
            alt_text=alts["en"],
            licence=Licence.CC_BY,
            display_name=DEMO_ARTIST,
            text_locale="en",
            prisoner_ids=(prisoner.id,),
            campaign_id=campaign.id,
            tag_names=tags,
            is_demo=True,
        )
        image = _png(draw(random.Random(i)))
        work = create_work(
            store, image, fields, status=WorkStatus.APPROVED, published_at=now - timedelta(hours=i)
        )
        _label_tags()  # before the poster is indexed with its tags' labels
        _set_poster_texts(work, titles, alts)
    return len(POSTERS)


def _poster_texts(titles: dict[str, str], alts: dict[str, str]) -> dict[str, dict[str, str]]:
    """A poster's title, alt text and description in each language of the gallery; the
    description is the loader's own words, in the catalogue's translation."""
    out = {}
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            description = str(DEMO_DESCRIPTION)
        out[code] = {
            "title": titles.get(code) or titles["en"],
            "alt_text": alts.get(code) or alts["en"],
            "description": description,
        }
    return out


def _set_poster_texts(work: Work, titles: dict[str, str], alts: dict[str, str]) -> None:
    """Write a demo poster's texts: English in its own columns, each other language in a
    WorkText row; then put it in the search index again, in every language."""
    texts = _poster_texts(titles, alts)
    english = texts.pop("en")
    work.title, work.alt_text, work.description = (
        english["title"],
        english["alt_text"],
        english["description"],
    )
    work.description_html = str(render_markdown(work.description))
    work.text_locale = "en"
    work.display_name = DEMO_ARTIST
    rows = {row.locale: row for row in work.texts}
    for code in [c for c in rows if c not in texts]:
        work.texts.remove(rows[code])
    for code, values in texts.items():
        row = rows.get(code)
        if row is None:
            row = WorkText(locale=code)
            work.texts.append(row)
        row.title, row.alt_text, row.description = (
            values["title"],
            values["alt_text"],
            values["description"],
        )
        row.description_html = str(render_markdown(row.description))
    db.session.flush()
    search.index_work(work)


def _label_tags() -> None:
    """The posters' tags in every language (keeping labels others may have added)."""
    for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(TAG_LABELS))):
        tag.labels = {**(tag.labels or {}), **TAG_LABELS[tag.slug]}


def _refresh_posters() -> None:
    """Give the demo posters of an earlier load today's texts. A poster is known by its
    English title (as loaded now, or with the « (demo poster) » that earlier loads added);
    one whose title a moderator changed is left alone."""
    _label_tags()
    by_title = {}
    for titles, alts, _draw, _tags in POSTERS:
        by_title[titles["en"]] = by_title[titles["en"] + OLD_TITLE_SUFFIX] = (titles, alts)
    for work in db.session.scalars(select(Work).where(Work.is_demo.is_(True))):
        found = by_title.get(work.title)
        if found is not None:
            _set_poster_texts(work, *found)


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
            setattr(campaign, name, RALLY_TEXTS["en"][name])
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
    _refresh_posters()


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
