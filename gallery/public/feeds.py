"""Feeds and what search engines read: the Atom feeds of new works (the whole gallery, one
prisoner, one campaign), the sitemap and robots.txt.

The feeds are pages of the `feeds` blueprint, which web/i18n.py localises: `/fr/feed.atom`
is the French feed (its titles, its links to French pages, `xml:lang="fr"`), `/feed.atom`
negotiates like every bare address. Each feed names the gallery's mirrors (MIRRORS): a
line of its subtitle, and a `rel="related"` link each. They read live data, so a work that is unpublished,
hidden or withdrawn leaves every feed at once; caches may keep them five minutes. The
sitemap and robots.txt answer at their bare addresses only (NOT_PAGES in web/i18n.py).

The documents are built with the standard library's ElementTree, which escapes every
text by construction (feedgen 1.0 drops the rel and type of entry links and cannot mark
one element's language). Entry ids are `urn:uuid:` names derived from the work's public id alone (UUID version 5),
so they survive edits of the title and are the same in every language and on every host
name the gallery answers for."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from ..core.mirrors import safe_mirrors
from ..core.text import xml_safe
from ..core.typography import inner_quotes
from ..models import Work, labels, utcnow
from ..web import builtfiles, pagecache
from ..web.http import or_404
from ..web.i18n import ARG
from . import queries

bp = Blueprint("feeds", __name__)

FEED_SIZE = 30
FEED_MAX_AGE = 300  # seconds: feeds read live data, so caches keep them briefly
ROBOTS_MAX_AGE = 3600
ATOM_TYPE = "application/atom+xml; charset=utf-8"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:art-protest:work")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_NS = "http://www.w3.org/2005/Atom"
# What crawlers are asked to leave alone (each also under /en/, /fr/, /ru/ where the
# address exists in each language).  "/search?" is the results, any address with a
# query: the search form itself is a public page.
PRIVATE_PREFIXES = (
    "/submissions/",
    "/letters/",
    "/moderation/",
    "/login",
    "/account/",
    "/search?",
    "/api/",
)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SITEMAP_MAX_URLS = 50_000


def entry_id(work: Work) -> str:
    """The work's permanent feed id: the same after any edit, in any language."""
    return uuid.uuid5(ID_NAMESPACE, work.public_id).urn


def _stamp(moment: datetime | None) -> str:
    """An RFC 3339 time, in UTC, to the second."""
    assert moment is not None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _public(rv: Response, max_age: int) -> Response:
    rv.cache_control.public = True
    rv.cache_control.max_age = max_age
    return rv


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    element.text = text
    return element


def _xml(root: ET.Element) -> bytes:
    """The document as UTF-8, without the characters XML forbids: ElementTree writes them
    as they are, and one in a title (from a row saved before the text cleaner knew them)
    would make the whole document unreadable to a strict reader."""
    return xml_safe(ET.tostring(root, encoding="utf-8", xml_declaration=True).decode()).encode()


def _atom(
    title: str, alternate: str, works: list[Work], *, empty_since: datetime | None
) -> Response:
    """An Atom 1.0 document of `works` (newest first) in the request's language."""
    locale = str(get_locale())
    endpoint = request.endpoint or ""
    values = dict(request.view_args or {})
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: locale})
    # The feed's id is its address in its language: /feed.atom and /en/feed.atom are one feed.
    _el(feed, "id", url_for(endpoint, _external=True, **{**values, ARG: locale}))
    _el(feed, "title", title)
    # The mirrors: a line of the subtitle, which readers show under the feed's name, and a
    # link each (rel="related": Atom allows one alternate per type and language).
    mirrors = safe_mirrors(current_app.config["MIRRORS"])
    if mirrors:
        line = _("Where this site is blocked, read it at:")
        _el(feed, "subtitle", f"{line} {', '.join(mirrors)}")
    newest = works[0].published_at if works else empty_since
    _el(feed, "updated", _stamp(newest or utcnow()))
    _el(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=url_for(endpoint, _external=True, **values),
    )
    _el(feed, "link", rel="alternate", type="text/html", href=alternate)
    for address in mirrors:
        _el(feed, "link", rel="related", type="text/html", href=address, title=_("Mirror"))
    _el(feed, "icon", url_for("static", filename="img/favicon.svg", _external=True))
    for work in works:
        entry = _el(feed, "entry")
        _el(entry, "id", entry_id(work))
        # The title in the feed's language when it is written in it, else in the language
        # the artist wrote it in (marked with that language).
        shown = work.text_for("title", locale)
        entry_title = _el(entry, "title", shown.text if shown else "")
        if shown and shown.locale != locale:
            entry_title.set(XML_LANG, shown.locale)
        _el(entry, "updated", _stamp(work.published_at))
        _el(entry, "published", _stamp(work.published_at))
        author = _el(entry, "author")
        _el(author, "name", labels.artist_name(work) or _("Anonymous"))
        _el(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=url_for("public.work", public_id=work.public_id, _external=True),
        )
        # HTML as escaped text (type="html"): ElementTree escapes it. `&quot;` for Jinja's
        # `&#34;` (the same character): feedparser, behind many readers, cuts an attribute
        # at a numeric `&#34;`.
        if work.content_warning is not None:
            # The warning as a category too, for readers that filter on it.
            _el(
                entry,
                "category",
                term=f"content-warning:{work.content_warning}",
                label=labels.content_warning(work) or "",
            )
        summary = render_template("feeds/summary.html", work=work).replace("&#34;", "&quot;")
        _el(entry, "summary", summary, type="html")
    return _public(Response(_xml(feed), content_type=ATOM_TYPE), FEED_MAX_AGE)


