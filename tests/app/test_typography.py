"""Typography as a French or Russian reader expects (issue 23): the filter of
gallery/core/typography.py on its own (French, Russian, English untouched, HTML left whole,
idempotent), then where it is applied: pages, e-mails, the receipt's date, nested quotes."""

from __future__ import annotations

from datetime import datetime

import pytest

from gallery import mail
from gallery.core.typography import NBSP, NNBSP, inner_quotes, typeset, typeset_html
from helpers import saved, spaced


def shown(text: str) -> str:
    """No-break spaces made visible: ~ for U+00A0, ^ for U+202F."""
    return text.replace(NBSP, "~").replace(NNBSP, "^")


# ---- the filter ----


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Licence : CC BY", "Licence~: CC BY"),
        (f"Licence{NNBSP}: CC BY", "Licence~: CC BY"),  # I-43: one convention before the colon
        ("Vraiment ? Oui ! Non ; peut-être", "Vraiment^? Oui^! Non^; peut-être"),
        (f"Vraiment{NBSP}?", "Vraiment^?"),
        ("une affaire d’« hooliganisme »", "une affaire d’«^hooliganisme^»"),
        ("une affaire d’«hooliganisme»", "une affaire d’«^hooliganisme^»"),
        ("2 865 jours, 45 %, 25 Mo, n° 7", "2 865~jours, 45~%, 25~Mo, n°~7"),
        ("depuis le 1er février 2019", "depuis le 1er~février 2019"),
        ("https://example.org/?q=a:b!c 10:30", "https://example.org/?q=a:b!c 10:30"),
    ],
    ids=range(9),
)
def test_french(text, expected):
    assert shown(typeset(text, "fr")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("видят только модераторы — чтобы связаться", "видят только модераторы~— чтобы связаться"),
        ("акция в поддержку Азата", "акция в~поддержку Азата"),
        ("В заключении с 1 февраля 2019 г.", "В~заключении с~1~февраля 2019~г."),
        ("к и с у о а я", "к~и~с~у~о~а~я"),
        ("Я и Вы", "Я~и~Вы"),
        ("файл до 25 МБ, № 7, 2\u202f865 дней, 45 %", "файл до 25~МБ, №~7, 2^865~дней, 45~%"),
        ("слово-в слово", "слово-в слово"),  # a letter inside a word is no word
        ("Москва", "Москва"),
    ],
    ids=range(8),
)
def test_russian(text, expected):
    assert shown(typeset(text, "ru")) == expected


def test_english_and_unknown_languages_are_untouched():
    text = "Free Azat — in prison since 1 February 2019: 2,865 days « a » ? in a box"
    for locale in ("en", "en_GB", "de", None, ""):
        assert typeset(text, locale) == text
        assert typeset_html(f"<p>{text}</p>", locale) == f"<p>{text}</p>"


def test_plain_text_keeps_its_lines():
    # An e-mail: a newline before a dash or after a number stays a newline.
    assert typeset("строка 1\n— пункт\nи\nдалее", "ru") == "строка 1\n— пункт\nи\nдалее"
    assert typeset("строка 1\n— пункт", "ru", folded=True) == f"строка 1{NBSP}— пункт"


def test_html_text_only():
    html = (
        '<p class="a b" title="в доме — да" data-x=\'к нам\'>в доме — '
        '<a href="/search?q=в+доме &amp; с" title="n° 7">к нам</a> и '
        "<code>в коде — нет</code><pre>с\n — нет</pre><textarea>в поле — нет</textarea>"
        '<script>var s = "в — б";</script><style>a::before { content: "в — "; }</style>'
        "<!-- в комментарии — нет --></p>"
    )
    out = typeset_html(html, "ru")
    assert shown(out) == (
        '<p class="a b" title="в доме — да" data-x=\'к нам\'>в~доме~— '
        '<a href="/search?q=в+доме &amp; с" title="n° 7">к~нам</a> и~'
        "<code>в коде — нет</code><pre>с\n — нет</pre><textarea>в поле — нет</textarea>"
        '<script>var s = "в — б";</script><style>a::before { content: "в — "; }</style>'
        "<!-- в комментарии — нет --></p>"
    )


