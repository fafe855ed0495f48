"""French, English and Russian for everyone: the interface in each language, profiles and
campaigns written per language with a visible fallback, and the artist's own words marked
with the language they were written in."""

from __future__ import annotations

import re
from datetime import UTC, date
from io import BytesIO

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Campaign, CampaignTranslation, Prisoner, PrisonerStory, Work, WorkStatus
from helpers import ROOT, csrf_from, fresh, png_bytes, saved, spaced

NOTE_FR = "Ce texte n’est pas encore disponible dans votre langue\u202f; le voici en anglais."
NOTE_RU = "Этот текст ещё не переведён на русский. Ниже — английская версия."


def untranslated_on(html: str, code: str) -> list[str]:
    """Interface strings of the catalogue that a page shows in English instead of `code`."""
    with (ROOT / "gallery" / "translations" / code / "LC_MESSAGES" / "messages.po").open(
        "rb"
    ) as fh:
        catalogue = read_po(fh, locale=code)
    visible = re.sub(r"<[^>]+>", "\n", html)
    found = []
    for entry in catalogue:
        if not entry.id or isinstance(entry.id, tuple) or "%" in entry.id or "{" in entry.id:
            continue
        if len(entry.id) < 12 or entry.string == entry.id:
            continue
        if entry.id in visible:
            found.append(entry.id)
    return found


PAGES = [
    "/",
    "/works",
    "/prisoners",
    "/prisoners/azat-miftakhov",
    "/campaigns/art-protest-paris-2025",
    "/submit",
    "/help/artists",
    "/impact",
    "/impact/prisoners/azat-miftakhov",
    "/impact/campaigns/art-protest-paris-2025",
]


