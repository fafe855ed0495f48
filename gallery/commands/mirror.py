"""A static copy of the public site (`flask --app gallery export-static DEST`).

Where the gallery is blocked, seized or down, a copy that anyone can host keeps the works
and the prisoners' stories readable: on any static host, on a USB stick opened from
`file://`, or on IPFS. So every link in the copy is relative (no leading slash, pages end
in `index.html`) and the copy works from any folder or sub-path.

The copy is made by crawling the public site in-process, as an anonymous visitor (Flask's
test client without cookies, each request in contexts of its own), from each language's
home page, the feeds, the sitemap and the print PDFs of every public work, campaign and
prisoner, following every link a page (href, src, srcset, action, poster, data-*) or a
stylesheet (`url()`, `@import`) holds. Whatever the pages link to is exported, and only
that; a private address (moderation, login, accounts, receipts, the API) is never
fetched, and media are copied only for works that are approved and not hidden. Pages that
need the server (sending a work, reports, search) and every form lead to the primary
address (PUBLIC_URL), and each page says so in a note.

The export is incremental: `.export-manifest.json` in DEST lists what it wrote, with each
file's SHA-256; a file is written only when its bytes changed (a temporary file in the same
folder, then one rename), and what the previous export wrote but this one did not (a work
unpublished, withdrawn or rejected) is deleted. Files the export never wrote are left
alone."""
from __future__ import annotations

import contextvars
import hashlib
import html
import json
import logging
import os
import posixpath
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit

from babel import Locale
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.sansio.utils import host_is_trusted

from ..web.limits import EXPORT_ENVIRON
from ..extensions import db
from ..media import media_store
from ..models import Campaign, Prisoner, Work, WorkStatus

# Set in the WSGI environ of the requests export-static makes itself: no client can set it,
# as HTTP headers arrive as HTTP_* keys; no rate limit counts them (web/limits.py).

log = logging.getLogger(__name__)

MANIFEST = ".export-manifest.json"
LANG_ARG = "lang_code"  # the language argument of localised routes (web/i18n.py)
# Answered by the server only: never fetched, and links to them lead to PUBLIC_URL.
PRIVATE = re.compile(r"\A/(?:[a-z]{2}/)?(?:moderation|login|logout|account|submissions|api)(?:/|\Z)")
SERVER_BLUEPRINTS = {"submit", "reports", "search", "auth", "moderation", "api"}
SERVER_ENDPOINTS = {"public.healthz"}
# A3 posters hold the same image as A4 ones, page for page: a copy keeps only A4 (half the
# size of its PDFs, which are most of a copy) and its A3 links lead to the primary site.
LARGE_ONLY_ONLINE = {"prints.poster", "prints.posters"}
# Exported at their bare address too: they hold no page a visitor reads.
LANGUAGE_FREE = {"feeds.feed", "feeds.prisoner_feed", "feeds.campaign_feed", "feeds.sitemap",
                 "feeds.robots"}  # fmt: skip
