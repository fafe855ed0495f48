"""The static copy (`flask export-static DEST`, issue 13): the demo is exported, DEST is
served by a plain static server and crawled like a visitor would: no broken link or image,
nothing private, every language; a second export writes nothing, and one after an
unpublish removes that work's pages and files and nothing else."""

from __future__ import annotations

import functools
import io
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from flask import request
from PIL import Image
from sqlalchemy import select

from gallery.commands import mirror
from gallery.extensions import db
from gallery.media import media_store
from gallery.models import Licence, Work, WorkStatus
from gallery.verbs.unpublishing import unpublish_work
from helpers import IsolatedClient, add_work

PUBLIC = "https://artprotest.example"
ONION = "http://artprotestexample4v5qa2xjn7ltkfdr6gxqoup7w3vfhpnkaqekjqsahgyd.onion"
LANGUAGES = ("en", "fr", "ru")
PENDING_TITLE = "Pending work nobody may see yet"
HIDDEN_TITLE = "Hidden work reported as putting someone at risk"
PRIVATE_EMAILS = ("pending.artist@example.net", "approved.artist@example.net")
IMAGE_TYPES = {".jpg", ".png", ".webp"}


# ---- a static server, and a visitor who follows every link ----


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """serve(folder) -> the base URL of a plain static server of that folder."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _Page(HTMLParser):
    """The links, images, forms, language and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []  # every URL an attribute holds
        self.images: list[str] = []
        self.actions: list[str] = []
        self.lang: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang")
        for name in ("href", "src", "action", "poster"):
            if name in values:
                self.links.append(values[name])
        for name in ("srcset", "imagesrcset"):
            if name in values:
                urls = [
                    part.strip().split(" ")[0] for part in values[name].split(",") if part.strip()
                ]
                self.links += urls
                if tag in ("img", "source"):
                    self.images += urls
        if tag == "img" and "src" in values:
            self.images.append(values["src"])
        if tag == "form":
            self.actions.append(values.get("action", ""))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.links.append(values["content"].partition("url=")[2].strip())

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@dataclass
class Crawl:
    pages: dict[str, _Page] = field(default_factory=dict)  # path on the server -> page
    texts: dict[str, str] = field(default_factory=dict)  # every text file, as fetched
    fetched: set[str] = field(default_factory=set)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (url, linked from)
    bad_images: list[str] = field(default_factory=list)
    absolute_paths: list[tuple[str, str]] = field(default_factory=list)  # "/..." links


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, "", b""


def _loads(path: str, body: bytes) -> bool:
    """Whether an image decodes (SVG: parses as an <svg> document)."""
    try:
        if path.endswith(".svg"):
            return ET.fromstring(body).tag.endswith("svg")
        Image.open(io.BytesIO(body)).load()
        return True
    except Exception:  # noqa: BLE001 - any failure: the image does not load
        return False


def crawl(base: str, starts: tuple[str, ...]) -> Crawl:
    """Fetch every page, stylesheet and image reachable by relative links from `starts`."""
    found = Crawl()
    queue = [(base + path, "(start)") for path in starts]
    images: set[str] = set()
    while queue:
        url, linked_from = queue.pop()
        url = url.partition("#")[0]
        if url in found.fetched:
            continue
        found.fetched.add(url)
        status, content_type, body = _get(url)
        if status != 200:
            found.broken.append((url, linked_from))
            continue
        path = urlsplit(url).path
        if content_type in (
            "text/html",
            "text/css",
            "application/xml",
            "text/plain",
        ) or path.endswith(".atom"):
            found.texts[path] = body.decode("utf-8")
        if url in images or Path(path).suffix in IMAGE_TYPES | {".svg"}:
            if not _loads(path, body):
                found.bad_images.append(url)
        if content_type == "text/css":
            for link in re.findall(r"""url\(\s*['"]?([^'")]+)""", body.decode()):
                if not link.startswith("data:"):
                    queue.append((urljoin(url, link), path))
        if content_type != "text/html":
            continue
        page = _Page()
        page.feed(body.decode("utf-8"))
        found.pages[path] = page
        images.update(urljoin(url, i) for i in page.images)
        for link in page.links:
            if link.startswith("/"):
                found.absolute_paths.append((link, path))
            elif link and not urlsplit(link).scheme and not link.startswith("#"):
                queue.append((urljoin(url, link), path))
    return found


# ---- the demo, with what must never be copied ----


@pytest.fixture
def requested(app) -> list[str]:
    """Every path the app is asked for (registered before the first request)."""
    paths: list[str] = []
    app.before_request(lambda: paths.append(request.path))
    return paths


