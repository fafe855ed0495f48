"""A prisoner's name in the reader's script (issue 23, Russian review §4): Russian pages,
feeds, share previews, PDFs and API answers say «Азат Мифтахов», French and English ones
"Azat Miftakhov"; the other spelling is a secondary line with its own language; no Russian
string puts the nominative name straight after a preposition."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
from babel.messages.pofile import read_po
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Prisoner, PrisonerStory, Work
from helpers import fresh, spaced

RU_NAME, LATIN_NAME = "Азат Мифтахов", "Azat Miftakhov"
PROFILE = "/prisoners/azat-miftakhov"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return spaced(response.get_data(as_text=True))  # no-break spaces read as spaces


def tag(html: str, name: str) -> str:
    """The whole first <name ...>...</name> element of a page."""
    found = re.search(rf"<{name}\b[^>]*>.*?</{name}>", html, re.S)
    assert found, name
    return found.group(0)


def meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert found, key
    return found.group(1)


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


# ---- pages ----


def test_the_russian_profile_is_headed_and_shared_in_cyrillic(client, demo):
    html = page(client, f"/ru{PROFILE}")
    assert tag(html, "h1") == f"<h1>{RU_NAME}</h1>"
    assert text(tag(html, "title")).startswith(f"{RU_NAME} ·")
    assert meta(html, "og:title") == RU_NAME
    assert meta(html, "twitter:title") == RU_NAME
    # The Latin spelling is the secondary line, marked as English; no line repeats the name.
    assert f'<p class="native-name" lang="en">{LATIN_NAME}</p>' in html
    assert f'lang="ru">{RU_NAME}</p>' not in html
    assert "Как написать письмо" in html and "Написать письмо: " not in html


def test_the_french_profile_keeps_the_latin_name_and_marks_the_cyrillic_one(client, demo):
    html = page(client, f"/fr{PROFILE}")
    assert tag(html, "h1") == f"<h1>{LATIN_NAME}</h1>"
    assert meta(html, "og:title") == LATIN_NAME
    assert f'<p class="native-name" lang="ru">{RU_NAME}</p>' in html
    assert "Comment lui écrire" in html


def test_cards_filters_and_lists_name_the_prisoner_in_the_readers_script(client, demo):
    works = page(client, "/ru/works")
    cards = re.findall(r'<p class="card__meta">(.*?)</p>', works, re.S)
    assert cards and all(f"в поддержку: {RU_NAME}" in text(card) for card in cards)
    assert f'value="azat-miftakhov">{RU_NAME}</option>' in works
    assert not any(LATIN_NAME in card for card in cards)
    prisoners = page(client, "/ru/prisoners")
    assert f">{RU_NAME}</a>" in prisoners
    home = page(client, "/ru/")
    assert f"{RU_NAME}: как помочь" in home
    show = page(client, "/ru/show")
    assert f"в поддержку: {RU_NAME}" in show
    submit = page(client, "/ru/submit")
    assert re.search(rf"<label[^>]*>{RU_NAME}</label>", submit)
    assert f"pour {LATIN_NAME}" in text(page(client, "/fr/works"))


def test_a_work_page_names_the_prisoner_first_in_russian(client, demo):
    work = db.session.scalar(select(Work).where(Work.is_demo.is_(True)).limit(1))
    html = page(client, f"/ru/works/{work.public_id}")
    assert f"{RU_NAME}: как помочь" in html
    assert f"{RU_NAME}: как написать письмо" in html


def test_search_finds_the_profile_by_each_spelling_and_shows_the_readers_one(client, demo):
    for query in ("Азат", "Miftakhov"):
        html = page(client, f"/ru/search?q={query}")
        assert re.search(
            r'<h2><a href="/ru/prisoners/azat-miftakhov">(<mark>)?Азат(</mark>)? Мифтахов</a>', html
        ), query


def test_no_nominative_name_after_a_preposition(client, demo):
    """The Russian catalogue never puts a name placeholder straight after a preposition
    («В поддержку Азат Мифтахов»), and the rendered pages and feed never show it."""
    po = Path(__file__).resolve().parents[2] / "gallery/translations/ru/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="ru")
    prepositions = {
        "в",
        "во",
        "для",
        "к",
        "ко",
        "о",
        "об",
        "от",
        "с",
        "со",
        "у",
        "по",
        "за",
        "на",
        "про",
        "без",
        "поддержку",
        "солидарности",
    }
    # A moderator's login is not a person's name to decline: «Пароль для mod» reads right.
    logins = {"New password for %(name)s", "Password for %(name)s"}
    for message in catalog:
        if not message.id or message.id in logins or not isinstance(message.string, str):
            continue
        for before in re.findall(r"(\S+)\s+%\((?:name|names)\)s", message.string):
            assert before.casefold() not in prepositions, (message.id, message.string)
    pages = [
        page(client, url)
        for url in (
            "/ru/",
            "/ru/works",
            f"/ru{PROFILE}",
            "/ru/show",
            "/ru/feed.atom",
            f"/ru{PROFILE}/feed.atom",
        )
    ]
    for html in pages:
        assert not re.search(rf"(?i)поддержку\s+{RU_NAME}", text(html))
        assert not re.search(r"(?i)поддержку\s+Azat", text(html))


# ---- feeds, PDFs, API ----


def test_the_russian_feed_names_the_prisoner_in_cyrillic(client, demo):
    feed = page(client, f"/ru{PROFILE}/feed.atom")
    title = re.search(r"<title>(.*?)</title>", feed).group(1)
    assert title == f"Art Protest — работы в поддержку: {RU_NAME}"
    assert f'В поддержку: &lt;a href="http://localhost/ru{PROFILE}"&gt;{RU_NAME}&lt;/a&gt;' in feed
    profile = page(client, f"/ru{PROFILE}")
    assert f'title="Art Protest — работы в поддержку: {RU_NAME}"' in profile


def pdf_text(response) -> tuple[str, pypdf.PdfReader]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pypdf.PdfReader(io.BytesIO(response.data))
    return " ".join(" ".join(p.extract_text() for p in pdf.pages).split()), pdf


def test_the_russian_flyer_and_labels_name_the_prisoner_in_cyrillic(client, demo):
    flyer, pdf = pdf_text(client.get(f"/ru{PROFILE}/flyer.pdf"))
    assert flyer.startswith(RU_NAME)
    assert "Как написать письмо" in flyer and "Написать письмо" not in flyer
    assert pdf.metadata.title == RU_NAME
    labels, _pdf = pdf_text(client.get("/ru/campaigns/art-protest-paris-2025/labels.pdf"))
    assert RU_NAME in labels and LATIN_NAME not in labels
    french, pdf = pdf_text(client.get(f"/fr{PROFILE}/flyer.pdf"))
    assert french.startswith(LATIN_NAME) and pdf.metadata.title == LATIN_NAME
    labels, _pdf = pdf_text(client.get("/fr/campaigns/art-protest-paris-2025/labels.pdf"))
    assert f"{LATIN_NAME} ({RU_NAME})" in labels


def test_the_api_answers_in_russian_with_the_russian_name(client, demo):
    body = client.get("/api/prisoners/azat-miftakhov?lang=ru").get_json()
    assert (body["name"], body["name_language"]) == (RU_NAME, "ru")
    assert (body["name_native"], body["name_native_language"]) == (RU_NAME, "ru")
    works = client.get("/api/works?lang=ru").get_json()["items"]
    assert works and all(w["prisoners"][0]["name"] == RU_NAME for w in works)
    listed = client.get("/api/prisoners", headers={"Accept-Language": "ru"}).get_json()["items"]
    assert [p["name"] for p in listed] == [RU_NAME]
    english = client.get("/api/prisoners/azat-miftakhov?lang=en").get_json()
    assert (english["name"], english["name_language"]) == (LATIN_NAME, "en")


# ---- the data ----


def test_an_installation_loaded_before_gets_the_russian_name(client, demo, runner):
    prisoner = db.session.scalar(select(Prisoner).where(Prisoner.slug == "azat-miftakhov"))
    for story in prisoner.stories:
        story.name = None
    prisoner.name_native_locale = None
    db.session.commit()
    assert tag(page(client, f"/ru{PROFILE}"), "h1") == f'<h1 lang="en">{LATIN_NAME}</h1>'
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    fresh()
    assert tag(page(client, f"/ru{PROFILE}"), "h1") == f"<h1>{RU_NAME}</h1>"


def test_a_name_not_spelled_in_russian_is_shown_as_written_and_marked(client, make_prisoner):
    make_prisoner(slug="ada", name="Ada Lovelace")
    html = page(client, "/ru/prisoners/ada")
    assert tag(html, "h1") == '<h1 lang="en">Ada Lovelace</h1>'
    assert 'class="native-name"' not in html  # nothing else to say: no line repeats the name
    assert tag(page(client, "/en/prisoners/ada"), "h1") == "<h1>Ada Lovelace</h1>"


def test_russian_lists_sort_by_the_russian_names(client, make_prisoner):
    for slug, name, russian in (
        ("adams", "Adams", "Эдамс"),
        ("zhukov", "Zhukov", "Жуков"),
        ("bykov", "Bykov", "Быков"),
    ):
        prisoner = make_prisoner(slug=slug, name=name)
        prisoner.stories.append(PrisonerStory(locale="ru", name=russian))
    db.session.commit()
    html = page(client, "/ru/prisoners")
    assert re.findall(r'<h2><a href="/ru/prisoners/[a-z]+">([^<]+)</a>', html) == [
        "Быков",
        "Жуков",
        "Эдамс",
    ]
    html = page(client, "/en/prisoners")
    assert re.findall(r'<h2><a href="/en/prisoners/[a-z]+">([^<]+)</a>', html) == [
        "Adams",
        "Bykov",
        "Zhukov",
    ]


# ---- moderators ----

FORM = {
    "status": "imprisoned",
    "timezone": "Europe/Moscow",
    "original_locale": "en",
    "story_en": "A story.",
}


def test_a_moderator_sets_the_name_per_language(client, moderator):
    response = client.post(
        "/moderation/prisoners/new",
        data={
            **FORM,
            "csrf_token": moderator,
            "name": "Olena Example",
            "name_native": "Олена Приклад",
            "name_native_locale": "uk",
            "name_ru": "Елена Пример",
            "name_fr": "Olena Exemple",
        },
    )
    assert response.status_code == 303
    db.session.rollback()
    prisoner = db.session.scalar(select(Prisoner).where(Prisoner.name == "Olena Example"))
    assert {s.locale: s.name for s in prisoner.stories} == {
        "en": None,
        "fr": "Olena Exemple",
        "ru": "Елена Пример",
    }
    # A language with only a name keeps it; its other texts fall back as before.
    russian = page(client, f"/ru/prisoners/{prisoner.slug}")
    assert tag(russian, "h1") == "<h1>Елена Пример</h1>"
    assert '<p class="native-name" lang="uk">Олена Приклад</p>' in russian
    assert tag(page(client, f"/fr/prisoners/{prisoner.slug}"), "h1") == "<h1>Olena Exemple</h1>"
    assert "<mark>Елена</mark> Пример</a>" in page(client, "/ru/search?q=Елена")
    form = page(client, f"/moderation/prisoners/{prisoner.id}/edit")
    assert 'value="Елена Пример"' in form and 'value="uk"' in form
    french = page(client, f"/moderation/prisoners/{prisoner.id}/edit?lang=fr")
    assert "Modifier le profil : Olena Exemple" in french


def test_a_native_name_needs_its_language(client, moderator):
    response = client.post(
        "/moderation/prisoners/new",
        data={
            **FORM,
            "csrf_token": moderator,
            "name": "Olena Example",
            "name_native": "Олена Приклад",
        },
    )
    assert response.status_code == 200
    assert "Say which language this name is written in." in response.get_data(as_text=True)
    response = client.post(
        "/moderation/prisoners/new",
        data={
            **FORM,
            "csrf_token": moderator,
            "name": "Olena Example",
            "name_native": "Олена Приклад",
            "name_native_locale": "Ukrainian",
        },
    )
    assert response.status_code == 200
    assert "Use a language code, such as ru, uk, be or tt." in response.get_data(as_text=True)
    assert db.session.scalar(select(Prisoner).where(Prisoner.name == "Olena Example")) is None