SAFE_SEGMENT = re.compile(r"\A[A-Za-z0-9_~-][A-Za-z0-9._~-]*\Z")  # no "..", no hidden file
READABLE_KEY = re.compile(r"\A[a-z]{1,20}\Z")
READABLE_VALUE = re.compile(r"\A[A-Za-z0-9-]{1,60}\Z")
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
ATTRIBUTE = re.compile(r"""(\s)([a-zA-Z][\w:.-]*)(\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
MAIN_OPEN = re.compile(r"<main\b[^>]*>")
BODY_OPEN = re.compile(r"<body\b[^>]*>")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
# <meta http-equiv="refresh" content="12;url=/fr/show?start=1"> (the slideshow without script)
REFRESH_TAG = re.compile(r"""http-equiv\s*=\s*["']?refresh""", re.IGNORECASE)
REFRESH = re.compile(r"(\s*\d+\s*[;,]\s*url\s*=\s*)(\S.*?)\s*\Z", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "poster"}
SRCSET_ATTRIBUTES = {"srcset", "imagesrcset"}
# A PDF rebuilt with nothing but new time stamps and ids is the same document.
PDF_STAMPS = re.compile(rb"/(?:CreationDate|ModDate)\s*\([^)]*\)|/ID\s*\[[^\]]*\]")


@dataclass
class Report:
    """What an export did."""

    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    bytes: int = 0  # the size of the whole copy
    bytes_written: int = 0
    seconds: float = 0.0
    broken: list[tuple[str, int, str]] = field(default_factory=list)  # (url, status, linked from)
    left_alone: list[str] = field(default_factory=list)  # stale entries behind a link out of dest


class UnsafeDestination(ValueError):
    """A folder of DEST is a symbolic link leading out of it: the export writes nothing
    through it (someone who can write into DEST could aim the copy anywhere)."""


@dataclass
class Target:
    """One address of the site to copy, and the file it becomes."""

    path: str  # the site's own path, without PUBLIC_URL's path prefix
    query: tuple[tuple[str, str], ...]
    file: str  # relative to DEST, with forward slashes
    media: bool = False
    optional: bool = False  # a seed that may answer 400/403/404 (print PDFs, slideshows)
    linked_from: str = ""

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


def parse_public_url(url: str) -> str:
    """PUBLIC_URL without a trailing slash; ValueError unless it is an http(s) address."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("PUBLIC_URL must be an address such as https://artprotest.example")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_private(path: str) -> bool:
    """Whether a path is one the export refuses to fetch (moderation, login, accounts,
    receipts, the API), in any language."""
    return bool(PRIVATE.match(path))


def export_static(app: Flask, dest: Path, public_url: str) -> Report:
    """Write (or bring up to date) a static copy of the public site into dest."""
    public_url = parse_public_url(public_url)
    trusted = app.config["TRUSTED_HOSTS"]
    if trusted and not host_is_trusted(urlsplit(public_url).netloc, trusted):
        raise ValueError("PUBLIC_URL's host is not one of TRUSTED_HOSTS: the app would refuse it")
    started = time.perf_counter()
    # The pages' absolute addresses (canonical links, feeds, the sitemap the crawl follows)
    # are built on PUBLIC_URL: the copy's primary address, for the length of the export.
    configured = app.config["PUBLIC_URL"]
    app.config["PUBLIC_URL"] = public_url
    try:
        with app.app_context(), _quiet_access_log():
            report = _Export(app, Path(dest), public_url).run()
            db.session.rollback()
    finally:
        app.config["PUBLIC_URL"] = configured
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _quiet_access_log() -> Iterator[None]:
    # One line per request would bury the report under thousands of lines.
    access = logging.getLogger("gallery.access")
    level = access.level
    access.setLevel(logging.WARNING)
    try:
        yield
    finally:
        access.setLevel(level)


class _Export:
    def __init__(self, app: Flask, dest: Path, public_url: str) -> None:
        self.app, self.dest, self.public_url = app, dest.absolute(), public_url
        parts = urlsplit(public_url)
        self.netloc, self.root = parts.netloc, parts.path  # root: "" or "/prefix"
        self.languages: tuple[str, ...] = tuple(app.config["LANGUAGES"])
        self.default_language = app.config["BABEL_DEFAULT_LOCALE"]
        self.localised = app.extensions.get("gallery.localised", frozenset())
        self.routes = app.url_map.bind(self.netloc, script_name=self.root or "/",
                                       url_scheme=parts.scheme)  # fmt: skip
        self.client = app.test_client(use_cookies=False)
        self.client.environ_base[EXPORT_ENVIRON] = True  # not a visitor: no rate limit
        self.store = media_store(app)
        self.public_keys = set(db.session.scalars(select(Work.image_key).where(
            Work.status == WorkStatus.APPROVED, Work.hidden.is_(False), Work.image_key.is_not(None))))  # fmt: skip
        self.report = Report()
        self.queue: deque[Target] = deque()
        self.seen: dict[str, Target] = {}  # by target url
        self.failed: dict[str, int] = {}  # optional seeds that did not answer 200
        self.claimed: dict[str, str] = {}  # file -> target url
        self.resolved: dict[tuple[str, str | None], Target | None] = {}
        self.old: dict[str, str] = {}
        self.new: dict[str, str] = {}

    # ---- the crawl ----

    def run(self) -> Report:
        self.dest.mkdir(parents=True, exist_ok=True)
        self.old = _read_manifest(self.dest)
        self.claimed["index.html"] = "/"
        done = False
        try:
            self._seed()
            while self.queue:
                self._export(self.queue.popleft())
            self._put("index.html", self._language_chooser().encode())
            done = True
        finally:
            # After a failure, keep listing what the earlier runs wrote, so the next run
            # still removes it when it is stale.
            _write_manifest(self.dest, self.new if done else {**self.old, **self.new})
        self.report.removed, self.report.left_alone = _remove_stale(self.dest, set(self.old) - set(self.new))
        return self.report

    def _seed(self) -> None:
        for code in self.languages:
            self._enqueue(self._target(f"/{code}/", (), code), "(start)")
        for path in ("/feed.atom", "/sitemap.xml", "/robots.txt"):
            self._enqueue(self._target(path, (), None), "(start)")
        for path, query in self._print_seeds():
            for code in self.languages:
                self._enqueue(self._target(f"/{code}{path}", query, code), "(start)", optional=True)

    def _print_seeds(self) -> Iterator[tuple[str, tuple[tuple[str, str], ...]]]:
        """The print PDFs and slideshows of what is public, so they are copied even where
        no page links them yet (those a work's licence refuses answer 403 and are skipped)."""
        public = select(Work.public_id).where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        sizes = ((("size", "a4"),),)  # A3: see LARGE_ONLY_ONLINE
        for public_id in db.session.scalars(public.order_by(Work.id)):
            for size in sizes:
                yield f"/works/{public_id}/poster.pdf", size
        for slug in db.session.scalars(select(Campaign.slug).order_by(Campaign.id)):
            for size in sizes:
                yield f"/campaigns/{slug}/posters.pdf", size
            yield f"/campaigns/{slug}/labels.pdf", ()
            yield f"/campaigns/{slug}/show", ()
        for slug in db.session.scalars(select(Prisoner.slug).order_by(Prisoner.id)):
            yield f"/prisoners/{slug}/flyer.pdf", ()
        yield "/show", ()

    def _enqueue(self, target: Target | None, linked_from: str, *, optional: bool = False) -> Target | None:
        """Queue a target once; returns the one queued first for its address."""
        if target is None:
            return None
        known = self.seen.get(target.url)
        if known is None:
            target.optional, target.linked_from = optional, linked_from
            self.seen[target.url] = target
            self.queue.append(target)
            return target
        if not optional and known.optional:
            known.optional, known.linked_from = False, linked_from  # a page links it after all
            if target.url in self.failed:
                self.report.broken.append((target.url, self.failed[target.url], linked_from))
        return known

    def _export(self, target: Target) -> None:
        if target.media:
            self._copy_media(target)
            return
        response = contextvars.Context().run(
            self.client.get, target.path, query_string=target.query, base_url=self.public_url
        )
        try:
            status, mimetype, body = response.status_code, response.mimetype, response.get_data()
        finally:
            response.close()
        if status != 200:
            self.failed[target.url] = status
            if not (target.optional and status in (400, 403, 404)):
                self.report.broken.append((target.url, status, target.linked_from))
            return
        if mimetype == "text/html":
            body = self._page(target, body.decode("utf-8")).encode("utf-8")
            self.report.pages += 1
        elif mimetype == "text/css":
            body = self._stylesheet(target, body.decode("utf-8")).encode("utf-8")
        elif target.path == "/sitemap.xml":
            self._follow_sitemap(body)
        self._put(target.file, body)

    def _copy_media(self, target: Target) -> None:
        # Media are immutable at their key (a takedown moves them to a new one): a file the
        # last export copied is still right.
        if target.file in self.old and (self.dest / target.file).is_file():
            self.new[target.file] = self.old[target.file]
            self.report.unchanged += 1
            self.report.bytes += (self.dest / target.file).stat().st_size
            return
        _root, _media, key, filename = target.path.split("/", 3)
        data = self.store.read(key, filename)
        if data is None:
            self.report.broken.append((target.url, 404, target.linked_from))
            return
        self._put(target.file, data)

    def _follow_sitemap(self, body: bytes) -> None:
        try:
            locs = [el.text or "" for el in ET.fromstring(body).iter() if el.tag.endswith("}loc")]
        except ET.ParseError:
            return
        for loc in locs:
            self._enqueue(self._resolve(loc, self.public_url + "/", None, absolute_too=True), "/sitemap.xml")

    # ---- addresses and files ----

    def _resolve(self, raw: str, base: str, lang: str | None, *, absolute_too: bool = False) -> Target | None:
        """The target a link found on the page at `base` names; None for anything that is
        not a page or file of this site to copy."""
        parts = urlsplit(urljoin(base, raw))
        if parts.scheme not in ("http", "https") or parts.netloc != self.netloc:
            return None
        if not absolute_too and (urlsplit(raw).scheme or raw.startswith("//")):
            return None  # canonical, hreflang, og: name the primary site on purpose
        if not (parts.path == self.root or parts.path.startswith(self.root + "/")):
            return None
        path = parts.path[len(self.root):] or "/"
        return self._target(path, tuple(parse_qsl(parts.query, keep_blank_values=True)), lang)

    def _resolve_once(self, raw: str, base: str, lang: str | None) -> Target | None:
        # Every grid page links the same images and pages: resolve each address once.
        key = (urljoin(base, raw).partition("#")[0], lang)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(raw, base, lang)
        return self.resolved[key]

    def _target(self, path: str, query: tuple[tuple[str, str], ...], lang: str | None) -> Target | None:
        if is_private(path):
            return None
        endpoint, args, path = self._route(path)
        if endpoint is None:
            return None
        if endpoint != "?" and (endpoint.partition(".")[0] in SERVER_BLUEPRINTS or endpoint in SERVER_ENDPOINTS):
            return None
        if endpoint in LARGE_ONLY_ONLINE and dict(query).get("size", "").lower() == "a3":
            return None  # the A4 poster prints at A3 too; an A3 link opens the primary site
        if endpoint == "static":
            query = ()  # the ?v= that busts caches is the file's hash: the manifest has it
        elif endpoint == "media.file":
            if args.get("key") not in self.public_keys:
                return None
            return self._claim(Target(path, (), path.lstrip("/"), media=True))
        elif LANG_ARG not in args and endpoint in self.localised and endpoint not in LANGUAGE_FREE:
            # A bare address negotiates the language: the copy names the page's own one.
            chosen = dict(query).get("lang")
            code = chosen if chosen in self.languages else lang or self.default_language
            path = f"/{code}{path}"
        elif LANG_ARG not in args and endpoint not in LANGUAGE_FREE and endpoint != "?":
            return None
        query = _canonical_query(query)
        file = file_for(path, query)
        return None if file is None else self._claim(Target(path, query, file))

    def _route(self, path: str) -> tuple[str | None, dict, str]:
        """(endpoint, arguments, path) of a path, after the app's own redirects ("/fr" to
        "/fr/"); "?" for an unknown path (fetched, so its 404 is reported), None for one
        only the server answers."""
        for _attempt in range(3):
            try:
                endpoint, args = self.routes.match(path, method="GET")
                return endpoint, args, path
            except RequestRedirect as moved:
                path = urlsplit(moved.new_url).path[len(self.root):] or "/"
            except MethodNotAllowed:
                return None, {}, path
            except NotFound:
                return "?", {}, path
        return None, {}, path

    def _claim(self, target: Target) -> Target:
        """Give each address its own file, even where two readable names would meet."""
        owner = self.claimed.setdefault(target.file, target.url)
        if owner != target.url:
            stem, dot, ext = target.file.rpartition(".")
            target.file = f"{stem}-q{_digest(target.url.encode())[:12]}{dot}{ext}"
            self.claimed.setdefault(target.file, target.url)
        return target

    def _relative(self, target: Target, here: str, fragment: str) -> str:
        start = posixpath.dirname(here) or "."
        link = quote(posixpath.relpath(target.file, start), safe="/-._~")
        return link + (f"#{fragment}" if fragment else "")

    def _link(self, raw: str, page: Target, lang: str | None, *, form: bool = False) -> str:
        """What a link of an exported file becomes: relative to a copied file, absolute on
        PUBLIC_URL for what needs the server, or left as it was (other sites, mailto:)."""
        value = html.unescape(raw)
        if not value or value.startswith(("#", "data:", "mailto:", "tel:")):
            return raw
        if urlsplit(value).scheme or value.startswith("//"):
            return raw  # canonical, hreflang, og: name the primary site on purpose
        base = self.public_url + page.url
        parts = urlsplit(urljoin(base, value))
        target = None if form else self._resolve_once(value, base, lang)
        if target is not None:
            target = self._enqueue(target, page.url) or target
            return self._relative(target, page.file, parts.fragment)
        if parts.netloc != self.netloc:
            return raw
        return html.escape(parts.geturl())  # a server page: its address on the primary site

    # ---- rewriting what was fetched ----

    def _page(self, target: Target, text: str) -> str:
        lang = _language_of(target.path, self.languages) or self.default_language

        def attribute(match: re.Match[str], tag: str, refresh: bool) -> str:
            space, name, equals, double, single = match.groups()
            value, quote_char = (double, '"') if double is not None else (single, "'")
            lower = name.lower()
            if lower in SRCSET_ATTRIBUTES:
                value = self._srcset(value, target, lang)
            elif refresh and lower == "content" and (moved := REFRESH.match(value)):
                value = moved.group(1) + self._link(moved.group(2), target, lang)
            elif lower in URL_ATTRIBUTES or (lower.startswith("data-") and value.startswith("/")):
                value = self._link(value, target, lang, form=(tag == "form" and lower == "action"))
            return f"{space}{name}{equals}{quote_char}{value}{quote_char}"

        def tag(match: re.Match[str]) -> str:
            text = match.group(0)
            name = re.match(r"<([a-zA-Z][\w-]*)", text).group(1).lower()  # type: ignore[union-attr]
            refresh = name == "meta" and REFRESH_TAG.search(text) is not None
            return ATTRIBUTE.sub(lambda m: attribute(m, name, refresh), text)

        text = TAG.sub(tag, text)
        where = MAIN_OPEN.search(text) or BODY_OPEN.search(text)
        if where is None:
            return text
        return text[: where.end()] + self._note(lang, target) + text[where.end():]

    def _srcset(self, value: str, page: Target, lang: str) -> str:
        out = []
        for candidate in html.unescape(value).split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            if url:
                link = html.unescape(self._link(html.escape(url), page, lang))
                out.append(f"{link} {descriptor.strip()}".strip())
        return html.escape(", ".join(out))

    def _stylesheet(self, target: Target, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            raw = match.group(2) if match.group(2) is not None else match.group(4)
            link = html.unescape(self._link(html.escape(raw.strip()), target, None))
            if link == raw.strip():
                return match.group(0)
            if match.group(4) is not None:
                return f'@import "{link}"'
            return f'url("{link}")'

        return CSS_URL.sub(replace, text)

    def _note(self, lang: str, page: Target | None) -> str:
        """The notice at the top of each page: this is a copy, forms lead to the gallery."""
        onion = self.app.config["ONION_URL"]
        with force_locale(lang):
            if onion:
                text = _("This is a copy of the gallery. Forms (sending a work, searching, reporting "
                         "a work) open the gallery's own site at %(url)s, or at %(onion)s over Tor.")
            else:
                text = _("This is a copy of the gallery. Forms (sending a work, searching, reporting "
                         "a work) open the gallery's own site at %(url)s.")
        link = Markup('<a href="%s">%s</a>')
        here = page.url if page is not None else "/"
        values = {"url": link % (self.public_url + here, self.public_url)}
        if onion:
            values["onion"] = link % (onion.rstrip("/") + here, onion.rstrip("/"))
        return str(Markup('<div class="wrap"><p class="notice notice--mirror" role="note">%s</p></div>')
                   % (escape(text) % values))  # fmt: skip

    def _language_chooser(self) -> str:
        """DEST/index.html: sends to the English home page; names the others in their own words."""
        with force_locale(self.default_language):
            title = _("Art Protest")
        items = "".join(
            Markup('<li><a href="%s/index.html" lang="%s" hreflang="%s">%s</a></li>')
            % (code, code, code, Locale.parse(code).get_display_name(code).capitalize())
            for code in self.languages
        )
        return str(Markup(
            '<!doctype html>\n<html lang="%s">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta http-equiv="refresh" content="0; url=%s/index.html">\n<title>%s</title>\n'
            '<link rel="stylesheet" href="static/css/gallery.css">\n</head>\n<body>\n'
            '<main class="wrap section">\n%s<h1>%s</h1>\n<ul>%s</ul>\n</main>\n</body>\n</html>\n'
        ) % (self.default_language, self.default_language, title,
             Markup(self._note(self.default_language, None)), title, Markup(items)))  # fmt: skip

    # ---- files ----

    def _put(self, relative: str, data: bytes) -> None:
        """Write one file of the copy, unless the last export wrote these same bytes."""
        digest = content_digest(data)
        path = self.dest / relative
        self.new[relative] = digest
        self.report.bytes += len(data)
        if self.old.get(relative) == digest and path.is_file():
            self.report.unchanged += 1
            return
        _write_atomic(self.dest, path, data)
        self.report.written += 1
        self.report.bytes_written += len(data)


def _language_of(path: str, languages: tuple[str, ...]) -> str | None:
    first = path.lstrip("/").partition("/")[0]
    return first if first in languages else None


def _canonical_query(query: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """One address per page: `?page=N` names a grid page (the cursors that come with it
    lead to the same works), page 1 is the page without a number, `lang` is in the path."""
    pairs = [(k, v) for k, v in query if k not in ("lang", "v")]  # v: a poster's version
    keys = {k for k, _v in pairs}
    if "page" in keys:
        pairs = [(k, v) for k, v in pairs if k not in ("after", "before")]
        pairs = [(k, v) for k, v in pairs if not (k == "page" and v == "1")]
    return tuple(sorted(pairs))


def file_for(path: str, query: tuple[tuple[str, str], ...]) -> str | None:
    """The file an address becomes: `/fr/works/abc` -> `fr/works/abc/index.html`,
    `/fr/works?page=2` -> `fr/works/index-page-2.html`, `poster.pdf?size=a4` ->
    `poster-a4.pdf`; None for a path no file may carry (`..`, hidden or odd names)."""
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if not all(SAFE_SEGMENT.match(s) for s in segments):
        return None
    is_file = bool(segments) and not path.endswith("/") and "." in segments[-1]
    if not is_file:
        name = "index.html" if not query else f"index-{_query_name(query, page=True)}.html"
        return "/".join([*segments, name])
    stem, _dot, ext = segments[-1].rpartition(".")
    if query:
        segments[-1] = f"{stem}-{_query_name(query, page=False)}.{ext}"
    return "/".join(segments)


def _query_name(query: tuple[tuple[str, str], ...], *, page: bool) -> str:
    if all(READABLE_KEY.match(k) and READABLE_VALUE.match(v) for k, v in query) and len(query) <= 4:
        if not page and len(query) == 1:
            return query[0][1]
        return "_".join(f"{k}-{v}" for k, v in query)
    return "q" + _digest(urlencode(query).encode())[:12]


def content_digest(data: bytes) -> str:
    """The SHA-256 the manifest keeps; a PDF's creation and modification times and its
    /ID are left out, so a PDF rebuilt from the same content counts as unchanged."""
    return _digest(PDF_STAMPS.sub(b"", data) if data.startswith(b"%PDF-") else data)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(dest: Path) -> dict[str, str]:
    """What the last export wrote; entries that could name a file outside dest are dropped."""
    try:
        found = json.loads((dest / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str) and _inside(k)}


def _write_manifest(dest: Path, entries: dict[str, str]) -> None:
    data = json.dumps(entries, indent=0, sort_keys=True).encode()
    path = dest / MANIFEST
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    _write_atomic(dest, path, data)


def _inside(relative: str) -> bool:
    parts = relative.split("/")
    return bool(parts) and not relative.startswith("/") and all(SAFE_SEGMENT.match(p) for p in parts)


def _within(dest: Path, path: Path) -> bool:
    """Whether the folder of path, symbolic links followed, is dest or inside it."""
    root, folder = dest.resolve(), path.parent.resolve()
    return folder == root or root in folder.parents


def _write_atomic(dest: Path, path: Path, data: bytes) -> None:
    # Checked before any folder is made: mkdir and mkstemp would follow a planted link.
    # (A file that is itself a link is replaced, not followed: os.replace renames over it.)
    if not _within(dest, path):
        raise UnsafeDestination(
            f"{path.parent} leads out of {dest} through a symbolic link; the export writes "
            "nothing through links. Remove the link (or export into a folder only you can write to)."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # a static host's server reads it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale(dest: Path, stale: set[str]) -> tuple[int, list[str]]:
    """Delete what an earlier export wrote and this one did not, then empty folders; an
    entry whose folder is a link out of dest is left alone (a manifest can be tampered
    with).  Returns how many files went, and the entries left alone."""
    removed, left_alone = 0, []
    folders: set[Path] = set()
    for relative in sorted(stale):
        path = dest / relative
        if not _within(dest, path):
            log.warning("export-static: %s is behind a symbolic link out of %s; left alone", relative, dest)
            left_alone.append(relative)
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        folders.update(p for p in path.parents if p != dest and dest in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()  # only when empty: files the export never wrote stay
        except OSError:
            pass
    return removed, left_alone
