"""The demo profile of a real person, as the December 2026 fact-check corrected it: the
facts in each language, its sources (titled per language, "undesirable" outlets marked),
the letter guidance, and no call to share a source a reader in Russia can be punished for
reposting."""

from __future__ import annotations

import re

import pytest

from helpers import ROOT


def visible(html: str) -> str:
    """The page's text as read: tags dropped, every kind of space one plain space."""
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


CORRECTED = {
    "en": [
        "when the 72 hours for which a court had extended his detention ran out, he was released without charge",
        "Hours later police detained him again",
        "on 12 February a Moscow court remanded him in custody",
        "members of a public monitoring commission who visited him said they saw marks",
        "cut to five years and nine months on cassation (April 2022)",
        "the first two and a half in a prison, the rest in a strict-regime penal colony",
        "The prosecutor had asked for three",
        "He pleaded not guilty and said the evidence against him had been fabricated",
        "In August 2025 his lawyer said he had about two years left to serve",
        "with the UN Working Group on Arbitrary Detention",
    ],
    "fr": [
        "à l’expiration des 72 heures de prolongation de sa garde à vue accordées par un tribunal, il a été relâché sans avoir été inculpé",
        "le 12 février un tribunal de Moscou l’a placé en détention provisoire",
        "des membres d’une commission publique de surveillance",
        "ramenés à cinq ans et neuf mois en cassation (avril 2022)",
        "les deux premières années et demie en prison, le reste en colonie pénitentiaire à régime strict",
        "Le parquet avait requis trois ans",
        "Il a plaidé non coupable",
        "En août 2025, son avocate indiquait qu’il lui restait environ deux ans à purger",
        "le Groupe de travail de l’ONU sur la détention arbitraire",
    ],
    "ru": [
        "когда истекли 72 часа, на которые суд продлил его задержание, его отпустили",
        "12 февраля московский суд отправил его под стражу",
        "члены общественной наблюдательной комиссии",
        "в апреле 2022 года кассационный суд сократил срок до пяти лет и девяти месяцев",
        "первые два с половиной года — в тюрьме, остальное — в колонии строгого режима",
        "Прокурор просил три года",
        "Мифтахов вину не признал и заявил, что доказательства против него сфальсифицированы",
        "В августе 2025 года адвокат сообщила, что ему осталось около двух лет",
        "в Рабочую группу ООН по произвольным задержаниям",
    ],
}
WRONG = {
    "en": [
        "lack of evidence",
        "on appeal (April 2022)",
        "the first part in a prison",
        "second arrest",
    ],
    "fr": ["faute de preuves", "la première partie", "deuxième arrestation"],
    "ru": ["отсутствия доказательств", "первую часть срока", "второго задержания"],
}


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_corrected_facts_in_each_language(client, demo, code):
    prefix = "" if code == "en" else f"/{code}"
    page = visible(client.get(f"{prefix}/prisoners/azat-miftakhov").get_data(as_text=True))
    campaign = visible(
        client.get(f"{prefix}/campaigns/art-protest-paris-2025").get_data(as_text=True)
    )
    for fact in CORRECTED[code]:
        assert fact in page, fact
    for wrong in WRONG[code]:
        assert wrong not in page and wrong not in campaign, wrong


GUIDANCE = {
    "en": [
        "Ask before you write.",
        "t.me/freeazat",
        "libertepourazat@gmail.com",
        "Write in Russian.",
        "How letters travel.",
        "letters-now.org",
        "LGBTQ+",
        "the censor can pass a letter on to investigators",
        "transfers to him are blocked and reported",
        "Do not send him money from Russia",
    ],
    "fr": [
        "Renseignez-vous avant d’écrire.",
        "Écrivez en russe.",
        "Comment les lettres voyagent.",
        "letters-now.org",
        "LGBTQ+",
        "la censure peut transmettre une lettre aux enquêteurs",
        "N’envoyez pas d’argent depuis la Russie",
    ],
    "ru": [
        "Прежде чем писать, спросите.",
        "Пишите по-русски.",
        "Как доходят письма.",
        "letters-now.org",
        "ЛГБТК+",
        "цензор может передать письмо следователям",
        "Не переводите ему деньги из России",
    ],
}
# The channel the sources say has ended (letters collected "until 11 February 2024") must not
# read as current.
ENDED = {
    "en": "collects letters to Azat at libertepourazat@gmail.com, translates them",
    "fr": "recueille les lettres adressées à Azat",
    "ru": "собирает письма Азату",
}


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_letter_guidance_is_current_and_sourced(client, demo, code):
    prefix = "" if code == "en" else f"/{code}"
    page = visible(client.get(f"{prefix}/prisoners/azat-miftakhov").get_data(as_text=True))
    for line in GUIDANCE[code]:
        assert line in page, line
    assert ENDED[code] not in page
    urls = {s.url for s in demo.sources}
    for cited in (
        "https://memopzk.org/en/kak-pisat-pisma-politzaklyuchyonnym",
        "https://dept.one/memo/perepiska/",
        "https://www.rightsinrussia.org/write-to-russia/",
        "https://cahiersdumouvementouvrier.org/urgent-ouverture-du-proces-dazat-miftakhov/",
    ):
        assert cited in urls, cited