@bp.get("/feed.atom")
def feed() -> ResponseReturnValue:
    """The newest works of the whole gallery."""
    return _atom(
        _("Art Protest: newest works"),
        url_for("public.home", _external=True),
        queries.feed_works(queries.GridFilters(), FEED_SIZE),
        empty_since=None,
    )


@bp.get("/prisoners/<slug>/feed.atom")
def prisoner_feed(slug: str) -> ResponseReturnValue:
    """The newest works made for one prisoner."""
    found = or_404(queries.prisoner_by_slug(slug))
    works = queries.feed_works(queries.GridFilters(prisoner=found), FEED_SIZE)
    return _atom(
        _("Art Protest: works for %(name)s", name=found.name_for(str(get_locale()))),
        url_for("public.prisoner", slug=found.slug, _external=True),
        works,
        empty_since=found.created_at,
    )


@bp.get("/campaigns/<slug>/feed.atom")
def campaign_feed(slug: str) -> ResponseReturnValue:
    """The newest works of one campaign."""
    found = or_404(queries.campaign_by_slug(slug))
    works = queries.feed_works(queries.GridFilters(campaign=found), FEED_SIZE)
    shown = found.text_for("title", str(get_locale()))
    title = inner_quotes(shown.text if shown else found.title, get_locale())
    return _atom(
        _("Art Protest: works of the campaign %(title)s", title=title),
        url_for("public.campaign", slug=found.slug, _external=True),
        works,
        empty_since=found.created_at,
    )


# ---- for search engines: bare addresses only ----


def _page(endpoint: str, **values: str) -> dict[str, str]:
    """A page's absolute address in every language, and the bare one (x-default)."""
    urls = {
        code: url_for(endpoint, _external=True, **{ARG: code}, **values)
        for code in current_app.config["LANGUAGES"]
    }
    urls["x-default"] = url_for(endpoint, _external=True, **{ARG: None}, **values)
    return urls


def _sitemap_urls() -> Iterable[tuple[dict[str, str], datetime | None]]:
    rows = queries.sitemap_rows()
    for endpoint in (
        "public.home",
        "public.works",
        "public.prisoners",
        "search.search",
        "public.help_artists",
        "impact.overview",
    ):
        yield _page(endpoint), None
    for slug, changed in rows.prisoners:
        yield _page("public.prisoner", slug=slug), changed
    for slug, changed in rows.campaigns:
        yield _page("public.campaign", slug=slug), changed
    for public_id, changed in rows.works:
        yield _page("public.work", public_id=public_id), changed


@bp.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    """Every public page, once per language, each naming its versions (hreflang); built
    once per generation (10,000 works: 16 MB and seconds of CPU), sent from its file."""
    builtfiles.note_generation(pagecache.generation() if current_app.config["PAGE_CACHE"] else None)
    # BeingBuilt (503, Retry-After) while another request builds it.
    return builtfiles.serve(("sitemap",), _sitemap_body, mimetype="application/xml")


def _sitemap_body() -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    languages = current_app.config["LANGUAGES"]
    # A sitemap holds 50,000 addresses at most (sitemaps.org): past that, the oldest works
    # are left out (their pages are still linked from the grid).
    for urls, changed in islice(_sitemap_urls(), SITEMAP_MAX_URLS // len(languages)):
        for code in languages:
            url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = urls[code]
            if changed is not None:
                ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = _stamp(changed)
            for hreflang, href in urls.items():
                ET.SubElement(
                    url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href
                )
    return _xml(urlset)


def _localised_prefix(prefix: str) -> bool:
    """Whether some address under `prefix` also exists under /<language>/."""
    wanted = f"/<lang:{ARG}>{prefix.removesuffix('?')}"
    return any(rule.rule.startswith(wanted) for rule in current_app.url_map.iter_rules())


@bp.get("/robots.txt")
def robots() -> ResponseReturnValue:
    """Keep crawlers off private and endless addresses; point them to the sitemap."""
    lines = ["User-agent: *"]
    for prefix in PRIVATE_PREFIXES:
        lines.append(f"Disallow: {prefix}")
        if _localised_prefix(prefix):
            lines.extend(f"Disallow: /{code}{prefix}" for code in current_app.config["LANGUAGES"])
    lines += ["", f"Sitemap: {url_for('feeds.sitemap', _external=True)}", ""]
    return _public(
        Response("\n".join(lines), content_type="text/plain; charset=utf-8"), ROBOTS_MAX_AGE
    )
