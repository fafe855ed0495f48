"""The Atom feeds (whole gallery, one prisoner, one campaign), the sitemap and robots.txt,
read the way feed readers and crawlers read them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser
import pytest
from flask.testing import FlaskClient

from gallery.core.tokens import token_hash
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Campaign, ReportCategory, WorkStatus
from gallery.verbs import editing, unpublishing
from gallery.verbs.reports import file_report
from gallery.verbs.submissions import withdraw_work
from helpers import saved

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEEDS = ("/feed.atom", "/prisoners/ada/feed.atom", "/campaigns/rally/feed.atom")


def when(day: int) -> datetime:
    return datetime(2025, 3, day, 12, 0, tzinfo=UTC)


def read_feed(client: FlaskClient, path: str) -> feedparser.FeedParserDict:
    """The feed at `path`, parsed; it must be well-formed Atom with the right headers."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def titles(parsed: feedparser.FeedParserDict) -> list[str]:
    return [entry.title for entry in parsed.entries]


@pytest.fixture
def ada(make_prisoner):
    return make_prisoner(slug="ada", name="Ada Example")


@pytest.fixture
def rally(app):
    return saved(Campaign(slug="rally", title="Rally"))


@pytest.fixture
def mod(make_moderator):
    return make_moderator("mod")


def test_main_feed_lists_public_works_newest_first(client, make_work):
    make_work(title="Old", published_at=when(1))
    make_work(title="New", published_at=when(3), display_name="Mira")
    make_work(title="Middle", published_at=when(2))
    make_work(title="Waiting", status=WorkStatus.PENDING)
    parsed = read_feed(client, "/feed.atom")
    assert titles(parsed) == ["New", "Middle", "Old"]
    assert parsed.feed.title == "Art Protest: newest works"
    assert parsed.feed.updated == "2025-03-03T12:00:00Z"
    assert parsed.entries[0].updated == "2025-03-03T12:00:00Z"
    assert parsed.entries[0].author == "Mira"
    assert parsed.entries[1].author == "Anonymous"


def test_feed_links_are_absolute(client, make_work):
    work = make_work(title="Sun")
    parsed = read_feed(client, "/feed.atom")
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"self": "http://localhost/feed.atom", "alternate": "http://localhost/"}
    [entry] = parsed.entries
    assert [(l.rel, l.type, l.href) for l in entry.links] == [
        ("alternate", "text/html", f"http://localhost/works/{work.public_id}")
    ]


def test_main_feed_holds_thirty_works(client, make_work):
    for day in range(1, 32):
        make_work(title=f"Day {day}", published_at=when(day))
    parsed = read_feed(client, "/feed.atom")
    assert len(parsed.entries) == 30
    assert parsed.entries[0].title == "Day 31" and parsed.entries[-1].title == "Day 2"


