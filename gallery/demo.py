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

from .database import begin_write
from .extensions import db
from .models import Campaign, Licence, Prisoner, PrisonerStatus, PrisonerStory, SiteSetting
from .models import Tag, Work, WorkStatus, sources_from, utcnow
from .verbs.common import delete_files_after_commit
from .verbs.submissions import NewWork, create_work
from .storage import MediaStore

DEMO_REMOVED = "demo.removed"

AZAT_SOURCES = [
    ("Meduza, 4 February 2019: arrest, alleged torture, closed hearing",
     "https://meduza.io/en/news/2019/02/04/russian-graduate-student-and-anarchist-activist-faces-closed-hearing-after-alleged-torture-intimidation-searches"),
    ("openDemocracy, 1 April 2020: why the mathematician Azat Miftakhov is on trial",
     "https://www.opendemocracy.net/en/odr/why-russian-mathematician-azat-miftakhov-trial/"),
    ("Russian Life, 28 February 2024: “A Mathematician in Prison. Again”",
     "https://russianlife.com/the-russia-file/a-mathematician-in-prison-again/"),
    ("Desk Russie: author page of Azat Miftakhov (biography, sentences, support)",
     "https://desk-russie.info/author/azat-miftakhov"),
]  # fmt: skip

AZAT_STORY = {
    "en": (
        "Mathematician, imprisoned in Russia since February 2019.",
        """Azat Miftakhov was born in 1993 in Nizhnekamsk, Tatarstan. In 2015 he began a
doctorate in mathematics at the Faculty of Mechanics and Mathematics of Moscow State
University. He is an anarchist and an opponent of the war.

He was arrested on 1 February 2019 and says he was tortured in custody. The first accusation,
over an explosive device, was dropped; he was kept in prison in a new case over a window
broken at an office of the ruling United Russia party in 2018, which he denies. In January
2021 he was sentenced to six years in a penal colony for "hooliganism".

In September 2023, on the day he left the colony, he was arrested again, this time for
"justifying terrorism", on the word of fellow prisoners. In March 2024 a military court in
Yekaterinburg sentenced him to four more years.

Mathematical societies of several countries have spoken up for him, and the Hadamard
doctoral school of Université Paris-Saclay made him an honorary student.""",
    ),
    "fr": (
        "Mathématicien, emprisonné en Russie depuis février 2019.",
        """Azat Miftakhov est né en 1993 à Nijnekamsk, au Tatarstan. En 2015, il commence un
doctorat de mathématiques à la faculté de mécanique et de mathématiques de l'Université d'État
de Moscou. Il est anarchiste et opposé à la guerre.

Arrêté le 1er février 2019, il dit avoir été torturé en détention. La première accusation,
liée à un engin explosif, a été abandonnée ; il a été maintenu en prison dans une nouvelle
affaire, une vitre brisée en 2018 dans un bureau du parti au pouvoir, Russie unie, qu'il nie.
En janvier 2021, il a été condamné à six ans de colonie pour « hooliganisme ».

En septembre 2023, le jour même de sa sortie de la colonie, il a été de nouveau arrêté, cette
fois pour « apologie du terrorisme », sur la parole de codétenus. En mars 2024, un tribunal
militaire d'Iekaterinbourg l'a condamné à quatre années de plus.

Des sociétés mathématiques de plusieurs pays l'ont soutenu, et l'école doctorale Hadamard de
l'Université Paris-Saclay l'a nommé étudiant d'honneur.""",
    ),
    "ru": (
        "Математик, в заключении в России с февраля 2019 года.",
        """Азат Мифтахов родился в 1993 году в Нижнекамске (Татарстан). В 2015 году поступил
в аспирантуру механико-математического факультета МГУ. Он анархист и противник войны.

Его задержали 1 февраля 2019 года; он рассказал о пытках. Первое обвинение, связанное
со взрывным устройством, сняли, но его оставили под стражей по новому делу — о разбитом
в 2018 году окне в офисе «Единой России», которое он отрицает. В январе 2021 года его
приговорили к шести годам колонии за «хулиганство».

В сентябре 2023 года, в день выхода из колонии, его снова задержали — теперь за
«оправдание терроризма», по показаниям других заключённых. В марте 2024 года военный суд
в Екатеринбурге приговорил его ещё к четырём годам.

В его поддержку выступили математические общества нескольких стран, а докторская школа
имени Адамара Университета Париж-Сакле назвала его почётным студентом.""",
    ),
}

