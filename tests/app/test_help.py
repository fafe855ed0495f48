"""The guides inside the gallery (issue 24): the artists' page in each language, the
moderators' guide behind the login, and the links from the pages where people need them."""

from __future__ import annotations

import re

import pytest

from gallery.images import SIZES
from helpers import png_bytes, spaced

SECTIONS = ("sending", "what-we-remove", "covering-faces", "private-link")
# The page's heading, and a sentence of each language's own text.
ARTISTS = {
    "en": ("Help for artists", "We do not keep your file’s name."),
    "fr": ("Aide aux artistes", "Nous ne gardons pas le nom de votre fichier."),
    "ru": ("Памятка для авторов", "Имя вашего файла мы не сохраняем."),
}
GUIDE_SECTIONS = ("first-steps", "deciding", "covering", "shortcuts", "reports")


def section(html: str, ident: str) -> str:
    """The <section> with this id, up to its end."""
    start = html.index(f'<section id="{ident}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_artists_guide_answers_in_each_language_with_its_four_sections(client, code):
    response = client.get(f"/{code}/help/artists")
    assert response.status_code == 200
    html = spaced(response.get_data(as_text=True))
    heading, sentence = ARTISTS[code]
    assert f'<html lang="{code}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{heading} · " in html
    assert sentence in html
    for ident in SECTIONS:
        assert f'<section id="{ident}"' in html
        assert f'href="#{ident}"' in html  # the contents at the top
    # The page names its versions and its own address, like every public page.
    assert f'<link rel="canonical" href="http://localhost/{code}/help/artists">' in html
    for other in ("en", "fr", "ru"):
        assert (
            f'<link rel="alternate" hreflang="{other}" href="http://localhost/{other}/help/artists">'
            in html
        )
    assert 'hreflang="x-default" href="http://localhost/help/artists"' in html
    # The switcher leads to the same page in the other languages.
    assert 'href="/ru/help/artists" lang="ru"' in html or code == "ru"
    assert "<script" not in html.split("</head>")[1]  # no script of its own


def test_the_artists_guide_says_what_the_code_does(client, app):
    html = spaced(client.get("/en/help/artists").get_data(as_text=True))
    removed = section(html, "what-we-remove")
    assert f"The largest copy we keep is at most {SIZES['large']:,} pixels" in removed
    sending = section(html, "sending")
    mb = app.config["MAX_CONTENT_LENGTH"] // 1048576
    mp = app.config["MAX_IMAGE_PIXELS"] // 1000000
    assert f"up to {mb} MB and {mp} megapixels" in sending
    assert 'href="/en/submit"' in sending
    # Buttons and boxes are named as the pages name them.
    covering = section(html, "covering-faces")
    assert "“Cover with solid black”" in covering and "“Undo last”" in covering
    private = section(html, "private-link")
    assert "“Withdraw and delete the image”" in private


def test_the_russian_guide_names_the_russian_buttons(client):
    html = spaced(client.get("/ru/help/artists").get_data(as_text=True))
    covering = section(html, "covering-faces")
    assert "«Закрыть сплошным чёрным»" in covering
    assert "Прошу модераторов закрыть лица" in covering
    assert '<h2 id="private-link-title">Ваша личная ссылка</h2>' in html


@pytest.mark.parametrize("path", ["/de/help/artists", "/xx/help/artists", "/help/artist"])
def test_an_unknown_language_or_page_is_404(client, path):
    assert client.get(path).status_code == 404


def test_the_bare_address_chooses_the_language(client):
    response = client.get("/help/artists", headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    assert "<h1>Памятка для авторов</h1>" in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_every_public_page_links_to_the_artists_guide_in_its_footer(client):
    html = client.get("/fr/prisoners").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert '<a href="/fr/help/artists">Aide aux artistes</a>' in footer


def test_the_submit_form_links_to_the_right_sections(client):
    html = client.get("/en/submit").get_data(as_text=True)
    removed = '<a href="/en/help/artists#what-we-remove"'
    covering = '<a href="/en/help/artists#covering-faces"'
    # Next to the file field, and next to the box asking the moderators to cover.
    assert html.index('id="image-hint"') < html.index(removed) < html.index('id="cover"')
    assert html.index('id="cover"') < html.index(covering) < html.index('name="title"')
    # A new tab: the form keeps what the artist typed and chose.
    assert re.search(removed + r' target="_blank" rel="noopener">', html)


def test_the_receipt_links_to_the_private_link_section(client, pending):
    _work, token = pending(png_bytes(), looked=False)
    html = client.get(f"/fr/submissions/{token}").get_data(as_text=True)
    key = html[html.index('<section class="notice notice--key"') :]
    key = key[: key.index("</section>")]
    assert '<a href="/fr/help/artists#private-link" target="_blank" rel="noopener">' in key


def test_the_moderators_guide_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/moderation/help")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "Moderators’ guide" not in client.get("/moderation/help").get_data(as_text=True)


def test_the_moderators_guide_is_shown_to_a_moderator(client, moderator, app):
    response = client.get("/moderation/help")
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    assert "<h1>Moderators’ guide</h1>" in html
    for ident in GUIDE_SECTIONS:
        assert f'<section id="{ident}"' in html and f'href="#{ident}"' in html
    shortcuts = section(html, "shortcuts")
    for key in ("j", "k", "x", "a", "r"):
        assert f"<kbd>{key}</kbd>" in shortcuts  # the keys static/js/moderation.js reads
    # The undo window as the site has it: none in the tests' settings, then 45 seconds.
    assert app.config["DECISION_UNDO_SECONDS"] == 0
    assert "decisions are final at once: there is no undo" in section(html, "deciding")
    app.config["DECISION_UNDO_SECONDS"] = 45
    deciding = section(client.get("/moderation/help").get_data(as_text=True), "deciding")
    assert "the next page offers “Undo” for 45 seconds" in deciding
    covering = section(html, "covering")
    assert "“Nothing to cover on this image”" in covering
    # In the moderation pages' language.
    french = spaced(client.get("/moderation/help?lang=fr").get_data(as_text=True))
    assert "<h1>Guide de modération</h1>" in french
    assert "« Rien à masquer sur cette image »" in section(french, "covering")
    russian = spaced(client.get("/moderation/help?lang=ru").get_data(as_text=True))
    assert "<h1>Памятка модератора</h1>" in russian


def test_the_moderation_menu_links_to_the_guide(client, moderator):
    html = client.get("/moderation/").get_data(as_text=True)
    nav = html[html.index('<nav class="mod-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert '<a href="/moderation/help">Guide</a>' in nav
    here = client.get("/moderation/help").get_data(as_text=True)
    assert '<a href="/moderation/help" aria-current="page">Guide</a>' in here


def test_the_review_page_links_to_the_guide_next_to_the_cover_tool(client, moderator, pending):
    work, _token = pending(png_bytes(), looked=False)
    html = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    form = html[html.index('id="cover"') :]
    form = form[: form.index("</form>")]
    assert '<a href="/moderation/help#covering">' in form
