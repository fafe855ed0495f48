"""Whole pages kept for anonymous visitors, shared by the host's workers (every host's, with
Redis), and served compressed, with validators, to whoever asks again.

A share by a well-known account sends thousands of visitors to the same few pages in
minutes.  Each public page is rendered once per address, language and generation, kept in
Flask-Caching (files under instance/cache by default, shared by every worker of the host;
Redis with CACHE_REDIS_URL, shared by every host), and served from there with its gzip and
Brotli bodies made once, an ETag and a Last-Modified, so a visitor who comes back gets 304.

Only the query arguments a page reads make a new address (QUERY_ARGS): any other gets a
301 to the address without it, so `?x=1`, `?x=2`... never render or keep a page each.

Invalidation is by generation: the key of every page holds a random token kept in the cache
itself, and every committed transaction that changed something a visitor could see
(approving, hiding, unpublishing or editing a work, a withdrawal, a prisoner's or a
campaign's page, a takedown) replaces the token (`_note_changes`, `_committed`).  Every page
cached before is then unreachable at once, on every worker and every host that shares the
cache, and deleted (web/cachestore.py): by the process that made the change, and by every
other host as soon as it reads the new token; print PDFs and the sitemap, built once per
generation into files (web/builtfiles.py), go with them.  A per-host cache is not started
on a shared database, where another host's change would not reach it.  The token is read
before the page's rows, so a page rendered from rows older than a change is stored under
the old token, never under the new one (and deleted if the sweep came first).  Entries also expire by
themselves after PAGE_CACHE_SECONDS, and the key holds the day in PRISONER_TIMEZONE, so
the days in prison and the birthday reminders move on at midnight.

Never cached: a moderator's request (the session holds a user); methods other than GET and
HEAD; endpoints not listed in CACHED (forms, receipts, search, media, the API);
answers other than 200, private or no-store ones, and ones that set a cookie.  Only pages
with no secret in them are compressed here (no CSRF token): compressing secrets beside
reflected text is what BREACH reads; the rest is left to the proxy, for which the README
says what to compress.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import secrets
import time
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import brotli
from flask import Flask, current_app, g, has_app_context, redirect, request, session
from flask_babel import get_locale
from flask_caching import Cache
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response

from ..models import Work, WorkStatus
from . import builtfiles
from .cachestore import PageRedis

log = logging.getLogger(__name__)

cache = Cache()

# Pages an anonymous visitor sees the same as every other, by endpoint, with the query
# arguments each reads (`lang` everywhere).  Search is left out (any text makes a new
# address); so are forms, receipts, media and the API.  Any other argument is dropped by a
# redirect to the same address without it (`_clean_address`), so that `?x=1`, `?x=2`...
# never make a page, or a cache entry, each; the kept copy is keyed by these arguments
# only, in one order, each once, empty ones left out (an empty value reads as absent).
QUERY_ARGS: dict[str, frozenset[str]] = {
    endpoint: frozenset({"lang", *args}) for endpoint, args in {
        "public.home": (), "public.works": ("prisoner", "campaign", "tag", "page", "after", "before"),
        "public.work": (), "public.prisoners": (), "public.prisoner": (), "public.campaign": (),
        "feeds.feed": (), "feeds.prisoner_feed": (), "feeds.campaign_feed": (),
        "feeds.sitemap": (), "feeds.robots": (), "show.newest": ("interval", "start"),
        "show.campaign": ("interval", "start"), "prints.poster": ("size", "v"),
        "prints.posters": ("size",), "prints.labels": (), "prints.flyer": (),
    }.items()
}  # fmt: skip
# Print PDFs are built once per generation into files of their own (web/builtfiles.py),
# outside the page cache and its budget.
CACHED = frozenset(e for e in QUERY_ARGS if not e.startswith("prints."))
# Text worth compressing; PDFs hold compressed streams already and images are left alone.
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/atom+xml", "application/xml", "text/xml", "text/plain", "image/svg+xml",
})  # fmt: skip
# Headers a view sets that belong to the page; the per-request ones (CSP, cookies, Vary on
# the language) are added again by the app's hooks each time it is served.
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "X-Robots-Tag", "Link",
                "Content-Language")
REDIS_TIMEOUT = 2  # seconds, for connecting to the page cache's Redis and for each reply
MIN_COMPRESS = 512  # bytes: below this the headers outweigh the gain
GENERATION_KEY = "pages:generation"
# Tables no visitor ever sees: a change there leaves every cached page as it was.
PRIVATE_TABLES = frozenset({"moderator", "moderation_event", "report", "outgoing_mail",
                            "search_document"})  # fmt: skip
_CHANGED = "gallery.visible_change"
_KEY = "page_cache_key"
_SEEN = "gallery.page_generation_seen"  # the generation this process last saw, per app


def init_app(app: Flask) -> None:
    """Configure Flask-Caching (files under the instance folder unless told otherwise) and
    attach the hooks: the lookup runs before every other before-request hook, the store
    after the view, before the headers every response gets."""
    if _per_host_on_shared_database(app):
        log.warning("page cache off: a per-host cache on a shared database would serve a takedown "
                    "made on another host for minutes; set CACHE_REDIS_URL, or "
                    "FLASK_PAGE_CACHE_ONE_HOST=true if this is the only host")  # fmt: skip
        app.config["PAGE_CACHE"] = False
    if app.config.get("CACHE_REDIS_URL") and not app.config.get("CACHE_TYPE"):
        app.config["CACHE_TYPE"] = "gallery.web.cachestore.PageRedis"
        # A Redis that stops answering (not refusing: silent) must cost a request or a
        # commit two seconds at most, not hang it: redis-py waits for ever by default.
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": REDIS_TIMEOUT,
                                                "socket_connect_timeout": REDIS_TIMEOUT})  # fmt: skip
    if not app.config.get("CACHE_TYPE"):
        app.config["CACHE_TYPE"] = "gallery.web.cachestore.PageFiles"
        app.config.setdefault("CACHE_DIR", str(Path(app.instance_path) / "cache" / "pages"))
    app.config.setdefault("CACHE_KEY_PREFIX", "gallery:")
    app.config.setdefault("CACHE_THRESHOLD", app.config["PAGE_CACHE_ENTRIES"])
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["PAGE_CACHE_SECONDS"])
    cache.init_app(app)
    builtfiles.current_generation = generation
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_cached)
    app.after_request(_store_and_serve)
    app.after_request(_compress_static)
    if app.config["PAGE_CACHE"]:
        generation(app)  # sweeps what an earlier run left of older generations


def _per_host_on_shared_database(app: Flask) -> bool:
    """Whether the page cache would be the host's own (files) while the rows are shared
    (PostgreSQL): then a takedown on another host would not reach this host's pages."""
    if not app.config["PAGE_CACHE"] or app.config["PAGE_CACHE_ONE_HOST"]:
        return False
    if app.config.get("CACHE_REDIS_URL") or app.config.get("CACHE_TYPE"):
        return False
    database = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    return bool(database) and not database.startswith("sqlite")


