"""The crawl of export-static: the queue, the seeds, and the routing rules that decide
which address of the site is copied, which leads to the primary site, and which is never
fetched."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.sansio.utils import host_is_trusted

from ...extensions import db
from ...media import media_store
from ...models import Campaign, Prisoner, Work, WorkImage, WorkStatus
from ...web.limits import EXPORT_ENVIRON, QR_BASE_ENVIRON
from .files import (
    Target,
    _digest,
    _read_manifest,
    _remove_stale,
    _write_atomic,
    _write_manifest,
    content_digest,
    file_for,
)
from .rewrite import Rewriter
from .searchindex import index_file, search_index

# Set in the WSGI environ of the requests export-static makes itself: no client can set it,
# as HTTP headers arrive as HTTP_* keys; no rate limit counts them (web/limits.py).


LANG_ARG = "lang_code"  # the language argument of localised routes (web/i18n.py)
# Answered by the server only: never fetched, and links to them lead to PUBLIC_URL.
PRIVATE = re.compile(
    r"\A/(?:[a-z]{2}/)?(?:moderation|login|logout|account|submissions|api)(?:/|\Z)"
)
SERVER_BLUEPRINTS = {
    "submit",
    "reports",
    "letters",
    "digest",
    "search",
    "auth",
    "moderation",
    "api",
}
SERVER_ENDPOINTS = {"public.healthz"}
# The search form is copied: the copy searches an index of its own in the browser
# (searchindex.py); any address of the live search leads to it, with its words.
SEARCH_ENDPOINT = "search.search"
# A3 posters hold the same image as A4 ones, page for page: a copy keeps only A4 (half the
# size of its PDFs, which are most of a copy) and its A3 links lead to the primary site.
LARGE_ONLY_ONLINE = {"prints.poster", "prints.posters"}
# Exported at their bare address too: they hold no page a visitor reads.
LANGUAGE_FREE = {
    "feeds.feed",
    "feeds.prisoner_feed",
    "feeds.campaign_feed",
    "feeds.sitemap",
    "feeds.robots",
}


@dataclass
class Report:
    """What an export did."""

    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    bytes: int = 0  # the size of the whole copy
    seconds: float = 0.0
    broken: list[tuple[str, int, str]] = field(default_factory=list)  # (url, status, linked from)
    left_alone: list[str] = field(default_factory=list)  # stale entries behind a link out of dest


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


def export_static(app: Flask, dest: Path, public_url: str, *, qr_base: str | None = None) -> Report:
    """Write (or bring up to date) a static copy of the public site into dest; with
    qr_base, the QR codes of its prints and slideshows lead to the copy at that address."""
    public_url = parse_public_url(public_url)
    if qr_base:
        try:
            qr_base = parse_public_url(qr_base)
        except ValueError:
            raise ValueError(
                "--qr-base must be an address such as https://mirror.example/art"
            ) from None
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
            report = _Export(app, Path(dest), public_url, qr_base or None).run()
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


class _Export(Rewriter):
    def __init__(self, app: Flask, dest: Path, public_url: str, qr_base: str | None) -> None:
        self.app, self.dest, self.public_url = app, dest.absolute(), public_url
        parts = urlsplit(public_url)
        self.netloc, self.root = parts.netloc, parts.path  # root: "" or "/prefix"
        self.languages: tuple[str, ...] = tuple(app.config["LANGUAGES"])
        self.default_language = app.config["BABEL_DEFAULT_LOCALE"]
        self.localised = app.extensions.get("gallery.localised", frozenset())
        self.routes = app.url_map.bind(
            self.netloc, script_name=self.root or "/", url_scheme=parts.scheme
        )
        self.client = app.test_client(use_cookies=False)
        self.client.environ_base[EXPORT_ENVIRON] = True  # not a visitor: no rate limit
        if qr_base:
            self.client.environ_base[QR_BASE_ENVIRON] = qr_base  # web/i18n.url_in_language
        self.store = media_store(app)
        public = (Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        self.public_keys = set(
            db.session.scalars(select(Work.image_key).where(*public, Work.image_key.is_not(None)))
        ) | set(  # a published work's other images, which its page shows
            db.session.scalars(
                select(WorkImage.image_key)
                .join(Work, WorkImage.work_id == Work.id)
                .where(*public, WorkImage.image_key.is_not(None))
            )
        )
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
            self._search_indexes()
            self._put("index.html", self._language_chooser().encode())
            done = True
        finally:
            # After a failure, keep listing what the earlier runs wrote, so the next run
            # still removes it when it is stale.
            _write_manifest(self.dest, self.new if done else {**self.old, **self.new})
        self.report.removed, self.report.left_alone = _remove_stale(
            self.dest, set(self.old) - set(self.new)
        )
        return self.report

    def _seed(self) -> None:
        for code in self.languages:
            self._enqueue(self._target(f"/{code}/", (), code), "(start)")
        for code in self.languages:
            self._enqueue(self._target(f"/{code}/search", (), code), "(start)")
        for path in ("/feed.atom", "/sitemap.xml", "/robots.txt"):
            self._enqueue(self._target(path, (), None), "(start)")
        for path, query in self._print_seeds():
            for code in self.languages:
                self._enqueue(self._target(f"/{code}{path}", query, code), "(start)", optional=True)

    def _print_seeds(self) -> Iterator[tuple[str, tuple[tuple[str, str], ...]]]:
        """The print PDFs and slideshows of what is public, so they are copied even where
        no page links them yet (those a work's licence refuses answer 403 and are skipped)."""
        public = select(Work.public_id).where(
            Work.status == WorkStatus.APPROVED, Work.hidden.is_(False)
        )
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

    def _enqueue(
        self, target: Target | None, linked_from: str, *, optional: bool = False
    ) -> Target | None:
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
            self._enqueue(
                self._resolve(loc, self.public_url + "/", None, absolute_too=True), "/sitemap.xml"
            )

    # ---- addresses and files ----

    def _resolve(
        self, raw: str, base: str, lang: str | None, *, absolute_too: bool = False
    ) -> Target | None:
        """The target a link found on the page at `base` names; None for anything that is
        not a page or file of this site to copy."""
        parts = urlsplit(urljoin(base, raw))
        if parts.scheme not in ("http", "https") or parts.netloc != self.netloc:
            return None
        if not absolute_too and (urlsplit(raw).scheme or raw.startswith("//")):
            return None  # canonical, hreflang, og: name the primary site on purpose
        if not (parts.path == self.root or parts.path.startswith(self.root + "/")):
            return None
        path = parts.path[len(self.root) :] or "/"
        return self._target(path, tuple(parse_qsl(parts.query, keep_blank_values=True)), lang)

    def _resolve_once(self, raw: str, base: str, lang: str | None) -> Target | None:
        # Every grid page links the same images and pages: resolve each address once.
        key = (urljoin(base, raw).partition("#")[0], lang)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(raw, base, lang)
        return self.resolved[key]

    def _target(
        self, path: str, query: tuple[tuple[str, str], ...], lang: str | None
    ) -> Target | None:
        if is_private(path):
            return None
        endpoint, args, path = self._route(path)
        if endpoint is None:
            return None
        search = endpoint == SEARCH_ENDPOINT
        if search:
            query = ()  # one search page a language; the words stay on the link (_link)
        elif endpoint != "?" and (
            endpoint.partition(".")[0] in SERVER_BLUEPRINTS or endpoint in SERVER_ENDPOINTS
        ):
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
        return None if file is None else self._claim(Target(path, query, file, search=search))

    def _route(self, path: str) -> tuple[str | None, dict, str]:
        """(endpoint, arguments, path) of a path, after the app's own redirects ("/fr" to
        "/fr/"); "?" for an unknown path (fetched, so its 404 is reported), None for one
        only the server answers."""
        for _attempt in range(3):
            try:
                endpoint, args = self.routes.match(path, method="GET")
                return endpoint, args, path
            except RequestRedirect as moved:
                path = urlsplit(moved.new_url).path[len(self.root) :] or "/"
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

    def _search_indexes(self) -> None:
        """Beside each language's search page, the index its script searches."""
        for code in self.languages:
            if f"{code}/search/index.html" in self.new:
                relative = index_file(code)
                self.claimed.setdefault(relative, f"/{relative}")
                self._put(relative, search_index(code, self.new.__contains__))

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


def _canonical_query(query: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """One address per page: `?page=N` names a grid page (the cursors that come with it
    lead to the same works), page 1 is the page without a number, `lang` is in the path, and
    a work is copied once, at its own address, whatever list it was opened from (`from`:
    the copy has no previous and next, which follow the list online)."""
    pairs = [(k, v) for k, v in query if k not in ("lang", "v", "from")]  # v: a poster's version
    keys = {k for k, _v in pairs}
    if "page" in keys:
        pairs = [(k, v) for k, v in pairs if k not in ("after", "before")]
        pairs = [(k, v) for k, v in pairs if not (k == "page" and v == "1")]
    return tuple(sorted(pairs))
