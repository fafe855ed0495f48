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

import logging
from pathlib import Path

from flask import Flask

from .. import builtfiles
from .compress import COMPRESSIBLE, _compress_static
from .invalidation import GENERATION_KEY, PRIVATE_TABLES, cache, generation, invalidate
from .pages import CACHED, QUERY_ARGS, _serve_cached, _store_and_serve

__all__ = [
    "CACHED",
    "COMPRESSIBLE",
    "GENERATION_KEY",
    "PRIVATE_TABLES",
    "QUERY_ARGS",
    "cache",
    "generation",
    "init_app",
    "invalidate",
]

log = logging.getLogger(__name__)

REDIS_TIMEOUT = 2  # seconds, for connecting to the page cache's Redis and for each reply


def init_app(app: Flask) -> None:
    """Configure Flask-Caching (files under the instance folder unless told otherwise) and
    attach the hooks: the lookup runs before every other before-request hook, the store
    after the view, before the headers every response gets."""
    if _per_host_on_shared_database(app):
        log.warning(
            "page cache off: a per-host cache on a shared database would serve a takedown "
            "made on another host for minutes; set CACHE_REDIS_URL, or "
            "FLASK_PAGE_CACHE_ONE_HOST=true if this is the only host"
        )
        app.config["PAGE_CACHE"] = False
    if app.config.get("CACHE_REDIS_URL") and not app.config.get("CACHE_TYPE"):
        app.config["CACHE_TYPE"] = "gallery.web.cachestore.PageRedis"
        # A Redis that stops answering (not refusing: silent) must cost a request or a
        # commit two seconds at most, not hang it: redis-py waits for ever by default.
        app.config.setdefault(
            "CACHE_OPTIONS",
            {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT},
        )
    if not app.config.get("CACHE_TYPE"):
        app.config["CACHE_TYPE"] = "gallery.web.cachestore.PageFiles"
        if not app.config.get("CACHE_DIR"):
            app.config["CACHE_DIR"] = str(Path(app.instance_path) / "cache" / "pages")
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