def test_the_sources_are_the_checked_ones(client, demo):
    urls = [s.url for s in demo.sources]
    for added in (
        "https://memopzk.org/figurant/miftahov-azat-fanisovich/",  # Memorial's profile
        "https://universite-paris-saclay.fr/en/doctoral-schools/doctoral-school-mathematics-hadamard-edmh",
        "https://zona.media/online/2023/09/05/azat",
        "https://zona.media/article/2025/08/06/azat",
        "https://ntv.ru/novosti/amp/2819620",
    ):
        assert added in urls, added
    for dropped in ("gefangen-in-russland.de", "russianlife.com", "ukraine-solidarity.eu"):
        assert not any(dropped in url for url in urls), dropped
    marked = {s.url.split("/")[2] for s in demo.sources if s.undesirable}
    assert marked == {"meduza.io", "rferl.org", "moscowtimes.ru", "novayagazeta.eu"}
    demo_py = (ROOT / "gallery" / "commands" / "demo" / "seed.py").read_text()
    birth_comment = demo_py[: demo_py.index("AZAT_BIRTH_DATE = date(1993, 3, 22)")].rsplit(
        "\n\n", 1
    )[1]
    assert "Memorial" in birth_comment and "Gefangen" not in demo_py


@pytest.mark.parametrize(
    ("code", "title", "badge", "warning"),
    [
        (
            "en",
            "Meduza, 18 January 2021: a Moscow court sentences him to six years",
            "“undesirable” in Russia",
            "reposting material from an outlet marked “undesirable” is punished with a fine",
        ),
        (
            "fr",
            "Meduza (en anglais), 18 janvier 2021 : un tribunal de Moscou le condamne à six ans de colonie",
            "« indésirable » en Russie",
            "republier les contenus d’un média marqué « indésirable » est puni d’une amende",
        ),
        (
            "ru",
            "«Медуза» (на английском), 18 января 2021 года: московский суд приговорил Мифтахова к шести годам",
            "«нежелательная» в России",
            "за репост материалов изданий с пометкой «нежелательная» штрафуют",
        ),
    ],
)
def test_sources_in_the_readers_language_with_undesirable_outlets_marked(
    client, demo, code, title, badge, warning
):
    prefix = "" if code == "en" else f"/{code}"
    page = visible(client.get(f"{prefix}/prisoners/azat-miftakhov").get_data(as_text=True))
    assert f"{title} {badge}" in page
    assert warning in page
    api = client.get(f"/api/prisoners/azat-miftakhov?lang={code}").get_json()
    meduza = next(s for s in api["sources"] if "meduza.io/en/news/2021" in s["url"])
    assert (
        visible(meduza["title"]),
        meduza["title_language"],
        meduza["undesirable_in_russia"],
    ) == (title, code, True)


SHARE_CALLS = (
    "Sharing their news",
    "share their news",
    "Relayer leurs",
    "relayer leurs",
    "Делитесь",
    "делитесь",
    "Рассказывайте о нём",
)


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_no_page_asks_readers_to_share_a_source(client, demo, code):
    prefix = "" if code == "en" else f"/{code}"
    for path in (
        "/",
        "/prisoners",
        "/prisoners/azat-miftakhov",
        "/campaigns/art-protest-paris-2025",
        "/works",
    ):
        page = visible(client.get(f"{prefix}{path}").get_data(as_text=True))
        for call in SHARE_CALLS:
            assert call not in page, (path, call)
    for catalogue in ("fr", "ru"):
        po = (
            ROOT / "gallery" / "translations" / catalogue / "LC_MESSAGES" / "messages.po"
        ).read_text()
        assert "Sharing their news" not in po
