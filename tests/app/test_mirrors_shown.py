"""MIRRORS (issue 26): the other addresses of the gallery, on every page's footer and in
the feeds; a value that is not an http(s) or onion address is refused at start and never
shown as a link."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gallery.core.mirrors import parse_mirror, safe_mirrors
from helpers import IsolatedClient

MIRROR = "https://mirror.example/art"
ONION = "artprotestmirrorexampleqwertyuiopasdfghjklzxcvbnm2345672.onion"
ATOM = "{http://www.w3.org/2005/Atom}"
# The page cache of a test process would keep pages across apps of the same database.
NO_CACHE = {"PAGE_CACHE": False}


@pytest.fixture
def app_factory(app_factory):
    def make(**config):
        app = app_factory(**config)
        app.test_client_class = IsolatedClient
        return app

    return make


def test_every_page_names_the_mirrors_in_its_footer(app_factory):
    app = app_factory(MIRRORS=(MIRROR + "/", ONION), **NO_CACHE)
    client = app.test_client()
    said = {
        "en": "Where this site is blocked, read it at:",
        "fr": "Si ce site est bloqué chez vous, lisez-le ici\u00a0:",
        "ru": "Если сайт заблокирован, читайте его здесь:",
    }
    for path in ("/en/", "/fr/works", "/ru/prisoners", "/en/search"):
        page = client.get(path).get_data(as_text=True)
        footer = page[page.index('<footer class="site-footer">') :]
        assert said[path[1:3]] in footer, path
        assert f'<a href="{MIRROR}" rel="noopener">{MIRROR}</a>' in footer, path
        assert f'<a href="http://{ONION}" rel="noopener">http://{ONION}</a>' in footer, path
    french = client.get("/fr/").get_data(as_text=True)
    assert MIRROR in french[french.index("<footer") :]


def test_without_mirrors_the_footer_says_nothing_of_them(app_factory):
    page = app_factory(**NO_CACHE).test_client().get("/en/").get_data(as_text=True)
    assert "read it at" not in page
    assert "site-footer__mirrors" not in page


def test_the_feeds_name_the_mirrors(app_factory):
    app = app_factory(MIRRORS=(MIRROR, ONION), **NO_CACHE)
    response = app.test_client().get("/en/feed.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.data)
    subtitle = feed.find(f"{ATOM}subtitle")
    assert subtitle is not None
    assert subtitle.text == f"Where this site is blocked, read it at: {MIRROR}, http://{ONION}"
    related = [
        link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "related"
    ]
    assert related == [MIRROR, f"http://{ONION}"]
    # Still one alternate page, as Atom asks.
    alternates = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert len(alternates) == 1


def test_a_feed_without_mirrors_has_no_subtitle(app_factory):
    feed = ET.fromstring(app_factory(**NO_CACHE).test_client().get("/feed.atom").data)
    assert feed.find(f"{ATOM}subtitle") is None


@pytest.mark.parametrize(
    "hostile",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example",
        'https://x.example/"onmouseover="alert(1)',
        "https://user:secret@x.example",
        "ftp://x.example",
    ],
)
def test_a_hostile_mirror_is_refused_at_start(app_factory, hostile):
    with pytest.raises(RuntimeError, match="MIRRORS"):
        app_factory(MIRRORS=(MIRROR, hostile))


def test_mirrors_as_text_are_refused_at_start(app_factory):
    with pytest.raises(RuntimeError, match="JSON list"):
        app_factory(MIRRORS="https://mirror.example")


def test_the_environment_sets_mirrors_as_a_json_list(app_factory):
    app = app_factory(environ={"FLASK_MIRRORS": f'["{MIRROR}/", "{ONION}"]'})
    assert app.config["MIRRORS"] == (MIRROR, f"http://{ONION}")


def test_a_hostile_value_set_after_start_is_not_shown_as_a_link(app_factory):
    app = app_factory(MIRRORS=(MIRROR,), **NO_CACHE)
    app.config["MIRRORS"] = ("javascript:alert(1)", MIRROR)
    client = app.test_client()
    page = client.get("/en/").get_data(as_text=True)
    assert "javascript:" not in page
    assert f'<a href="{MIRROR}" rel="noopener">' in page
    feed = client.get("/en/feed.atom").get_data(as_text=True)
    assert "javascript:" not in feed
    app.config["MIRRORS"] = ("javascript:alert(1)",)
    page = client.get("/fr/").get_data(as_text=True)
    assert "javascript:" not in page
    assert "site-footer__mirrors" not in page


def test_the_addresses_are_checked_one_by_one():
    assert parse_mirror(" https://mirror.example/ ") == "https://mirror.example"
    assert parse_mirror(ONION) == f"http://{ONION}"
    assert safe_mirrors(["vbscript:x", MIRROR, MIRROR, 3, None]) == (MIRROR,)
    with pytest.raises(ValueError):
        parse_mirror("javascript://mirror.example/%0aalert(1)")
