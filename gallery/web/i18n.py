"""Languages: every public page has an address in each language, and the visitor's choice.

- `/fr/works`, `/ru/prisoners/<slug>`, `/en/`...: the page in that language, for links that
  are shared, cached and indexed. Links on such a page keep its language.
- `/works` and the other bare addresses (the ones `interfaces.md` lists) choose: `?lang=`,
  then the remembered cookie, then `Accept-Language`, and say `Vary`.
- Every page names its versions with `<link rel="alternate" hreflang>`, the bare address
  as `x-default`. Its `<link rel="canonical">` is its own address: `/fr/works` for
  `/fr/works`, `/works` for `/works` (an x-default page canonical to one of its
  alternates tells search engines to drop it: Lighthouse fails such a page), and
  `/fr/works` for `/works?lang=fr`, which is only a way to reach it.

A language chosen in the address (`/fr/...` or `?lang=fr`) is remembered in a cookie.
The moderators' pages have no `/fr/` address: `/fr/login` or `/fr/moderation/...`, typed
by analogy with the public pages, is sent to `/login?lang=fr` (a 302) instead of a 404.
Addresses are built from the route and the query string separately, so no argument in the
query string can reach url_for() as one of its own (`_external`, `_scheme`, `endpoint`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request, url_for
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, RequestRedirect

from .http import is_api_request
from .limits import export_qr_base

COOKIE = "lang"
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ru": "Русский"}
# The blueprints whose pages have an address per language (the moderators' pages follow
# the cookie: they are private, never shared, cached or indexed).
LOCALISED_BLUEPRINTS = (
    "public",
    "digest",
    "submit",
    "reports",
    "feeds",
    "search",
    "prints",
    "show",
    "letters",
    "impact",
)
# Answers for machines, and images (the sitemap and robots.txt live at the bare address).
NOT_PAGES = {"public.healthz", "submit.receipt_media", "feeds.sitemap", "feeds.robots"}
ARG = "lang_code"
# The pages that follow the cookie and have one address only (the moderators').
UNPREFIXED_BLUEPRINTS = ("auth", "moderation")


class LanguageConverter(BaseConverter):
    """Matches only the configured language codes, so `/works/...` is never a language."""

    def __init__(self, url_map: Map, *codes: str) -> None:
        super().__init__(url_map)
        self.regex = "(?:" + "|".join(codes) + ")"


def select_locale() -> str:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (g.get(ARG), request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _chosen_in_address() -> str | None:
    chosen = g.get(ARG) or request.args.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else None


def _remember_choice(response: Response) -> Response:
    chosen = _chosen_in_address()
    # The JSON API is cached publicly: its ?lang= is a one-off, never a cookie.
    if chosen and request.cookies.get(COOKIE) != chosen and not is_api_request():
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    if g.get(ARG) is None and _localised():
        # The same address answers in several languages: caches must keep them apart.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def _has_language_address(endpoint: str | None) -> bool:
    return endpoint in current_app.extensions.get("gallery.localised", ())


def _localised() -> bool:
    return request.url_rule is not None and _has_language_address(request.endpoint)


def _take_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and ARG in values:
        g.lang_code = values.pop(ARG)


def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    # On a /fr/... page, links to other localised pages stay in French.
    if ARG not in values and g.get(ARG) and _has_language_address(endpoint):
        values[ARG] = g.lang_code


def url_in_language(endpoint: str, **values: Any) -> str:
    """The absolute address of a localised page in the reader's language (`/fr/works/<id>`):
    what a QR code on a poster or a slide must lead to, whatever address printed it.
    In a static copy made with `export-static --qr-base URL`, the page's file in the copy
    at that address instead (`URL/fr/works/<id>/index.html`: any static host serves it)."""
    qr_base = export_qr_base()
    if qr_base is not None:
        path = url_for(endpoint, **{ARG: str(get_locale())}, **values)
        path = path[len(request.script_root) :].split("?", 1)[0].strip("/")
        return f"{qr_base}/{path}/index.html"
    return url_for(endpoint, _external=True, **{ARG: str(get_locale())}, **values)


# Query arguments that say where a visitor came from, not what the page is (a work's
# ?from=, the list its previous and next links follow): kept on the language links, left
# out of the canonical address and the hreflang alternates.
CONTEXT_ARGS = frozenset({"from"})


def page_url(code: str | None, *, external: bool = False, context: bool = True) -> str | None:
    """This page's address in language `code` (the bare address for None), with its
    query string minus `lang` (and minus CONTEXT_ARGS when `context` is False); None
    where the page has none (a POST-only route)."""
    rule = request.url_rule
    if rule is None or "GET" not in (rule.methods or ()) or not request.endpoint:
        return None
    values: dict[str, Any] = dict(request.view_args or {})
    # None keeps _keep_language() from adding the current language: the bare address.
    values[ARG] = code if _localised() else None
    url = url_for(request.endpoint, _external=external, **values)
    args = [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k != "lang" and (context or k not in CONTEXT_ARGS)
    ]
    if code is not None and not _localised():
        args.append(("lang", code))
    return f"{url}?{urlencode(args)}" if args else url


def address_without_language() -> str | None:
    """For a GET to /<language>/<path> that matched nothing, where /<path> is one of the
    moderators' pages: that page's address with ?lang=<language> (other arguments kept).
    None otherwise, and the 404 stands."""
    if request.method not in ("GET", "HEAD") or request.url_rule is not None:
        return None
    code, slash, rest = request.path.lstrip("/").partition("/")
    if not slash or code not in current_app.config["LANGUAGES"]:
        return None
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return None
    try:
        try:
            endpoint, values = adapter.match("/" + rest, method="GET")
        except RequestRedirect:  # /fr/moderation: the address ends with a slash
            endpoint, values = adapter.match("/" + rest + "/", method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed, another redirect
        return None
    if endpoint.partition(".")[0] not in UNPREFIXED_BLUEPRINTS:
        return None
    args = [("lang", code)] + [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{url_for(endpoint, **values)}?{urlencode(args)}"


def _language_links() -> list[dict[str, object]]:
    """Links to this same page in each language, each named in its own language."""
    return [
        {"code": code, "name": LANGUAGE_NAMES.get(code, code), "href": page_url(code)}
        for code in current_app.config["LANGUAGES"]
    ]


def _alternates() -> dict[str, object]:
    """The canonical address of this page and its version in every language."""
    if not _localised() or request.method != "GET":
        return {"canonical": None, "alternates": []}
    alternates = [
        {"hreflang": code, "href": page_url(code, external=True, context=False)}
        for code in current_app.config["LANGUAGES"]
    ]
    alternates.append(
        {"hreflang": "x-default", "href": page_url(None, external=True, context=False)}
    )
    canonical = page_url(_chosen_in_address(), external=True, context=False)
    return {"canonical": canonical, "alternates": alternates}


def localise_routes(app: Flask) -> None:
    """Give every GET page of the localised blueprints a copy under /<language>/."""
    localised = set()
    for rule in list(app.url_map.iter_rules()):
        blueprint = rule.endpoint.partition(".")[0]
        if (
            blueprint not in LOCALISED_BLUEPRINTS
            or rule.endpoint in NOT_PAGES
            or ARG in rule.arguments
        ):
            continue
        methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
        app.add_url_rule(f"/<lang:{ARG}>{rule.rule}", endpoint=rule.endpoint, methods=methods)
        localised.add(rule.endpoint)
    app.extensions["gallery.localised"] = frozenset(localised)


def init_app(app: Flask) -> None:
    """The language converter and hooks; call localise_routes() once blueprints exist."""
    codes = app.config["LANGUAGES"]
    app.url_map.converters["lang"] = lambda url_map, *args: LanguageConverter(url_map, *codes)
    app.url_value_preprocessor(_take_language)
    app.url_defaults(_keep_language)
    app.after_request(_remember_choice)

    @app.context_processor
    def _inject() -> dict[str, object]:
        return {
            "current_locale": str(get_locale()),
            "language_links": _language_links,
            "page_alternates": _alternates,
        }