@pytest.fixture
def demo(app, runner, requested) -> dict[str, Work]:
    """The demo content, plus a pending and a hidden work and an artist's private e-mail."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    store = media_store(app)
    pending = add_work(
        store,
        title=PENDING_TITLE,
        alt_text="Pending alt text",
        status=WorkStatus.PENDING,
        contact_email=PRIVATE_EMAILS[0],
    )
    shown = add_work(
        store,
        title="Approved work with a private address",
        alt_text="Blue square",
        contact_email=PRIVATE_EMAILS[1],
        licence=Licence.CC_BY,
    )
    hidden = add_work(store, title=HIDDEN_TITLE, alt_text="Hidden alt text")
    hidden.hidden = True
    db.session.commit()
    return {"pending": pending, "hidden": hidden, "shown": shown}


def _public_works() -> list[Work]:
    db.session.commit()
    return list(
        db.session.scalars(
            select(Work).where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        )
    )


def _files(dest: Path) -> dict[str, int]:
    """Every file under dest (but the manifest) -> its modification time in ns."""
    return {
        str(p.relative_to(dest)): p.stat().st_mtime_ns
        for p in dest.rglob("*")
        if p.is_file() and p.name != mirror.MANIFEST
    }


def _assert_clean(found: Crawl, hidden_words: tuple[str, ...]) -> None:
    assert found.broken == []
    assert found.bad_images == []
    assert found.absolute_paths == []  # file:// and sub-paths (IPFS gateways) need relative links
    for path, text in found.texts.items():
        for word in hidden_words:
            assert word not in text, (word, path)
    for path, page in found.pages.items():
        # Forms lead to the primary site, but the search: the copy searches itself.
        inside = [a for a in page.actions if not a.startswith(PUBLIC + "/")]
        searches = [
            a for a in inside if re.search(r"/[a-z]{2}/search/index\.html\Z", urljoin(path, a))
        ]
        assert inside == searches, path
        assert "search" not in "".join(a for a in page.actions if a.startswith(PUBLIC)), path
        assert not [
            link for link in page.links if "/submissions/" in link or "/moderation" in link
        ], path
        notes = re.findall(
            r'<p class="notice notice--mirror" role="note">(.*?)</p>', found.texts[path]
        )
        assert len(notes) == 1 and f'<a href="{PUBLIC}/' in notes[0], path


@pytest.mark.slow
def test_the_copy_serves_every_page_in_every_language_and_nothing_private(
    app, demo, requested, serve, tmp_path
):
    dest = tmp_path / "mirror"
    report = mirror.export_static(app, dest, PUBLIC)
    assert report.broken == []
    assert report.pages > 0 and report.written == len(_files(dest)) and report.unchanged == 0

    found = crawl(
        serve(dest), ("/index.html",) + tuple(f"/{code}/index.html" for code in LANGUAGES)
    )
    hidden = (
        PENDING_TITLE,
        HIDDEN_TITLE,
        demo["pending"].public_id,
        demo["hidden"].public_id,
        demo["pending"].image_key,
        demo["hidden"].image_key,
        *PRIVATE_EMAILS,
    )
    _assert_clean(found, hidden)
    # Every public work's page, in every language, and each page in its own language.
    for work in _public_works():
        for code in LANGUAGES:
            assert f"/{code}/works/{work.public_id}/index.html" in found.pages
    # The artists' guide, linked from every page's footer, goes with the copy.
    for code in LANGUAGES:
        assert f"/{code}/help/artists/index.html" in found.pages
        assert f"/{code}/impact/index.html" in found.pages  # also linked from the footer
    for path, page in found.pages.items():
        first = path.strip("/").partition("/")[0]
        assert page.lang == (first if first in LANGUAGES else "en"), path
    # The root page sends to English and names the three languages.
    root = (dest / "index.html").read_text()
    assert 'http-equiv="refresh" content="0; url=en/index.html"' in root
    assert all(f'href="{code}/index.html"' in root for code in LANGUAGES)
    # Feeds, sitemap, robots.txt and the stylesheet are there; media only of public works.
    for name in (
        "feed.atom",
        "fr/feed.atom",
        "sitemap.xml",
        "robots.txt",
        "static/css/gallery.css",
    ):
        assert (dest / name).is_file(), name
    keys = {p.parent.name for p in (dest / "media").glob("*/*")}
    assert keys == {w.image_key for w in _public_works()}
    # Nothing private was even asked for.
    assert requested and [p for p in requested if mirror.is_private(p)] == []
    assert not [p for p in requested if "/media/" in p]  # media are copied from the store


@pytest.mark.slow
def test_print_pdfs_are_copied_wherever_the_site_serves_them(app, demo, tmp_path):
    dest = tmp_path / "mirror"
    assert mirror.export_static(app, dest, PUBLIC).broken == []
    app.test_client_class = IsolatedClient
    client = app.test_client()
    app.config["PRINT_RATE_LIMIT"] = "1000 per minute"  # this visitor asks for every poster
    for work in _public_works():
        for code in LANGUAGES:
            answer = client.get(f"/{code}/works/{work.public_id}/poster.pdf?size=a4")
            folder = dest / code / "works" / work.public_id
            copied = folder / "poster-a4.pdf"
            assert copied.is_file() == (answer.status_code == 200), (copied, answer.status_code)
            if answer.status_code == 200:
                assert copied.read_bytes().startswith(b"%PDF-")
                # A3 is the same poster larger: the copy links it on the primary site.
                assert not (folder / "poster-a3.pdf").exists()
                page = (folder / "index.html").read_text()
                assert (
                    f'href="{PUBLIC}/{code}/works/{work.public_id}/poster.pdf?size=a3&amp;'
                    f'v={work.media_version}"'
                ) in page


@pytest.mark.slow
def test_a_second_export_writes_nothing_and_an_unpublish_removes_only_that_work(
    app, demo, make_moderator, serve, tmp_path
):
    dest = tmp_path / "mirror"
    first = mirror.export_static(app, dest, PUBLIC)
    assert first.broken == []
    (dest / "README.txt").write_text("a file of our own")  # never written by the export
    before = _files(dest)

    again = mirror.export_static(app, dest, PUBLIC)
    assert (again.written, again.removed, again.unchanged) == (0, 0, len(before) - 1)
    assert _files(dest) == before

    work = demo["shown"]
    old_key, public_id = work.image_key, work.public_id
    moderator = make_moderator("mod")
    unpublish_work(media_store(app), work.id, moderator.id, "Taken down for the test")
    db.session.commit()
    third = mirror.export_static(app, dest, PUBLIC)
    assert third.broken == [] and third.removed > 0

    after = _files(dest)
    gone = sorted(set(before) - set(after))
    # Its pages, PDFs and images; and the slideshow has one step fewer.
    assert gone and all(
        public_id in name or old_key in name or re.search(r"/show/index-[\w-]+\.html$", name)
        for name in gone
    ), gone
    for code in LANGUAGES:
        assert not (dest / code / "works" / public_id).exists()
    assert not (dest / "media" / old_key).exists()
    assert (dest / "README.txt").read_text() == "a file of our own"
    # What did not change was not rewritten: the stylesheet, the other works' images.
    for name in [n for n in after if n.startswith(("static/", "media/"))]:
        assert after[name] == before[name], name
    found = crawl(serve(dest), tuple(f"/{code}/index.html" for code in LANGUAGES))
    _assert_clean(found, (public_id, old_key, "Approved work with a private address"))


def test_the_copy_names_its_own_primary_address_whatever_the_setting(app_factory, tmp_path):
    """Absolute addresses follow PUBLIC_URL; an export with another --public-url names that
    one (its sitemap is what the crawl follows), and the setting is as it was afterwards."""
    app = app_factory(PUBLIC_URL="https://elsewhere.example")
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["export-static", str(tmp_path / "m"), "--public-url", PUBLIC]
        )
    assert result.exit_code == 0, result.output
    home = (tmp_path / "m" / "fr" / "index.html").read_text()
    assert f'<link rel="canonical" href="{PUBLIC}/fr/">' in home and "elsewhere.example" not in home
    assert app.config["PUBLIC_URL"] == "https://elsewhere.example"


# ---- DEST shared with others: links planted in it lead nowhere ----


def test_a_link_planted_in_dest_is_not_written_through(app, runner, tmp_path):
    """Someone who can write into DEST made DEST/static a link to another folder: the
    export wrote the CSS there."""
    dest, elsewhere = tmp_path / "mirror", tmp_path / "elsewhere"
    dest.mkdir()
    elsewhere.mkdir()
    (dest / "static").symlink_to(elsewhere, target_is_directory=True)
    result = runner.invoke(args=["export-static", str(dest), "--public-url", PUBLIC])
    assert result.exit_code == 2
    assert "through a symbolic link" in result.output and "Remove the link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_tampered_manifest_deletes_nothing_outside_dest(app, runner, tmp_path):
    """A manifest naming a file behind a planted link made the export delete it as stale."""
    dest, elsewhere = tmp_path / "mirror", tmp_path / "elsewhere"
    dest.mkdir()
    elsewhere.mkdir()
    (elsewhere / "important.conf").write_text("x")
    (dest / "old").symlink_to(elsewhere, target_is_directory=True)
    (dest / "gone.html").write_text("stale")
    (dest / mirror.MANIFEST).write_text(
        '{"old/important.conf": "x", "gone.html": "y", "../../etc/x": "z"}'
    )
    result = runner.invoke(args=["export-static", str(dest), "--public-url", PUBLIC])
    assert result.exit_code == 0, result.output
    assert (elsewhere / "important.conf").read_text() == "x"
    assert "Not removed: old/important.conf" in result.output
    assert not (dest / "gone.html").exists()  # what the export did write is still removed
    assert ", 1 removed;" in result.output


def test_the_command_needs_a_primary_address(app, runner, tmp_path):
    result = runner.invoke(args=["export-static", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "PUBLIC_URL" in result.output
    assert not (tmp_path / "m").exists()
    bad = runner.invoke(args=["export-static", str(tmp_path / "m"), "--public-url", "ftp://x"])
    assert bad.exit_code == 2 and "PUBLIC_URL must be an address" in bad.output


@pytest.mark.slow
def test_the_command_reports_the_copy_and_names_the_onion_service(app_factory, tmp_path):
    app = app_factory(PUBLIC_URL=PUBLIC + "/", ONION_URL=ONION)
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
        result = app.test_cli_runner().invoke(args=["export-static", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"Exported \d+ pages to .*: \d+ files written, 0 unchanged, 0 removed; "
        r"[\d.]+ MB in all, in [\d.]+ s\.",
        result.output,
    )
    page = (tmp_path / "m" / "en" / "works" / "index.html").read_text()
    assert page.count("notice--mirror") == 1
    assert (
        "This is a copy of the gallery. Its search works here; forms (sending a work, reporting "
        f'a work) open the gallery&#39;s own site at <a href="{PUBLIC}/en/works">{PUBLIC}</a>, '
        f'or at <a href="{ONION}/en/works">{ONION}</a> over Tor.'
    ) in page
    french = (tmp_path / "m" / "fr" / "works" / "index.html").read_text()
    assert (
        f'<a href="{PUBLIC}/fr/works">{PUBLIC}</a>' in french
        and f'<a href="{ONION}/fr/works">' in french
    )


@pytest.mark.slow
def test_a_broken_link_fails_the_command(app, runner, tmp_path):
    add_work(
        media_store(app),
        title="Links",
        alt_text="Grey square",
        description="See [the old page](/en/works/no-such-work-here).",
    )
    result = runner.invoke(args=["export-static", str(tmp_path / "m"), "--public-url", PUBLIC])
    assert result.exit_code == 1
    assert (
        "Broken link: /en/works/no-such-work-here answered 404 (linked from /en/works/"
        in result.output
    )


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/",
        "/moderation/works/1",
        "/login",
        "/logout",
        "/account/password",
        "/submissions/abc",
        "/fr/submissions/abc/withdraw",
        "/api/works",
        "/ru/api/prisoners",
    ],
)
def test_private_addresses_are_refused(path):
    assert mirror.is_private(path)


@pytest.mark.parametrize("path", ["/works", "/fr/works/abc", "/apiary", "/fr/prisoners/login"])
def test_public_addresses_are_not_refused(path):
    assert not mirror.is_private(path)


@pytest.mark.parametrize(
    ("path", "query", "file"),
    [
        ("/fr/works/abc", (), "fr/works/abc/index.html"),
        ("/fr/", (), "fr/index.html"),
        ("/fr/works", (("page", "2"),), "fr/works/index-page-2.html"),
        ("/ru/works", (("page", "3"), ("tag", "poster")), "ru/works/index-page-3_tag-poster.html"),
        (
            "/en/works",
            (("q", "a b"),),
            "en/works/index-q" + mirror.content_digest(b"q=a+b")[:12] + ".html",
        ),
        ("/fr/works/abc/poster.pdf", (("size", "a4"),), "fr/works/abc/poster-a4.pdf"),
        ("/feed.atom", (), "feed.atom"),
        ("/static/css/gallery.css", (), "static/css/gallery.css"),
        ("/fr/works/../../etc", (), None),
        ("/fr/.hidden", (), None),
    ],
)
def test_each_address_has_a_file_that_works_from_file_urls(path, query, file):
    assert mirror.file_for(path, query) == file


def test_a_pdf_rebuilt_with_new_time_stamps_is_unchanged():
    one = (
        b"%PDF-1.4\n<< /CreationDate (D:20261202101010+00'00') /ModDate (D:20261202101010+00'00') >>\n"
        b"trailer << /ID [<aa><bb>] >>"
    )
    two = one.replace(b"101010", b"111111").replace(b"<aa><bb>", b"<cc><dd>")
    assert mirror.content_digest(one) == mirror.content_digest(two)
    assert mirror.content_digest(one) != mirror.content_digest(one.replace(b"1.4", b"1.5"))