def _clean_address() -> Response | None:
    """A 301 to this address without the query arguments the page does not read (any
    others are tracking tags, or someone making addresses to fill the cache); None when
    there are none to drop."""
    allowed = QUERY_ARGS.get(request.endpoint or "")
    if allowed is None or request.method not in ("GET", "HEAD"):
        return None
    if all(name in allowed for name in request.args):
        return None
    kept = [(k, v) for k, v in request.args.items(multi=True) if k in allowed]
    location = iri_to_uri(request.script_root + request.path)
    return redirect(f"{location}?{urlencode(kept)}" if kept else location, 301)


def _eligible() -> bool:
    if request.method not in ("GET", "HEAD") or request.endpoint not in CACHED:
        return False
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        # A signed cookie is cheap to read; it says whether a moderator is logged in.  (An
        # artist's CSRF token alone changes nothing: public pages show no form, no message.)
        if "_user_id" in session:
            return False
    return True


def generation(app: Flask | None = None) -> str | None:
    """The current generation's token, made when the cache holds none (first start, or
    an eviction: a new token is always safe, it only costs renderings); None when the
    cache cannot be reached (Redis down): then nothing is served from it or kept.  Read
    before the rows that what it vouches for is made from.  With app, outside any app
    context (the published-media shortcut, public/media.py)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions["cache"][cache]
    try:
        found = backend.get(GENERATION_KEY)
        if not isinstance(found, str):
            found = secrets.token_hex(8)
            backend.set(GENERATION_KEY, found, timeout=0)
    except Exception as exc:  # noqa: BLE001 - the pages are still made, only not cached
        log.warning("page cache unreachable (%s): pages are rendered each time", type(exc).__name__)
        return None
    seen = app.extensions.setdefault(_SEEN, {})
    if seen.get("token") != found:
        # This process's first look, or another's change: what the host keeps of the other
        # generations goes now (on a host that made no change, a takedown's too).
        seen["token"] = found
        _sweep(app, found, shared=False)
    return found


def _sweep(app: Flask, token: str, *, shared: bool) -> None:
    """Delete what the cache and the print files hold of generations other than token:
    the host's own files always, a shared cache (Redis) when shared."""
    backend = app.extensions["cache"][cache]
    try:
        if shared or not isinstance(backend, PageRedis):
            sweep = getattr(backend, "sweep", None)
            if sweep is not None:
                sweep(token)
        builtfiles.sweep(app, token)
    except Exception:  # noqa: BLE001 - a page is never refused for this; say it loudly
        log.exception("page cache: could not delete the pages of older generations")


