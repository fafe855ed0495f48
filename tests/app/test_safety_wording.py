"""What the submission form tells artists about their safety (issue 23), in the three
languages: the safety block, the box that asks the moderators to cover faces (a request in
the first person, not an order to the artist), and the hints beside the fields. Each
promise the block makes is checked against what the code does."""

from __future__ import annotations

import html as html_lib
import logging
import re
from pathlib import Path

import pytest

from gallery import mail
from gallery.web import limits
from helpers import form_data, png_bytes, post

ONION = "http://artprotestexample4v5qa2xjn7ltkfdr6gxqoup7w3vfhpnkaqekjqsahgyd.onion"

# Key sentences of the safety block, as a reader of each language sees them.
SAFETY = {
    "en": [
        "Your safety, in Russia and elsewhere",
        "Connect through a VPN or Tor.",
        "The gallery writes no visitor’s IP address in its logs.",
        "may still log addresses",
        "avoid Russian services (Yandex, Mail.ru and others)",
        "We erase your address when the work is rejected or when you withdraw it",
        "Choose a new pseudonym.",
        "in a password manager rather than in your browser’s bookmarks",
        "In Kansk in 2020, three 14-year-olds were arrested after putting up leaflets in support "
        "of Azat Miftakhov",
        "“extremist”, “terrorist” or “undesirable”",
        "not out of the screenshots, copies or web archives",
    ],
    "fr": [
        "Votre sécurité, en Russie et ailleurs",
        "Passez par un VPN ou par Tor.",
        "La galerie n’inscrit l’adresse IP d’aucun visiteur dans ses journaux.",
        "peut toutefois enregistrer les adresses",
        "évitez les messageries russes (Yandex, Mail.ru et les autres)",
        "Nous effaçons votre adresse si l’œuvre est refusée ou si vous la retirez",
        "Choisissez un pseudonyme neuf.",
        "dans un gestionnaire de mots de passe plutôt que dans les favoris du navigateur",
        "À Kansk, en 2020, trois adolescents de 14 ans ont été arrêtés après avoir collé des tracts "
        "de soutien à Azat Miftakhov",
        "« extrémistes », « terroristes » ou « indésirables »",
        "mais pas des captures d’écran, copies ou archives du web",
    ],
    "ru": [
        "Ваша безопасность — в России и не только",
        "Заходите через VPN или Tor.",
        "Галерея не записывает IP-адреса посетителей в журналы.",
        "могут записывать адреса",
        "не используйте российские сервисы (Яндекс, Mail.ru и другие)",
        "Мы удаляем ваш адрес, если работу отклонят или вы её отзовёте",
        "Возьмите новый псевдоним.",
        "не в закладках браузера, а, например, в менеджере паролей",
        "В 2020 году в Канске троих 14-летних подростков задержали после того, как они "
        "расклеили листовки в поддержку Азата Мифтахова",
        "экстремистскими, террористическими или «нежелательными»",
        "но не из чужих скриншотов, копий и веб-архивов",
    ],
}

COVER_BOX = {
    "en": "I ask the moderators to cover faces and other identifying details before publishing",
    "fr": "Je demande à l’équipe de modération de masquer les visages et autres détails "
    "identifiants avant publication",
    "ru": "Прошу модераторов закрыть лица и другие опознавательные детали перед публикацией",
}
# The old labels read as an order to the artist ("cover them yourself").
OLD_COVER_BOX = {
    "en": "Please cover faces and other identifying details before publishing",
    "fr": "Merci de couvrir les visages",
    "ru": "Пожалуйста, закройте лица",
}


