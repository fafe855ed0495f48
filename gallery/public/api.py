"""The read-only JSON API: published works and prisoners, for other sites and programs.

`/api/works` (keyset pages with the grid's cursor and filters), `/api/works/<id>`,
`/api/prisoners`, `/api/prisoners/<slug>` and `/api/openapi.json` (api_schema.py, the one
description of it). Only what the public pages show leaves here: published works (not
pending, rejected, withdrawn or hidden: those are 404), never an e-mail, a receipt token,
an image hash, a moderator or a report. Responses are open to any origin (CORS),
`public, max-age=60` with an ETag, rate-limited per client; errors are problem details
(application/problem+json, web/errors/pages.py), a query the document forbids among them. The API has no /fr/ address: `?lang=` or Accept-Language choose the
language of names and texts, and every text says which language it is in."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ..core.paging import BadQuery
from ..models import Campaign, ImageColumns, Prisoner, Shown, Source, Work, labels
from ..web.http import cursor_arg, is_api_request, or_404
from ..web.limits import is_onion, limiter
from . import api_schema, queries

bp = Blueprint("api", __name__, url_prefix="/api")

LIMIT_RE = re.compile(r"\A[0-9]{1,3}\Z")
MAX_AGE = 60
PROFILE_TEXTS = {
    "summary": "summary",
    "story": "body",
    "charges": "charges",
    "sentence": "sentence",
    "letter_guidance": "letter_guidance",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
    "Access-Control-Max-Age": "86400",
}


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One budget for the whole API per client, not one per address.  Onion clients all share
# one address: no budget of theirs would be anyone's own (the API only reads, and caches).
limiter.shared_limit(_rate_limit, scope="api", methods=["GET", "HEAD"], exempt_when=is_onion)(bp)

# Each view's operation in the document, whose parameters the server holds to.
OPERATIONS = {
    "api.works": "/api/works",
    "api.work": "/api/works/{id}",
    "api.prisoners": "/api/prisoners",
    "api.prisoner": "/api/prisoners/{slug}",
}


@bp.before_request
def _documented_query() -> None:
    """The query as the document says (400, problem details, otherwise): each parameter
    it names at most once and not empty, `lang` one of the gallery's languages. The other
    parameters' shapes are checked where they are read (limit, cursor, slug filters)."""
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is None or request.method == "OPTIONS":
        return
    for name in api_schema.query_parameters(operation):
        values = request.args.getlist(name)
        if len(values) > 1 or values == [""]:
            raise BadQuery(name)
    if "lang" in request.args and request.args["lang"] not in current_app.config["LANGUAGES"]:
        raise BadQuery("lang")


# ---- serialisation ----


def _locale() -> str:
    return str(get_locale())


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _text(shown: Shown | None) -> dict[str, str] | None:
    return {"text": shown.text, "language": shown.locale} if shown else None


def _prisoner_ref(prisoner: Prisoner) -> dict[str, Any]:
    name = prisoner.name_shown(_locale())
    return {
        "slug": prisoner.slug,
        "name": name.text,
        "name_language": name.locale,
        "url": _url("public.prisoner", slug=prisoner.slug),
        "api_url": _url("api.prisoner", slug=prisoner.slug),
    }


def _campaign_ref(campaign: Campaign | None) -> dict[str, Any] | None:
    if campaign is None:
        return None
    title = campaign.text_for("title", _locale())
    return {
        "slug": campaign.slug,
        "title": title.text if title else campaign.title,
        "language": title.locale if title else campaign.original_locale,
        "url": _url("public.campaign", slug=campaign.slug),
    }


def _images(work: ImageColumns) -> dict[str, Any]:
    """The sizes of one image of a work (its cover image: the work itself)."""
    out = {}
    for size in api_schema.RENDITIONS:
        info = (work.renditions or {}).get(size)
        if not info:
            continue
        entry: dict[str, Any] = {"width": info["width"], "height": info["height"]}
        for fmt, filename in sorted(info["files"].items()):
            entry[fmt] = _url("media.file", key=work.image_key, filename=filename)
        out[size] = entry
    return out


