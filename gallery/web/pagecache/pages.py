"""The pages kept: the lookup before the view, the store after it, and the answer from a
kept copy (compressed bodies, validators, 304); only the query arguments a page reads make a
new address."""

from __future__ import annotations

import gzip
import hashlib
import logging
import time
from typing import Any
from urllib.parse import urlencode

import brotli
from flask import current_app, g, redirect, request, session
from flask_babel import get_locale
from werkzeug.urls import iri_to_uri
from werkzeug.wrappers import Response

from .. import builtfiles
from ..http import wants_activity_json
from ..limits import from_export
from .compress import COMPRESSIBLE, MIN_COMPRESS, _choose
from .invalidation import cache, generation

log = logging.getLogger(__package__)  # gallery.web.pagecache, as before the split


# Pages an anonymous visitor sees the same as every other, by endpoint, with the query
# arguments each reads (`lang` everywhere).  Search is left out (any text makes a new
# address); so are forms, receipts, media and the API.  Any other argument is dropped by a
# redirect to the same address without it (`_clean_address`), so that `?x=1`, `?x=2`...
# never make a page, or a cache entry, each; the kept copy is keyed by these arguments
# only, in one order, each once, empty ones left out (an empty value reads as absent).
QUERY_ARGS: dict[str, frozenset[str]] = {
    endpoint: frozenset({"lang", *args})
    for endpoint, args in {
        "public.home": (),
        "public.works": ("prisoner", "campaign", "tag", "page", "after", "before"),
        "public.work": ("from",),  # the list of its previous and next links
        "public.prisoners": (),
        "public.prisoner": (),
        "public.campaign": (),
        "public.help_artists": (),
        "impact.overview": (),
        "impact.prisoner": (),
        "impact.campaign": (),
        "feeds.feed": (),
        "feeds.prisoner_feed": (),
        "feeds.campaign_feed": (),
        "feeds.sitemap": (),
        "feeds.robots": (),
        "show.newest": ("interval", "start", "warned"),
        "show.campaign": ("interval", "start", "warned"),
        "prints.poster": ("size", "v"),
        "prints.posters": ("size",),
        "prints.labels": (),
        "prints.flyer": (),
        "prints.postcard": ("prisoner", "layout", "tone"),
        "prints.postcard_image": ("prisoner", "tone"),
        "prints.campaign_postcards": ("tone",),
    }.items()
}
# Print PDFs are built once per generation into files of their own (web/builtfiles.py),
# outside the page cache and its budget.
CACHED = frozenset(e for e in QUERY_ARGS if not e.startswith("prints."))
# Headers a view sets that belong to the page; the per-request ones (CSP, cookies, Vary on
# the language) are added again by the app's hooks each time it is served.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Cache-Control",
    "X-Robots-Tag",
    "Link",
    "Content-Language",
)
_KEY = "page_cache_key"


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
    if wants_activity_json():  # a work's Note (JSON) is never kept nor served for HTML
        return False
    if from_export():
        # export-static's pages are the copy's (filters as links, the search in the
        # browser, QR codes that may lead to the copy): never kept for visitors, nor
        # taken from what visitors were served.
        return False
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        # A signed cookie is cheap to read; it says whether a moderator is logged in.  (An
        # artist's CSRF token alone changes nothing: public pages show no form, no message.)
        if "_user_id" in session:
            return False
    return True


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
        and (response.calculate_content_length() or 0)
        <= current_app.config["PAGE_CACHE_MAX_PAGE_BYTES"]
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
    response = Response(
        entry.get(encoding) if encoding else entry["body"], headers=entry["headers"]
    )
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