def text_of(page: str) -> str:
    """The page's text as a reader gets it: tags dropped, entities decoded, every kind of
    space (the French no-break ones too) made one plain space."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def safety_block(page: str) -> str:
    found = re.search(
        r'<details class="notice notice--safety" id="safety">(.*?)</details>', page, re.S
    )
    assert found, "no safety block"
    return found.group(1)


def plain(sentence: str) -> str:
    return sentence.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_safety_block_renders_in_each_language(client, code):
    response = client.get(f"/{code}/submit")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    block = text_of(safety_block(page))
    missing = [s for s in SAFETY[code] if plain(s) not in block]
    assert missing == []
    # Above the form, in a <details> whose summary is a heading: readable without JavaScript.
    assert page.index('id="safety"') < page.index('<form class="form"')
    assert re.search(r'<details class="notice notice--safety" id="safety">\s*<summary><h2>', page)
    # The Kansk case is a fact about real people: its source sits beside the string.
    template = (
        Path(__file__).resolve().parents[2] / "gallery" / "templates" / "submit" / "form.html"
    )
    assert "caseazatmiftakhov.org/2022/02/10/a-teenager-was-sentenced" in template.read_text(
        "utf-8"
    )


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_cover_box_is_a_request_to_the_moderators(client, code):
    page = client.get(f"/{code}/submit").get_data(as_text=True)
    label = re.search(r'<label for="cover">([^<]*)</label>', page)
    assert label and plain(html_lib.unescape(label.group(1))) == plain(COVER_BOX[code])
    text = text_of(page)
    assert OLD_COVER_BOX[code] not in text
    # The privacy notice and the cover tool's two messages quote the box as it reads now.
    assert text.count(plain(COVER_BOX[code])) >= 2  # the label and the privacy notice
    assert (
        html_lib.unescape(page)
        .replace("\u202f", " ")
        .replace("\u00a0", " ")
        .count(plain(COVER_BOX[code]))
        >= 4
    )


def test_the_onion_address_is_in_the_block_only_when_there_is_one(app_factory):
    without = app_factory().test_client().get("/submit").get_data(as_text=True)
    assert "This site’s address on Tor:" not in without
    page = app_factory(ONION_URL=ONION).test_client().get("/submit").get_data(as_text=True)
    block = safety_block(page)
    assert "This site’s address on Tor:" in block
    assert f'<a href="{ONION}" rel="noopener">{ONION}</a>' in block


def test_the_e_mail_sentence_follows_the_mail_setting(app_factory):
    """What the decision e-mail shows is said only when the form offers the e-mail; the
    address's fate is said either way."""
    sentence = "but the link in it leads to this site, and the sender’s address may show it too"
    page = app_factory().test_client().get("/submit").get_data(as_text=True)
    assert sentence not in safety_block(page)
    assert "We erase your address when the work is rejected" in safety_block(page)
    mailing = app_factory(MAIL_SERVER="127.0.0.1", MAIL_DEFAULT_SENDER="gallery@example.org")
    page = mailing.test_client().get("/submit").get_data(as_text=True)
    assert sentence in safety_block(page)
    assert "Its subject and its sender’s name mention neither the work nor the gallery" in page


def test_what_the_block_says_of_the_e_mail_is_what_the_message_does(app):
    """The subject and the sender's name are neutral; the link is at the site."""
    payload = {
        "to": "artist@example.org",
        "url": "https://gallery.example/ru/submissions/abc",
        "locale": "ru",
    }
    message = mail.compose(mail.APPROVED, payload, "Art Protest <noreply@gallery.example>")
    for header in (message["Subject"], message["From"]):
        assert "Art Protest" not in header and "галере" not in header.lower()
    assert "https://gallery.example/ru/submissions/abc" in message.get_content()
    assert message["From"].addresses[0].addr_spec == "noreply@gallery.example"


def test_no_client_address_is_logged_and_the_limit_keeps_a_keyed_hash(app, client, caplog):
    """The block says the gallery writes no IP address in its logs and keeps only a keyed
    hash for its limits: a request from a known address leaves neither."""
    address = "203.0.113.77"
    with caplog.at_level(logging.DEBUG):
        for path in ("/submit", "/en/submit", "/nowhere"):
            client.get(path, environ_base={"REMOTE_ADDR": address})
    assert caplog.records, "the app logs requests"
    assert not [r for r in caplog.records if address in r.getMessage()]
    with app.test_request_context("/submit", environ_base={"REMOTE_ADDR": address}):
        key = limits.client_key()
    assert address not in key and "203.0.113" not in key


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("en", "A pseudonym is fine, but not one you use on social networks."),
        ("fr", "Un pseudonyme convient, mais pas celui que vous utilisez sur les réseaux sociaux."),
        ("ru", "Подойдёт и псевдоним — но не тот, под которым вас знают в соцсетях."),
        ("en", "it is erased if the work is rejected or you withdraw it"),
        ("fr", "elle est effacée si l’œuvre est refusée ou si vous la retirez"),
        ("ru", "если работу отклонят или вы её отзовёте, адрес удаляется"),
        ("en", "at most 2560 pixels on its longer side"),
        ("fr", "au plus 2 560 pixels sur son plus grand côté"),
        ("ru", "не больше 2560 пикселей по длинной стороне"),
        ("ru", "каждого лица, вывески, таблички, татуировки или номера машины"),
        ("ru", "размытие иногда удаётся обратить"),
    ],
)
def test_the_hints_say_what_the_reviews_asked(client, code, hint):
    assert plain(hint) in text_of(client.get(f"/{code}/submit").get_data(as_text=True))


@pytest.mark.parametrize(
    ("code", "keep", "avoid", "gone"),
    [
        (
            "en",
            "such as a password manager",
            "do not keep it in your browser’s bookmarks",
            "Bookmark it",
        ),
        (
            "fr",
            "dans un gestionnaire de mots de passe",
            "évitez les favoris du navigateur",
            "Ajoutez-la à vos favoris",
        ),
        (
            "ru",
            "например в менеджере паролей",
            "не храните её в закладках браузера",
            "Добавьте страницу в закладки",
        ),
    ],
)
def test_the_receipt_keeps_the_link_out_of_bookmarks(client, code, keep, avoid, gone):
    sent = post(client, form_data(client, png_bytes()), url=f"/{code}/submit")
    assert sent.status_code == 303
    receipt = text_of(client.get(sent.headers["Location"]).get_data(as_text=True))
    assert plain(keep) in receipt and plain(avoid) in receipt
    assert gone not in receipt