def work_json(work: Work) -> dict[str, Any]:
    """A published work as the API shows it (schema "Work")."""
    assert work.published_at is not None
    locale = _locale()
    title, alt, description = (work.text_for(name, locale) for name in Work.TEXTS)
    return {
        "id": work.public_id,
        "url": _url("public.work", public_id=work.public_id),
        "api_url": _url("api.work", public_id=work.public_id),
        "title": title.text if title else "",
        "alt_text": alt.text if alt else "",
        "description": description.text if description else None,
        "language": (title.locale if title and work.text_locale else work.text_locale) or None,
        "artist": labels.artist_name(work),
        "licence": {"code": work.licence.value, "name": labels.licence_name(work.licence)},
        "published_at": work.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "prisoners": [_prisoner_ref(p) for p in work.prisoners],
        "campaign": _campaign_ref(work.campaign),
        "tags": [{"slug": tag.slug, "name": tag.label(locale)} for tag in work.tags],
        "images": _images(work),
        "more_images": [
            {"alt_text": image.alt_text, "images": _images(image)} for image in work.images
        ],
        "content_warning": {
            "code": work.content_warning.value,
            "text": labels.content_warning(work),
        }
        if work.content_warning
        else None,
        "demo": work.is_demo,
    }


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def prisoner_summary_json(prisoner: Prisoner) -> dict[str, Any]:
    """A prisoner in short (schema "PrisonerSummary")."""
    return {
        **_prisoner_ref(prisoner),
        "name_native": prisoner.name_native or None,
        "name_native_language": (prisoner.name_native_locale or None)
        if prisoner.name_native
        else None,
        "status": prisoner.status.value,
        "detained_on": _date(prisoner.detained_on),
        "released_on": _date(prisoner.released_on),
        "days_in_prison": prisoner.days_in_prison(),
        "works_url": _url("api.works", prisoner=prisoner.slug),
        "summary": _text(prisoner.text_for("summary", _locale())),
        "demo": prisoner.is_demo,
    }


def source_json(source: Source, locale: str, original: str) -> dict[str, Any]:
    """A source (schema "Source"): its title in the language asked for or the nearest one."""
    title = source.title_for(locale, original)
    return {
        "title": title.text,
        "title_language": title.locale,
        "url": source.url,
        "undesirable_in_russia": source.undesirable,
    }


def prisoner_json(prisoner: Prisoner) -> dict[str, Any]:
    """A prisoner's profile, each text in the language asked for or the nearest one."""
    locale = _locale()
    out = prisoner_summary_json(prisoner)
    out["language"] = locale
    for key, field in PROFILE_TEXTS.items():
        out[key] = _text(prisoner.text_for(field, locale))
    out["sources"] = [source_json(s, locale, prisoner.original_locale) for s in prisoner.sources]
    out["last_verified_on"] = _date(prisoner.last_verified_on)
    return out


# ---- responses ----


def _cached(payload: dict[str, Any], *, localised: bool = True) -> Response:
    """JSON any cache may keep a minute, with an ETag, so If-None-Match gets a 304."""
    response = jsonify(payload)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if localised:  # the language comes from ?lang=, the cookie or Accept-Language
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return api_schema.DEFAULT_LIMIT
    if not LIMIT_RE.match(raw) or not 1 <= int(raw) <= api_schema.MAX_LIMIT:
        raise BadQuery("limit")
    return int(raw)


@bp.get("/works")
def works() -> ResponseReturnValue:
    """Published works, newest first; `next` is the address of the next page or null."""
    filters = or_404(
        queries.resolve_filters(
            request.args.get("prisoner"), request.args.get("campaign"), request.args.get("tag")
        )
    )
    limit = _limit()
    page = queries.grid_page(filters, after=cursor_arg("after"), per_page=limit)
    queries.load_work_details(page.works)
    next_url = None
    if page.next_cursor:
        args: dict[str, Any] = {**filters.args(), "after": page.next_cursor}
        if "limit" in request.args:
            args["limit"] = limit
        if request.args.get("lang") in current_app.config["LANGUAGES"]:
            args["lang"] = request.args["lang"]
        next_url = _url("api.works", **args)
    return _cached({"items": [work_json(w) for w in page.works], "next": next_url})


@bp.get("/works/<public_id>")
def work(public_id: str) -> ResponseReturnValue:
    """One published work (404 for any other, whatever its status)."""
    return _cached(work_json(or_404(queries.public_work(public_id))))


@bp.get("/prisoners")
def prisoners() -> ResponseReturnValue:
    """Every prisoner, by name (one list: the envelope is the works' one, `next` null)."""
    return _cached(
        {"items": [prisoner_summary_json(p) for p in queries.prisoners(_locale())], "next": None}
    )


@bp.get("/prisoners/<slug>")
def prisoner(slug: str) -> ResponseReturnValue:
    """A prisoner's profile in the language asked for (`?lang=`, else Accept-Language)."""
    return _cached(prisoner_json(or_404(queries.prisoner_by_slug(slug))))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API."""
    return _cached(api_schema.document(), localised=False)


@bp.after_app_request
def _cors(response: Response) -> Response:
    # On every /api/ answer, errors and unknown addresses included (an app-wide hook: a
    # routing 404 or 405 belongs to no blueprint). OPTIONS preflights get Flask's own
    # answer with these headers.
    if is_api_request():
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
    return response
