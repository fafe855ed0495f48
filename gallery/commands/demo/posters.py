"""The demo posters as works: their titles, alt texts and tags in every language, loaded as
published works of the demo prisoner and campaign, and given today's texts again when an
earlier load is refreshed."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import select

from ... import search
from ...core.text import render_markdown
from ...extensions import db
from ...media import MediaStore
from ...models import Licence, Tag, Work, WorkStatus, WorkText, utcnow
from ...verbs.submissions import NewWork, create_work
from .drawings import (
    poster_chain,
    poster_days,
    poster_letters,
    poster_maths,
    poster_rally,
    poster_window,
)

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


def add_posters(store: MediaStore, prisoner_id: int, campaign_id: int) -> int:
    """Load the posters as published demo works of the prisoner and the campaign, each with
    its texts in every language (flushed); returns how many."""
    now = utcnow()
    for i, (titles, alts, draw, tags) in enumerate(POSTERS):
        fields = NewWork(
            title=titles["en"],
            alt_text=alts["en"],
            licence=Licence.CC_BY,
            display_name=DEMO_ARTIST,
            text_locale="en",
            prisoner_ids=(prisoner_id,),
            campaign_id=campaign_id,
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


def refresh_posters() -> None:
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