@pytest.mark.parametrize("code", ["fr", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_read_in_french_and_russian(client, demo, code, path):
    response = client.get(f"/{code}{path}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{code}">' in html
    assert untranslated_on(html, code) == []


@pytest.mark.parametrize("code", ["fr", "ru"])
def test_a_work_its_report_form_and_the_thanks_read_in_french_and_russian(client, demo, code):
    work = db.session.scalar(select(Work))
    for path in (f"/works/{work.public_id}", f"/works/{work.public_id}/report", "/reports/thanks"):
        html = client.get(f"/{code}{path}").get_data(as_text=True)
        assert untranslated_on(html, code) == [], path
    assert "Лицензия" in client.get(f"/ru/works/{work.public_id}").get_data(as_text=True)


def test_the_demo_profile_is_written_in_each_language(client, demo):
    for code, words in [
        ("en", ("Nizhnekamsk", "five years and nine months", "libertepourazat@gmail.com")),
        ("fr", ("Nijnekamsk", "cinq ans et neuf mois", "colonie pénitentiaire")),
        ("ru", ("Нижнекамске", "пяти лет и девяти месяцев", "по делу об «оправдании терроризма»")),
    ]:
        html = spaced(client.get(f"/{code}/prisoners/azat-miftakhov").get_data(as_text=True))
        for word in words:
            assert word in html, (code, word)
        assert NOTE_FR not in html and NOTE_RU not in html  # nothing falls back
    demo_text = (ROOT / "gallery" / "commands" / "demo" / "texts.py").read_text()
    for forbidden in (
        "Жлобицк",
        "Zhlob",
        "самооборон",
        "samooborona",
        "opponent of the war",
        "opposé à la guerre",
        "противник войны",
        "qu’il nie",
        "которое он отрицает",
        "задержали за",
    ):
        assert forbidden not in demo_text, forbidden


def test_the_demo_campaign_in_each_language(client, demo):
    fr = client.get("/fr/campaigns/art-protest-paris-2025").get_data(as_text=True)
    ru = client.get("/ru/campaigns/art-protest-paris-2025").get_data(as_text=True)
    assert "place de Colombie" in fr and "Robert-Schuman" in fr
    assert "площадь Колумбии" in ru or "place de Colombie" in ru
    assert "blogs.mediapart.fr/solidarite-freeazat" in fr
    assert "x.com" not in fr


def test_missing_texts_fall_back_to_english_with_a_note(client, make_prisoner):
    prisoner = make_prisoner(
        story="The story in English.", charges="Hooliganism", sentence="Six years"
    )
    prisoner.stories.append(PrisonerStory(locale="fr", body="L’histoire en français."))
    db.session.commit()
    fr = client.get(f"/fr/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert "L’histoire en français." in fr and "The story in English." not in fr
    # No French charges: the English ones, marked as English, with the note.
    assert '<dd lang="en">Hooliganism</dd>' in fr
    assert fr.count(NOTE_FR) == 1
    ru = client.get(f"/ru/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert 'lang="en">' in ru and "The story in English." in ru and NOTE_RU in spaced(ru)
    en = client.get(f"/en/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert "The story in English." in en and 'role="note">This text' not in en


def test_without_english_the_original_language_is_shown(client, make_prisoner):
    prisoner = make_prisoner(story="", original_locale="ru")
    prisoner.stories = [PrisonerStory(locale="ru", body="История по-русски.")]
    db.session.commit()
    fr = client.get(f"/fr/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert '<div class="prose" lang="ru"><p>История по-русски.</p></div>' in fr
    assert "le voici en russe." in fr


def test_campaign_texts_per_language(client):
    campaign = saved(
        Campaign(
            slug="rally",
            title="Rally",
            place="Paris",
            original_locale="en",
            translations=[CampaignTranslation(locale="fr", title="Rassemblement")],
        )
    )
    fr = client.get(f"/fr/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "<h1>Rassemblement</h1>" in fr
    assert '<span lang="en">Paris</span>' in fr
    ru = client.get(f"/ru/campaigns/{campaign.slug}").get_data(as_text=True)
    assert '<h1 lang="en">Rally</h1>' in ru


def test_moderators_write_each_language_on_one_page_and_see_what_is_missing(client, moderator):
    response = client.post(
        "/moderation/prisoners/new",
        data={
            "csrf_token": moderator,
            "name": "Ada",
            "status": "imprisoned",
            "timezone": "Europe/Moscow",
            "original_locale": "ru",
            "story_ru": "История.",
            "charges_ru": "«Хулиганство»",
            "story_en": "A story.",
            "charges_fr": "« Hooliganisme »",
        },
    )
    assert response.status_code == 303
    fresh()
    prisoner = db.session.scalar(select(Prisoner))
    texts = {s.locale: (s.body, s.charges) for s in prisoner.stories}
    assert prisoner.original_locale == "ru"
    assert texts == {
        "ru": ("История.", "«Хулиганство»"),
        "en": ("A story.", None),
        "fr": (None, "« Hooliganisme »"),
    }
    edit = client.get(f"/moderation/prisoners/{prisoner.id}/edit").get_data(as_text=True)
    assert edit.count("not written yet") == 1  # French has charges but no story yet
    listing = client.get("/moderation/prisoners").get_data(as_text=True)
    assert "Not written yet in: French" in listing
    # The story in the original language is required.
    response = client.post(
        f"/moderation/prisoners/{prisoner.id}/edit",
        data={
            "csrf_token": moderator,
            "name": "Ada",
            "status": "imprisoned",
            "timezone": "Europe/Moscow",
            "original_locale": "fr",
            "story_en": "A story.",
        },
    )
    assert response.status_code == 200
    assert "Please write this in the language chosen as the original." in response.get_data(
        as_text=True
    )


def test_the_artists_words_keep_their_language(client, make_moderator, login):
    html = client.get("/fr/submit").get_data(as_text=True)
    assert '<option selected value="fr">Français</option>' in html
    response = client.post(
        "/fr/submit",
        data={
            "csrf_token": csrf_from(html),
            "title": "Свобода",
            "alt_text": "Красный квадрат",
            "language": "ru",
            "licence": "cc-by-4.0",
            "own_work": "y",
            "consent": "y",
            "ai_used": "no",
            "image": (BytesIO(png_bytes()), "art.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    fresh()
    work = db.session.scalar(select(Work))
    assert work.text_locale == "ru"
    work.status, work.published_at = WorkStatus.APPROVED, work.submitted_at
    db.session.commit()
    fr = client.get(f"/fr/works/{work.public_id}").get_data(as_text=True)
    assert '<span lang="ru">Свобода</span>' in fr and 'alt="Красный квадрат" lang="ru"' in fr
    ru = client.get(f"/ru/works/{work.public_id}").get_data(as_text=True)
    assert "<span>Свобода</span>" in ru  # already the page's language


def test_the_untranslated_check_sees_english(client, demo):
    english = client.get("/en/submit").get_data(as_text=True)
    assert 'class="field-error"' not in english  # no error shown (their texts wait in
    # the fields' data-msg-required, for the form's script)
    assert len(untranslated_on(english, "fr")) > 20


def test_french_dates_say_premier(client, make_prisoner):
    prisoner = make_prisoner(detained_on=date(2019, 2, 1))
    fr = client.get(f"/fr/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert "depuis le 1er\u00a0février 2019" in fr  # « 1er » kept with its month
    ru = client.get(f"/ru/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert "с\u00a01\u00a0февраля 2019" in ru  # no line break inside «с 1 февраля»


@pytest.mark.parametrize("code", ["fr", "ru"])
def test_the_submit_form_with_errors_reads_in_french_and_russian(client, code):
    html = client.get(f"/{code}/submit").get_data(as_text=True)
    response = client.post(
        f"/{code}/submit",
        data={"csrf_token": csrf_from(html), "email": "not-an-address", "tags": "✊"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count('class="field-error"') >= 5
    assert untranslated_on(page, code) == []


@pytest.mark.parametrize("code", ["fr", "ru"])
def test_the_moderators_pages_read_in_french_and_russian(client, demo, moderator, code):
    work = db.session.scalar(select(Work))
    campaign = db.session.scalar(select(Campaign))
    pages = [
        "/moderation/",
        f"/moderation/works/{work.id}",
        "/moderation/reports",
        "/moderation/audit",
        "/moderation/published",
        "/moderation/prisoners",
        f"/moderation/prisoners/{demo.id}/edit",
        f"/moderation/campaigns/{campaign.id}/edit",
        "/moderation/prisoners/new",
        "/moderation/moderators",
        "/account/password",
    ]
    admins_only = {
        "/moderation/moderators"
    }  # the fixture is a plain moderator: refused, translated
    for path in pages:
        response = client.get(path, query_string={"lang": code})
        assert response.status_code == (403 if path in admins_only else 200), path
        assert untranslated_on(response.get_data(as_text=True), code) == [], path


def test_a_receipt_gives_the_time_sent_in_words_to_the_minute_and_in_utc(client, pending):
    from datetime import datetime

    work, token = pending(png_bytes())
    work.submitted_at = datetime(2026, 12, 1, 23, 42, 58, tzinfo=UTC)
    db.session.commit()
    fr = client.get(f"/fr/submissions/{token}").get_data(as_text=True)
    assert "1er décembre 2026 à 23 h 42 (UTC)" in spaced(fr)
    assert "23:42:58" not in fr
    en = client.get(f"/en/submissions/{token}").get_data(as_text=True)
    assert "December 1, 2026 at 23:42 (UTC)" in en
    ru = client.get(f"/ru/submissions/{token}").get_data(as_text=True)
    assert "1 декабря 2026 г., 23:42 (UTC)" in spaced(ru)


def test_french_short_dates_also_say_premier(app):
    from flask_babel import force_locale

    from gallery.models.labels import dateformat

    with app.test_request_context(), force_locale("fr"):
        assert dateformat(date(2026, 12, 1), "medium") == "1er déc. 2026"
        assert dateformat(date(2026, 12, 11), "medium") == "11 déc. 2026"
        assert dateformat(date(2026, 12, 1), "short") == "01/12/2026"


def test_a_report_resolution_follows_french_punctuation(app):
    from flask_babel import force_locale

    from gallery.models.labels import resolution_label

    with app.test_request_context():
        with force_locale("fr"):
            assert resolution_label("unpublish: too close") == "dépubliée\u00a0: too close"
        with force_locale("en"):
            assert resolution_label("unpublish: too close") == "unpublished: too close"


@pytest.mark.parametrize(
    ("code", "summary"),
    [
        (
            "fr",
            "Votre envoi n’a pas encore été enregistré. Corrigez les champs indiqués ci-dessous.",
        ),
        ("ru", "Ваша работа пока не сохранена. Исправьте, пожалуйста, поля, отмеченные ниже."),
        ("en", "Your work has not been saved yet. Please correct the fields marked below."),
    ],
)
def test_the_submit_forms_error_summary_first_says_nothing_was_saved(client, code, summary):
    html = client.get(f"/{code}/submit").get_data(as_text=True)
    response = client.post(f"/{code}/submit", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 400
    problem = response.get_data(as_text=True).split('id="form-problem"')[1].split("</")[0]
    assert summary in problem


def test_published_reads_as_a_date_on_the_work_and_as_a_list_for_moderators(
    client, make_work, moderator
):
    work = make_work()
    fr = client.get(f"/fr/works/{work.public_id}").get_data(as_text=True)
    assert "<dt>Date de publication</dt>" in fr
    nav = client.get("/moderation/", query_string={"lang": "fr"}).get_data(as_text=True)
    assert ">Œuvres publiées<" in nav.split('href="/moderation/published"')[1][:40]
    form = client.get("/moderation/prisoners/new", query_string={"lang": "fr"}).get_data(
        as_text=True
    )
    assert "<legend>Identité</legend>" in form
    audit = client.get("/moderation/audit", query_string={"lang": "fr"}).get_data(as_text=True)
    assert ">Qui</th>" in audit