class Images(HTMLParser):
    """The attributes of every <img> of an HTML fragment, as a browser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def test_summary_shows_the_share_image_with_its_alt_text(client, make_work):
    work = make_work(
        title="Sun",
        alt_text='A sun "behind" <bars> & wire',
        description="Made for **Ada**.<script>alert(1)</script>",
    )
    # As feedparser hands it to a reader (sanitised), then read by an HTML parser.
    [entry] = read_feed(client, "/feed.atom").entries
    assert entry.summary_detail.type == "text/html"
    share = work.renditions["share"]
    src = f"http://localhost/media/{work.image_key}/share.jpg"
    assert Images(entry.summary).found == [
        {
            "src": src,
            "alt": 'A sun "behind" <bars> & wire',
            "width": str(share["width"]),
            "height": str(share["height"]),
        }
    ]
    assert "<strong>Ada</strong>" in entry.summary
    assert "script" not in entry.summary
    # The image is really served at that address.
    with client.get(src.removeprefix("http://localhost")) as image:
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"


def test_summary_html_is_escaped_text_in_the_document(client, make_work):
    make_work(title="Sun <b>bold</b> & co", alt_text="Bars & sun")
    raw = client.get("/feed.atom").get_data(as_text=True)
    assert "<title>Sun &lt;b&gt;bold&lt;/b&gt; &amp; co</title>" in raw
    summary = re.search(r'<summary type="html">(.*?)</summary>', raw).group(1)
    assert "<" not in summary and "&lt;img " in summary
    assert 'alt="Bars &amp;amp; sun"' in summary


def test_cyrillic_titles_survive(client, make_work):
    make_work(
        title="Свободу Азату", alt_text="Солнце за решёткой", text_locale="ru", display_name="Мира"
    )
    [entry] = read_feed(client, "/en/feed.atom").entries
    assert entry.title == "Свободу Азату"
    assert entry.author == "Мира"
    assert Images(entry.summary).found[0]["alt"] == "Солнце за решёткой"
    root = ET.fromstring(client.get("/en/feed.atom").get_data())
    assert root.find(f"{{{ATOM}}}entry/{{{ATOM}}}title").get(XML_LANG) == "ru"


def test_entry_ids_do_not_change_when_a_work_is_edited(client, make_work, mod):
    work = make_work(title="First title")
    before = read_feed(client, "/feed.atom").entries[0].id
    assert before.startswith("urn:uuid:")
    editing.edit_work(work.id, mod.id, title="Second title", alt_text=work.alt_text, tag_names=[])
    db.session.commit()
    [entry] = read_feed(client, "/feed.atom").entries
    assert entry.title == "Second title"
    assert entry.id == before
    assert "First title" not in entry.id and "Second" not in entry.id
    # The same work has the same id in every language's feed.
    assert read_feed(client, "/fr/feed.atom").entries[0].id == before


def test_unpublishing_removes_the_work_from_every_feed(client, make_work, ada, rally, mod):
    kept = make_work(title="Kept", prisoners=(ada,), campaign_id=rally.id, published_at=when(1))
    gone = make_work(
        title="Taken down", prisoners=(ada,), campaign_id=rally.id, published_at=when(2)
    )
    for path in FEEDS:
        assert titles(read_feed(client, path)) == ["Taken down", "Kept"]
    unpublishing.unpublish_work(store(), gone.id, mod.id, "It shows a face.")
    db.session.commit()
    for path in FEEDS:
        assert titles(read_feed(client, path)) == ["Kept"], path
    assert kept.title == "Kept"


def test_a_work_reported_at_risk_leaves_every_feed(client, make_work, ada, rally):
    work = make_work(title="Shows a face", prisoners=(ada,), campaign_id=rally.id)
    file_report(store(), work.id, ReportCategory.PERSON_AT_RISK, "A face is visible.")
    db.session.commit()
    for path in FEEDS:
        assert titles(read_feed(client, path)) == [], path


def test_a_withdrawn_work_leaves_every_feed(app, client, make_work, ada, rally):
    make_work(
        title="Withdrawn",
        prisoners=(ada,),
        campaign_id=rally.id,
        receipt_token_hash=token_hash("t" * 43),
    )
    withdraw_work(store(app), "t" * 43)
    db.session.commit()
    for path in FEEDS:
        assert titles(read_feed(client, path)) == [], path


@pytest.mark.parametrize("status", [WorkStatus.PENDING, WorkStatus.REJECTED, WorkStatus.WITHDRAWN])
def test_works_not_published_never_appear(client, make_work, ada, rally, status):
    make_work(title="Not public", status=status, prisoners=(ada,), campaign_id=rally.id)
    for path in FEEDS:
        assert titles(read_feed(client, path)) == [], path


def test_prisoner_feed_has_only_that_prisoners_works(client, make_work, make_prisoner, ada):
    other = make_prisoner(slug="bob", name="Bob Other")
    make_work(title="For Ada", prisoners=(ada,), published_at=when(1))
    make_work(title="For both", prisoners=(ada, other), published_at=when(2))
    make_work(title="For Bob", prisoners=(other,), published_at=when(3))
    parsed = read_feed(client, "/prisoners/ada/feed.atom")
    assert titles(parsed) == ["For both", "For Ada"]
    assert parsed.feed.title == "Art Protest: works for Ada Example"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "http://localhost/prisoners/ada/feed.atom",
        "alternate": "http://localhost/prisoners/ada",
    }
    assert titles(read_feed(client, "/prisoners/bob/feed.atom")) == ["For Bob", "For both"]


def test_campaign_feed_has_only_that_campaigns_works(client, make_work, rally):
    other = saved(Campaign(slug="vigil", title="Vigil"))
    make_work(title="At the rally", campaign_id=rally.id)
    make_work(title="At the vigil", campaign_id=other.id)
    make_work(title="No campaign")
    parsed = read_feed(client, "/campaigns/rally/feed.atom")
    assert titles(parsed) == ["At the rally"]
    assert parsed.feed.title == "Art Protest: works of the campaign Rally"
    assert {l.rel: l.href for l in parsed.feed.links}[
        "alternate"
    ] == "http://localhost/campaigns/rally"


def test_an_empty_feed_is_still_valid(client, ada):
    parsed = read_feed(client, "/prisoners/ada/feed.atom")
    assert parsed.entries == []
    assert parsed.feed.updated == ada.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    "path",
    [
        "/prisoners/nobody/feed.atom",
        "/campaigns/nothing/feed.atom",
        "/fr/prisoners/nobody/feed.atom",
        "/prisoners/NOT%20A%20SLUG/feed.atom",
    ],
)
def test_unknown_slugs_are_404(client, path):
    assert client.get(path).status_code == 404


def test_each_language_has_its_own_feed(client, make_work, ada):
    work = make_work(title="Sun", prisoners=(ada,), display_name=None)
    for code in ("en", "fr", "ru"):
        response = client.get(f"/{code}/feed.atom")
        root = ET.fromstring(response.get_data())
        assert root.get(XML_LANG) == code
        parsed = read_feed(client, f"/{code}/feed.atom")
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links == {
            "self": f"http://localhost/{code}/feed.atom",
            "alternate": f"http://localhost/{code}/",
        }
        assert parsed.feed.id == f"http://localhost/{code}/feed.atom"
        assert parsed.entries[0].link == f"http://localhost/{code}/works/{work.public_id}"
    french = read_feed(client, "/fr/prisoners/ada/feed.atom")
    assert french.feed.links[0].href == "http://localhost/fr/prisoners/ada/feed.atom"
    assert french.entries[0].author != "Anonymous"  # the French word for it


def test_the_bare_feed_follows_the_visitors_language(client, make_work):
    make_work()
    response = client.get("/feed.atom", headers={"Accept-Language": "ru"})
    assert ET.fromstring(response.get_data()).get(XML_LANG) == "ru"
    assert "Accept-Language" in response.headers["Vary"]
    parsed = feedparser.parse(response.get_data())
    assert parsed.feed.id == "http://localhost/ru/feed.atom"
    assert {l.rel: l.href for l in parsed.feed.links}["self"] == "http://localhost/feed.atom"


def test_pages_advertise_their_feeds(client, ada, rally):
    feed_link = (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Art Protest: newest works" href="/feed.atom">'
    )
    for path in ("/", "/works", "/prisoners", "/prisoners/ada", "/campaigns/rally", "/submit"):
        assert feed_link in client.get(path).get_data(as_text=True), path
    prisoner = client.get("/prisoners/ada").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Art Protest: works for '
        'Ada Example" href="/prisoners/ada/feed.atom">'
    ) in prisoner
    campaign = client.get("/campaigns/rally").get_data(as_text=True)
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Art Protest: works of the '
        'campaign Rally" href="/campaigns/rally/feed.atom">'
    ) in campaign
    french = client.get("/fr/prisoners/ada").get_data(as_text=True)
    assert 'href="/fr/feed.atom"' in french and 'href="/fr/prisoners/ada/feed.atom"' in french


# ---- the sitemap ----


def read_sitemap(client: FlaskClient) -> ET.Element:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.get_data())


def test_sitemap_lists_every_public_page_in_every_language(client, make_work, ada, rally):
    public = make_work(title="Public", published_at=when(5))
    pending = make_work(title="Waiting", status=WorkStatus.PENDING)
    hidden = make_work(title="Hidden")
    file_report(store(), hidden.id, ReportCategory.PERSON_AT_RISK, None)
    db.session.commit()
    root = read_sitemap(client)
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    locs = [u.findtext(f"{SITEMAP}loc") for u in urls]
    pages = [
        "/",
        "/works",
        "/prisoners",
        "/search",
        "/help/artists",
        "/impact",
        "/prisoners/ada",
        "/campaigns/rally",
        f"/works/{public.public_id}",
    ]
    expected = [
        f"http://localhost/{code}{page}" if page != "/" else f"http://localhost/{code}/"
        for page in pages
        for code in ("en", "fr", "ru")
    ]
    assert locs == expected
    assert not any(pending.public_id in loc or hidden.public_id in loc for loc in locs)
    assert len(set(locs)) == 9 * 3


def test_sitemap_names_each_urls_versions_and_dates(client, make_work, ada, rally):
    work = make_work(published_at=when(5))
    root = read_sitemap(client)
    for url in root.findall(f"{SITEMAP}url"):
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        assert set(alternates) == {"en", "fr", "ru", "x-default"}
        assert all(link.get("rel") == "alternate" for link in url.findall(f"{XHTML}link"))
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc in alternates.values()
        assert alternates["x-default"] == re.sub(
            r"^http://localhost/(en|fr|ru)/", "http://localhost/", loc
        )
    by_loc = {u.findtext(f"{SITEMAP}loc"): u for u in root.findall(f"{SITEMAP}url")}
    assert (
        by_loc[f"http://localhost/fr/works/{work.public_id}"].findtext(f"{SITEMAP}lastmod")
        == "2025-03-05T12:00:00Z"
    )
    assert by_loc["http://localhost/ru/prisoners/ada"].findtext(f"{SITEMAP}lastmod") == (
        ada.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert by_loc["http://localhost/en/campaigns/rally"].findtext(f"{SITEMAP}lastmod") == (
        rally.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert by_loc["http://localhost/en/works"].find(f"{SITEMAP}lastmod") is None
    # The sitemap element comes before the alternates, as the schema orders them.
    children = [child.tag for child in by_loc["http://localhost/en/campaigns/rally"]]
    assert children[:2] == [f"{SITEMAP}loc", f"{SITEMAP}lastmod"]


def test_sitemap_declares_both_namespaces(client, make_work):
    make_work()
    raw = client.get("/sitemap.xml").get_data(as_text=True)
    assert raw.startswith("<?xml version='1.0' encoding='utf-8'?>")
    assert 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' in raw
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in raw


# ---- robots.txt ----


def test_robots_txt_keeps_crawlers_off_private_addresses(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = [
        line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")
    ]
    for prefix in ("/submissions/", "/moderation/", "/login", "/account/", "/search?", "/api/"):
        assert prefix in disallowed
    # Search results are kept out, the search form is not.
    assert "/search" not in disallowed and "/en/search?" in disallowed
    # The receipt pages also live under each language's prefix.
    for code in ("en", "fr", "ru"):
        assert f"/{code}/submissions/" in disallowed
    # Nothing public is kept from them.
    assert not any(p in disallowed for p in ("/", "/works", "/prisoners", "/feed.atom"))
    assert "Sitemap: http://localhost/sitemap.xml" in lines


def test_robots_txt_names_each_language_of_localised_private_pages(app, client):
    # The API has no address per language; a new one under it would get its copies too.
    from gallery.web.i18n import ARG

    app.add_url_rule(f"/<lang:{ARG}>/api/x", endpoint="test_api", view_func=lambda: "")
    disallowed = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert {"Disallow: /en/api/", "Disallow: /fr/api/", "Disallow: /ru/api/"} <= set(disallowed)
    assert "Disallow: /fr/login" not in disallowed  # no such address


@pytest.mark.parametrize("path", ["/fr/sitemap.xml", "/ru/robots.txt", "/en/sitemap.xml"])
def test_sitemap_and_robots_live_at_the_bare_address_only(client, path):
    assert client.get(path).status_code == 404