def _page_key(generation: str) -> str:
    """The key of this page: host, path, and only the arguments it reads, each once, in one
    order, without empty ones; the language (not `lang`, which only chooses it) and the day."""
    allowed = QUERY_ARGS[request.endpoint or ""] - {"lang"}
    args = sorted((name, request.args.get(name, "")) for name in allowed if request.args.get(name))
    address = f"{request.scheme}://{request.host}{request.path}?{urlencode(args)}"
    digest = hashlib.sha256(address.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"page:{generation}:{builtfiles.today()}:{get_locale()}:{digest}"


def _serve_cached() -> Response | None:
    """Answer from the cache when this request may be, and the page is there; send an
    address with arguments the page does not read to the one without them."""
    clean = _clean_address()
    if clean is not None:
        return clean
    if not _eligible():
        return None
    if not current_app.config["PAGE_CACHE"]:
        g.setdefault(_KEY, None)  # not kept, but still compressed and conditional
        return None
    token = generation()
    if token is None:
        g.setdefault(_KEY, None)  # the cache is down: rendered, compressed, not kept
        return None
    key = _page_key(token)
    try:
        entry = cache.get(key)
    except Exception:  # noqa: BLE001 - as above: render the page
        entry = None
    if isinstance(entry, dict):
        return _from_entry(entry)
    g.setdefault(_KEY, (key, token))
    return None


def _store_and_serve(response: Response) -> Response:
    """Keep a page this request rendered, then answer from the kept copy (compressed and
    conditional, as every later visitor gets it)."""
    if _KEY not in g or not _storable(response):
        return response
    kept = g.pop(_KEY)
    entry = _entry(response)
    if kept is not None:
        key, token = kept
        try:
            cache.set(key, entry)
            if generation() != token:
                # A change committed while this page was made: the sweep may have run
                # before it was stored, and it may show what the change took back.
                cache.delete(key)
        except Exception:  # noqa: BLE001 - a cache that fails must not fail the page
            log.exception("page cache: could not store a page")
    return _from_entry(entry)


def _storable(response: Response) -> bool:
    cache_control = response.cache_control
    return (
        response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not cache_control.no_store
        and not cache_control.private
        and (response.calculate_content_length() or 0) <= current_app.config["PAGE_CACHE_MAX_PAGE_BYTES"]
    )


def _entry(response: Response) -> dict[str, Any]:
    body = response.get_data()
    entry: dict[str, Any] = {
        "body": body,
        "headers": [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS],
        "etag": hashlib.sha256(body).hexdigest()[:32],
        "modified": int(time.time()),
        "vary": sorted(response.vary),
    }
    if response.mimetype in COMPRESSIBLE and len(body) >= MIN_COMPRESS:
        entry["gzip"] = gzip.compress(body, compresslevel=6, mtime=0)
        entry["br"] = brotli.compress(body, quality=6, mode=brotli.MODE_TEXT)
    return entry


def _from_entry(entry: dict[str, Any]) -> Response:
    encoding = _encoding(entry)
    response = Response(entry.get(encoding) if encoding else entry["body"], headers=entry["headers"])
    response.vary.update(entry["vary"])
    if "gzip" in entry:
        response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    # One validator a body: a gzip body is not byte for byte the Brotli one.
    response.set_etag(f"{entry['etag']}-{encoding}" if encoding else entry["etag"])
    response.last_modified = entry["modified"]
    if "Cache-Control" not in response.headers:
        # Any cache may keep the page but must ask again each time (a takedown is at once);
        # feeds say for how long readers may keep them.
        response.cache_control.no_cache = True
    return response.make_conditional(request)


def _encoding(entry: dict[str, Any]) -> str | None:
    if "gzip" not in entry:
        return None
    return _choose(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=64)
def _choose(accept_encoding: str) -> str | None:
    """Brotli if the client takes it, else gzip, else nothing (q=0 refuses)."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip()] = quality
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0.0)) > 0:
            return name
    return None


# Static files: CSS, JavaScript and SVG compressed once per file version.

def _compress_static(response: Response) -> Response:
    if (request.endpoint != "static" or response.status_code != 200
            or response.mimetype not in COMPRESSIBLE):  # fmt: skip
        return response
    encoding = _choose(request.headers.get("Accept-Encoding", ""))
    response.vary.add("Accept-Encoding")
    filename = (request.view_args or {}).get("filename", "")
    folder = current_app.static_folder
    if not encoding or not folder:
        return response
    path = Path(folder, filename).resolve()
    if Path(folder).resolve() not in path.parents:
        return response
    try:
        stat = path.stat()
    except OSError:
        return response
    data = _compressed_file(str(path), stat.st_mtime_ns, encoding)
    if data is None:
        return response
    response.close()  # the file send_file() opened
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response.make_conditional(request)


@lru_cache(maxsize=128)
def _compressed_file(path: str, _mtime_ns: int, encoding: str) -> bytes | None:
    data = Path(path).read_bytes()
    if len(data) < MIN_COMPRESS:
        return None
    if encoding == "br":
        return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)
    return gzip.compress(data, compresslevel=9, mtime=0)


# Invalidation: a new generation after every commit that changed what visitors see.

def _visible(obj: object, *, new: bool) -> bool:
    table = getattr(obj, "__tablename__", None)
    if table in PRIVATE_TABLES:
        return False
    if isinstance(obj, Work):
        # A submission, or a change to a work nobody public ever saw, shows nowhere.
        if obj.status == WorkStatus.APPROVED:
            return True
        if new:
            return False
        history = inspect(obj).attrs.status.history
        return WorkStatus.APPROVED in (history.deleted or ())
    return True


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_CHANGED):
        return
    new = any(_visible(obj, new=True) for obj in session.new)
    changed: Iterable[object] = chain(session.dirty, session.deleted)
    if new or any(_visible(obj, new=False) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    # Bulk UPDATE and DELETE statements (demo removal, retention) bypass the flush.
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in PRIVATE_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    if has_app_context():
        invalidate()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_CHANGED, None)


def invalidate() -> None:
    """Make every cached page unreachable (a new generation), then delete them all (what a
    takedown took back must not stay on disk or in Redis); logged when it fails, since
    pages would then stay as they were until they expire."""
    token = secrets.token_hex(8)
    try:
        if not cache.set(GENERATION_KEY, token, timeout=0):
            raise RuntimeError("the cache refused the new generation")
    except Exception:  # noqa: BLE001 - the commit has happened; say loudly what did not
        log.exception("page cache: could not start a new generation; pages may be stale "
                      "for up to %s s", current_app.config.get("CACHE_DEFAULT_TIMEOUT"))
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions.setdefault(_SEEN, {})["token"] = token
    _sweep(app, token, shared=True)
