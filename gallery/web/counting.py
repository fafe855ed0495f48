"""Counting what people did, as well as a server can tell people from programs (issue 25).

A view (or, for pages the page cache answers before any view runs, a counter registered
for its endpoint) says what a request would count; one after-request hook, which runs
after every other so that it sees the final answer, decides whether it counts and hands
it to verbs.impact.record(), which only adds to memory. Nothing about the visitor is read
beyond what is needed to leave the request out, and nothing about them is kept.

A request counts only when it is what a person asked for:

- a GET (a HEAD, a form post or an OPTIONS counts nothing);
- not a prefetch or a prerender (`Sec-Purpose: prefetch`, `Purpose: prefetch`,
  `X-Moz: prefetch`, `X-Purpose: preview`): browsers fetch ahead pages nobody may open;
- answered 2xx or 3xx but neither 304 nor 206: a 304 is a cache revalidating what it
  already holds (a reader who reloads a PDF), a 206 a PDF viewer fetching the rest of a
  file it has begun, an error is nothing printed;
- with a User-Agent, which matches none of BOT_PATTERNS: crawlers, link previews of
  messengers and social sites, HTTP libraries and command-line tools, headless browsers
  and monitors. The list is short and kept here; a maintained list (the PyPI packages
  `crawlerdetect` or `crawler-user-agents`) would catch more, and this module is where
  it would go;
- not export-static copying the site (the mirror fetches every PDF once).

A bot that pretends to be a browser is counted: no server can tell it from a person
without tracking people, which is what this is built not to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, g, request
from werkzeug.wrappers import Response

from ..models import impact as kinds
from ..verbs import impact
from .i18n import LOCALISED_BLUEPRINTS
from .limits import from_export


@dataclass(frozen=True)
class Count:
    """One thing a request did, and what it was for (None: nothing of that kind)."""

    kind: str
    work_id: int | None = None
    prisoner_id: int | None = None
    campaign_id: int | None = None


# Substrings of the User-Agent header (case-insensitive) that name a program, not a person's
# browser. Generic words first ("bot" also catches Googlebot, bingbot, Applebot, TelegramBot,
# Pinterestbot...). Not "telegram" or "pinterest": their apps' own browsers name themselves
# so, and a person reads the page there.
BOT_PATTERNS: tuple[str, ...] = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "archiver",
    "preview",  # link previews: Skype, Teams, Slack ("Slack-ImgProxy", "Slackbot")
    "facebookexternalhit",
    "facebookcatalog",
    "whatsapp",  # its link preview ("WhatsApp/2.23..."); links open in the phone's browser
    "vkshare",
    "embedly",
    "quora link",
    "headless",  # HeadlessChrome, Puppeteer and Playwright by default
    "lighthouse",
    "pagespeed",
    "phantomjs",
    "selenium",
    "curl",
    "wget",
    "python-",  # python-requests, python-urllib, python-httpx
    "python/",
    "aiohttp",
    "httpx",
    "go-http-client",
    "okhttp",
    "java/",
    "apache-httpclient",
    "libwww",
    "node-fetch",
    "axios",
    "scrapy",
    "httrack",
    "monitor",  # uptime checkers
    "uptime",
    "pingdom",
    "validator",  # the W3C validators, link checkers
    "checker",
    "feed",  # feed readers fetching enclosures
)
_BOT = re.compile("|".join(re.escape(p) for p in BOT_PATTERNS), re.IGNORECASE)
_PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
_PENDING = "gallery.counts"
_COUNTERS = "gallery.counters"
QR_ARG, QR_VALUE = "src", "qr"

# What a page served from the cache counts, worked out from its endpoint and address.
EndpointCounter = Callable[[dict[str, str]], list[Count]]
# The work, prisoner or campaign a page is about, for a visit from a QR code.
SubjectOf = Callable[[dict[str, str]], Count | None]


def is_bot(user_agent: str | None) -> bool:
    """Whether a User-Agent names a program rather than a person's browser (an empty or
    missing one counts as a program: every browser sends one)."""
    agent = (user_agent or "").strip()
    return not agent or _BOT.search(agent) is not None


def _is_prefetch() -> bool:
    return any(
        value and ("prefetch" in value.lower() or "preview" in value.lower())
        for value in (request.headers.get(name) for name in _PREFETCH_HEADERS)
    )


def counts_as_a_person(response: Response) -> bool:
    """Whether this request and its answer count (the rules in the module's docstring)."""
    return (
        request.method == "GET"
        and 200 <= response.status_code < 400
        and response.status_code not in (206, 304)
        and not _is_prefetch()
        and not is_bot(request.headers.get("User-Agent"))
        and not from_export()
    )


def count_request(
    kind: str,
    *,
    work_id: int | None = None,
    prisoner_id: int | None = None,
    campaign_id: int | None = None,
) -> None:
    """Count `kind` for this request if, once answered, it turns out to be a person's."""
    g.setdefault(_PENDING, []).append(Count(kind, work_id, prisoner_id, campaign_id))


def on_endpoint(app: Flask, endpoint: str, counter: EndpointCounter) -> None:
    """What a request to `endpoint` counts, worked out after the answer (for pages the page
    cache may answer before their view runs)."""
    app.extensions.setdefault(_COUNTERS, {}).setdefault("endpoints", {})[endpoint] = counter


def subject_for_qr(app: Flask, endpoint: str, subject: SubjectOf) -> None:
    """The work, prisoner or campaign a page of `endpoint` is about, for ?src=qr."""
    app.extensions.setdefault(_COUNTERS, {}).setdefault("subjects", {})[endpoint] = subject


def _counts_of(app: Flask) -> list[Count]:
    counts: list[Count] = list(g.pop(_PENDING, []))
    endpoint = request.endpoint or ""
    registered = app.extensions.get(_COUNTERS, {})
    view_args = dict(request.view_args or {})
    counter = registered.get("endpoints", {}).get(endpoint)
    if counter is not None:
        counts.extend(counter(view_args))
    public = endpoint.partition(".")[0] in LOCALISED_BLUEPRINTS
    if request.args.get(QR_ARG) == QR_VALUE and public:
        # The page cache sends ?src=qr on before any view runs (a 301 to the plain address),
        # so an address that names a work, prisoner or campaign is looked up here: one that
        # names none counts nothing.
        subject = registered.get("subjects", {}).get(endpoint)
        found = subject(view_args) if subject is not None else Count(kinds.QR)
        if found is not None:
            counts.append(Count(kinds.QR, found.work_id, found.prisoner_id, found.campaign_id))
    return counts


def init_app(app: Flask) -> None:
    """The hook that counts; registered first, so that it runs after every other."""

    def _count(response: Response) -> Response:
        if request.args.get(QR_ARG) == QR_VALUE and 300 <= response.status_code < 400:
            # The page cache sends ?src=qr on to the address without it: a browser must
            # not keep that redirect, or the same phone's next scan would never arrive.
            response.cache_control.no_store = True
        if not counts_as_a_person(response):
            g.pop(_PENDING, None)
            return response
        for count in _counts_of(app):  # looked up only for a person's request
            impact.record(
                count.kind,
                work_id=count.work_id,
                prisoner_id=count.prisoner_id,
                campaign_id=count.campaign_id,
            )
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, _count)
