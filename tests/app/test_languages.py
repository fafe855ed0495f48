"""Every public page has an address per language (/en/, /fr/, /ru/); the bare address
chooses (?lang=, cookie, Accept-Language), says Vary, and points to its canonical version."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from helpers import csrf_from, png_bytes


def links(html: str, rel: str) -> dict[str, str]:
    return dict(re.findall(rf'<link rel="{rel}" hreflang="([\w-]+)" href="([^"]+)">', html))


def canonical(html: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    return found.group(1) if found else None


def test_each_language_has_its_own_address_and_links_keep_it(client, make_prisoner, make_work):
    prisoner = make_prisoner(name="Ada")
    make_work(prisoners=(prisoner,))
    for code in ("en", "fr", "ru"):
        response = client.get(f"/{code}/prisoners/{prisoner.slug}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f'<html lang="{code}">' in html
        assert f'class="brand" href="/{code}/"' in html
        assert f'<a href="/{code}/works"' in html  # the main navigation
        assert canonical(html) == f"http://localhost/{code}/prisoners/{prisoner.slug}"
        assert links(html, "alternate") == {
            "en": f"http://localhost/en/prisoners/{prisoner.slug}",
            "fr": f"http://localhost/fr/prisoners/{prisoner.slug}",
            "ru": f"http://localhost/ru/prisoners/{prisoner.slug}",
            "x-default": f"http://localhost/prisoners/{prisoner.slug}",
        }
        assert "Accept-Language" not in response.headers.get("Vary", "")


def test_the_bare_address_chooses_and_says_so(client):
    response = client.get("/works", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    html = response.get_data(as_text=True)
    assert '<html lang="ru">' in html
    assert canonical(html) == "http://localhost/works"  # the x-default page is its own canonical
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    assert 'class="brand" href="/"' in html  # links on a bare page stay bare


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", "/"),
        ("/works", "/works"),
        ("/works?tag=poster", "/works?tag=poster"),
        ("/fr/works", "/fr/works"),
        ("/ru/", "/ru/"),
        ("/works?lang=fr", "/fr/works"),
    ],
)
def test_every_page_is_its_own_canonical_and_one_of_its_alternates(
    client, make_work, path, expected
):
    """A bare address is the x-default alternate: canonical to /en/... it told search engines
    (and Lighthouse's SEO audit) that it duplicates another of its alternates."""
    make_work(tag_names=("poster",))
    html = client.get(path, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert canonical(html) == f"http://localhost{expected}"
    if "lang=" not in path:
        assert canonical(html) in links(html, "alternate").values()


def test_a_language_in_the_address_is_remembered(client):
    response = client.get("/fr/works")
    assert "lang=fr" in response.headers.get("Set-Cookie", "")
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    # ?lang= keeps working on the bare addresses
    assert "lang=ru" in client.get("/works?lang=ru").headers.get("Set-Cookie", "")
    assert '<html lang="ru">' in client.get("/works").get_data(as_text=True)


def test_the_switcher_keeps_the_page_and_its_query(client, make_work):
    make_work(tag_names=("poster",))
    html = client.get("/fr/works?tag=poster&lang=de").get_data(as_text=True)
    switcher = html.split('class="lang-nav"')[1].split("</nav>")[0]
    assert 'href="/en/works?tag=poster" lang="en" hreflang="en">English</a>' in switcher
    assert 'href="/ru/works?tag=poster" lang="ru" hreflang="ru">Русский</a>' in switcher
    assert '<span aria-current="true" lang="fr">Français</span>' in switcher


@pytest.mark.parametrize(
    "path",
    [
        "/de/works",
        "/EN/works",
        "/fr/media/x/y.webp",
        "/fr/healthz",
        "/fr/api/v1/works",
        "/de/login",
        "/fr/moderation/nothing-here",
        "/fr/moderation/works/99999999999999999999999",
    ],
)
def test_only_public_pages_and_known_languages_have_a_prefix(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/fr/login", "/login?lang=fr"),
        ("/ru/login?next=/moderation/", "/login?lang=ru&next=%2Fmoderation%2F"),
        ("/fr/moderation", "/moderation/?lang=fr"),
        ("/fr/moderation/", "/moderation/?lang=fr"),
        ("/fr/moderation/audit?lang=ru", "/moderation/audit?lang=fr"),
    ],
)
def test_a_moderators_page_typed_with_a_language_prefix_goes_to_its_address(client, path, target):
    """The moderators' pages have one address and follow the cookie: /fr/login, typed by
    analogy with /fr/works, leads there in French instead of to a 404."""
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    page = client.get(target, follow_redirects=True)
    assert page.status_code == 200
    code = target.partition("lang=")[2][:2]
    assert f'<html lang="{code}">' in page.get_data(as_text=True)


def test_only_a_page_read_by_get_is_sent_on(client):
    assert client.post("/fr/login", data={"username": "x", "password": "y"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "endpoint=1",
        "_external=1",
        "_scheme=javascript",
        "_method=POST",
        "_anchor=x",
        "lang_code=fr",
        "lang=%00",
    ],
)
@pytest.mark.parametrize("path", ["/", "/works", "/fr/works", "/submit"])
def test_query_arguments_never_reach_url_building(client, path, query):
    # (A cached page sends arguments it does not read to its address without them.)
    response = client.get(f"{path}?{query}", follow_redirects=True)
    assert response.status_code == 200
    assert "javascript:" not in response.get_data(as_text=True)


def test_a_work_can_be_sent_from_the_french_address(client):
    html = client.get("/fr/submit").get_data(as_text=True)
    assert 'action="/fr/submit"' in html
    response = client.post(
        "/fr/submit",
        data={
            "csrf_token": csrf_from(html),
            "title": "Soleil",
            "alt_text": "Un soleil jaune derrière des barreaux",
            "licence": "cc-by-4.0",
            "own_work": "y",
            "consent": "y",
            "ai_used": "no",
            "image": (BytesIO(png_bytes()), "art.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/fr/submissions/")


def test_moderation_pages_switch_language_with_the_query(client, make_moderator, login):
    make_moderator("mod")
    assert login("mod").status_code == 303
    html = client.get("/moderation/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'href="/moderation/?lang=ru"' in html
    assert canonical(html) is None