LETTER_GUIDANCE = """- Write in **Russian** if you can: letters in other languages wait for a translator
  and may never be handed over. A short, simple letter is better than none.
- Write about everyday things: your city, books, music, the weather, mathematics.
  Say who you are and that people abroad remember him.
- **Avoid** the war, politics, the case and other prisoners' names: the prison censor
  withholds such letters, and they can harm the prisoner.
- Do not send money, stamps or photos without checking first what is allowed.
- Russian prisons accept paid electronic letters through official services; the support
  groups cited below explain the current address and the way to write."""

RALLY_DESCRIPTION = """On Saturday 20 September 2025, an Art Protest rally was held in front of
the Russian embassy in Paris, at square Robert Schuman, to demand the release of Azat
Miftakhov and of all Russian political prisoners. It was organised with the association
Solidarité FreeAzat.

Speakers recalled that Azat had then been in prison for six years, and that opponents of
the regime inside Russia, deserters and everyone jailed arbitrarily are too often forgotten.
Art Protest turns art into a way of speaking when speech is punished: drawings, posters and
prints that cross prison walls."""

RALLY_SOURCES = [
    ("Aurélien Saintoul (@A_Saintoul) on X, 20 September 2025: at the rally for Azat Miftakhov",
     "https://x.com/A_Saintoul"),
]  # fmt: skip


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
    _caption(d, (1600, 80), ["PARIS 20.09.2025", "square Robert Schuman"], "#1c2a3a")
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
     "placards on a grey square, with the words PARIS 20.09.2025, square Robert Schuman.",
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
        status=PrisonerStatus.IMPRISONED,
        detained_on=date(2019, 2, 1),
        timezone="Europe/Moscow",
        charges="“Hooliganism” (2021 verdict); “justifying terrorism” (2024 verdict)",
        sentence="Six years in a penal colony (January 2021), then four more years "
        "(March 2024, military court, Yekaterinburg)",
        letter_guidance=LETTER_GUIDANCE,
        featured=True,
        is_demo=True,
    )
    prisoner.stories = [
        PrisonerStory(locale=loc, summary=summary, body=body)
        for loc, (summary, body) in AZAT_STORY.items()
    ]
    prisoner.sources = sources_from(AZAT_SOURCES)
    return prisoner


def _rally(prisoner: Prisoner) -> Campaign:
    campaign = Campaign(
        slug="art-protest-paris-2025",
        title="Art Protest rally in Paris for Azat Miftakhov",
        held_on=date(2025, 9, 20),
        place="Square Robert Schuman, by the Russian embassy, Paris",
        summary="A rally with art for Azat Miftakhov and all Russian political prisoners, "
        "organised with Solidarité FreeAzat.",
        description=RALLY_DESCRIPTION,
        is_demo=True,
    )
    campaign.prisoners = [prisoner]
    campaign.sources = sources_from(RALLY_SOURCES)
    return campaign


def seed(store: MediaStore) -> int:
    """Add the demo profile, campaign and posters (flushed: the caller commits them all at
    once, or none); returns the number of works added."""
    begin_write()
    if db.session.scalar(select(Prisoner).where(Prisoner.slug == "azat-miftakhov")):
        return 0
    prisoner = _azat()
    campaign = _rally(prisoner)
    db.session.add_all([prisoner, campaign])
    removed_marker = db.session.get(SiteSetting, DEMO_REMOVED)
    if removed_marker is not None:
        db.session.delete(removed_marker)
    db.session.flush()
    now = utcnow()
    for i, (title, alt, draw, tags) in enumerate(POSTERS):
        fields = NewWork(
            title=title, alt_text=alt, licence=Licence.CC_BY, display_name="Demo poster",
            description="Generated by the gallery's demo loader, not made by an artist.",
            prisoner_ids=(prisoner.id,), campaign_id=campaign.id, tag_names=tags, is_demo=True,
        )  # fmt: skip
        image = _png(draw(random.Random(i)))
        create_work(store, image, fields, status=WorkStatus.APPROVED,
                    published_at=now - timedelta(hours=i))  # fmt: skip
    return len(POSTERS)


def remove(store: MediaStore) -> int:
    """Delete every demo row, and its files once that commits; returns the number of works."""
    begin_write()
    works = list(db.session.scalars(select(Work).where(Work.is_demo.is_(True))))
    keys = [w.image_key for w in works if w.image_key]
    for work in works:
        db.session.delete(work)
    db.session.execute(delete(Campaign).where(Campaign.is_demo.is_(True)))
    db.session.execute(delete(Prisoner).where(Prisoner.is_demo.is_(True)))
    unused = select(Tag.id).where(~Tag.works.any())
    db.session.execute(delete(Tag).where(Tag.id.in_(unused)))
    if db.session.get(SiteSetting, DEMO_REMOVED) is None:
        db.session.add(SiteSetting(key=DEMO_REMOVED, value=utcnow().isoformat()))
    db.session.flush()
    delete_files_after_commit(store, keys)
    return len(works)