def test_messages_a_script_shows_are_text_too():
    html = '<div data-msg-wait="Подождите — идёт загрузка" data-x="в доме — да" title="в доме">в доме</div>'
    assert shown(typeset_html(html, "ru")) == (
        '<div data-msg-wait="Подождите~— идёт загрузка" data-x="в доме — да" title="в доме">в~доме</div>'
    )


def test_html_spaces_across_a_newline_fold():
    # A template's newline is white space in HTML: the dash still must not start a line.
    assert shown(typeset_html("<p>Азат\n    — математик</p>", "ru")) == "<p>Азат~— математик</p>"
    assert shown(typeset_html("<p>Bonjour\n  :</p>", "fr")) == "<p>Bonjour~:</p>"


def test_entities_and_urls_are_left_alone():
    html = "<p>l&#39;art &amp; la loi&nbsp;: voir https://example.org/a?b=c;d=e!f (10:30)</p>"
    assert typeset_html(html, "fr") == html


@pytest.mark.parametrize("locale", ["fr", "ru"])
def test_idempotent(locale):
    text = (
        "« Liberté » ; vraiment ? Oui ! Note : 2 865 jours — «texte» в доме к нам с 1 февраля, "
        "№ 7, 45 %, а я — тоже"
    )
    once = typeset(text, locale)
    assert typeset(once, locale) == once
    html = f"<h1>{text}</h1><p>{text} <em>{text}</em></p>"
    once = typeset_html(html, locale)
    assert typeset_html(once, locale) == once
    assert once != html


def test_linear_time():
    # Unpaired quotes, a tag left open, a lone quote in an attribute: eight times the text
    # takes about eight times as long, never sixty-four.
    import time

    def cost(n: int) -> float:
        html = (
            ("<p>в доме — « " + "x <a href='y'>к</a> " * 500 * n)
            + "«" * 100 * n
            + '<p title="'
            + "a" * 500 * n
        )
        start = time.perf_counter()
        typeset_html(html, "ru")
        typeset_html(html, "fr")
        return time.perf_counter() - start

    cost(1)  # warm up
    assert cost(40) < 24 * cost(5) + 0.05


def test_inner_quotes():
    assert inner_quotes("«Свобода» Азату", "ru") == "„Свобода“ Азату"
    assert inner_quotes(f"«{NNBSP}Liberté{NNBSP}» pour Azat", "fr") == "“Liberté” pour Azat"
    assert inner_quotes("Без кавычек", "ru") == "Без кавычек"
    assert inner_quotes("«Не закрыта", "ru") == "«Не закрыта"  # unpaired: left as it is
    assert inner_quotes("Не открыта»", "ru") == "Не открыта»"
    assert inner_quotes("«a «b» c»", "ru") == "„a «b» c“"
    assert inner_quotes("«Freedom»", "en") == "«Freedom»"


# ---- where it is applied ----


def test_russian_pages_keep_dashes_and_short_words_on_their_line(client, make_prisoner):
    prisoner = make_prisoner(name="Азат Мифтахов")
    prisoner.stories[0].body = "Он в колонии — и пишет письма."
    prisoner.stories[0].locale = "ru"
    saved(prisoner)
    html = client.get(f"/ru/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert f"Он в{NBSP}колонии{NBSP}— и{NBSP}пишет письма." in html  # the rendered Markdown
    assert f"В{NBSP}заключении с{NBSP}1{NBSP}января 2020" in html  # the counter: catalogue and date
    english = client.get(f"/en/prisoners/{prisoner.slug}").get_data(as_text=True)
    assert NBSP not in english.replace("&nbsp;", "")


def test_a_french_page_has_narrow_spaces_inside_guillemets(client, make_work):
    work = make_work(title="Le mot « liberté »")
    html = client.get(f"/fr/works/{work.public_id}").get_data(as_text=True)
    assert f"Le mot «{NNBSP}liberté{NNBSP}»" in html
    assert 'alt="Alt text of work' in html  # attributes as they were


def test_a_title_in_quotes_nests_in_the_report_heading(client, make_work):
    work = make_work(title="«Свобода» Азату")
    html = client.get(f"/ru/works/{work.public_id}/report").get_data(as_text=True)
    assert "«„Свобода“ Азату»" in html
    assert "««" not in html
    fr = client.get(f"/fr/works/{work.public_id}/report").get_data(as_text=True)
    assert f"«{NNBSP}„Свобода“{NNBSP}Азату{NNBSP}»" not in fr  # French nests with “ ”
    assert f"«{NNBSP}“Свобода” Азату{NNBSP}»" in fr


def test_mail_in_french_and_russian_is_typeset(app):
    # The moderator's reason is typed as anyone types; the mail sets it as the catalogue does.
    payload = {
        "to": "artist@example.org",
        "url": "https://example.org/ru/receipt/abc?x=1:2",
        "preset": None,
    }
    with app.test_request_context():
        ru = mail.compose(
            mail.REJECTED,
            {**payload, "locale": "ru", "reason": "Мало — и не о том."},
            "gallery@example.org",
        )
        fr = mail.compose(
            mail.REJECTED,
            {**payload, "locale": "fr", "reason": "Trop flou ! Et «hors sujet»."},
            "gallery@example.org",
        )
        en = mail.compose(
            mail.REJECTED,
            {**payload, "locale": "en", "reason": "Too vague — sorry: 2 days."},
            "gallery@example.org",
        )
    assert f"Мало{NBSP}— и{NBSP}не о{NBSP}том." in ru.get_content()
    assert f"Trop flou{NNBSP}! Et «{NNBSP}hors sujet{NNBSP}»." in fr.get_content()
    assert (
        "https://example.org/ru/receipt/abc?x=1:2" in ru.get_content()
        and "?x=1:2" in fr.get_content()
    )
    assert "Too vague — sorry: 2 days." in en.get_content()
    assert NBSP not in en.get_content() and NNBSP not in en.get_content()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", "5 декабря 2026 г., 23:40 (UTC)"),
        ("fr", "5 décembre 2026 à 23 h 40 (UTC)"),
        ("en", "December 5, 2026 at 23:40 (UTC)"),
    ],
)
def test_the_receipt_says_when_to_the_minute_with_the_zone(app, code, expected):
    from flask_babel import force_locale

    from gallery.models.labels import datetimeformat

    with app.test_request_context(), force_locale(code):
        assert spaced(datetimeformat(datetime(2026, 12, 5, 23, 40, 40))) == expected


def test_a_campaign_date_starting_its_line_has_a_capital(client):
    from datetime import date

    from gallery.models import Campaign

    saved(Campaign(slug="rally", title="Rally", held_on=date(2025, 9, 20)))
    assert "Суббота, 20 сентября 2025" in spaced(
        client.get("/ru/campaigns/rally").get_data(as_text=True)
    )
    assert "Saturday, September 20, 2025" in client.get("/en/campaigns/rally").get_data(
        as_text=True
    )


def test_descriptions_are_cut_between_words_with_a_tight_ellipsis(app, client, make_prisoner):
    from gallery.web.templating import excerpt

    text = "Азат Мифтахов, математик, осуждён по делу о «хулиганстве», " + "и снова " * 30
    cut = excerpt("Азат Мифтахов, математик, осуждён по делу о «хулиганстве», и снова", 60)
    assert cut == "Азат Мифтахов, математик, осуждён по делу о «хулиганстве»…"
    assert excerpt("Short.", 150) == "Short."
    prisoner = make_prisoner(name="Азат Мифтахов")
    prisoner.stories[0].summary = text
    saved(prisoner)
    html = client.get(f"/en/prisoners/{prisoner.slug}").get_data(as_text=True)
    description = html.split('<meta name="description" content="', 1)[1].split('"', 1)[0]
    assert description.endswith(" и…") and len(description) <= 150
