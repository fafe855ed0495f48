"""The OpenAPI 3.1 document of the read-only JSON API (public/api.py).

It is the one description of the API: /api/openapi.json serves it, and the tests validate
it (openapi-spec-validator), validate real responses against its schemas (jsonschema) and
fuzz every operation from it (schemathesis). The codes it lists (licences, prisoner
statuses, languages) come from the models and the config, so they cannot drift."""

from __future__ import annotations

import copy
from typing import Any

from ..config import Config
from ..core.paging import CURSOR_RE
from ..core.text import SLUG_RE
from ..models import ContentWarning, Licence, PrisonerStatus
from .queries import PUBLIC_ID_RE

MAX_LIMIT = 100
DEFAULT_LIMIT = 24
RENDITIONS = ("thumb", "share", "display", "large")
# Works stored before the share size existed have only these.
REQUIRED_RENDITIONS = ("thumb", "display", "large")


def _pattern(regex: Any) -> str:
    # Python's \A...\Z anchors, written the way JSON Schema (ECMA 262) reads them.
    return "^" + regex.pattern.removeprefix(r"\A").removesuffix(r"\Z") + "$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out


URI = {"type": "string", "format": "uri"}
DATE = {"type": "string", "format": "date"}
SLUG = {"type": "string", "pattern": _pattern(SLUG_RE), "minLength": 1, "maxLength": 80}
LANGUAGE = {"type": "string", "description": "A language code (BCP 47)."}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "type": {"type": "string", "const": "about:blank"},
            "title": {"type": "string", "description": "The HTTP status's name."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, in English."},
            "error": {
                **_object(
                    {
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "message": {"type": "string"},
                    }
                ),
                "description": "The status and `detail` again, as version 1.0 gave them.",
            },
        },
        "An error, as RFC 9457 problem details (application/problem+json).",
    ),
    "Text": _object(
        {"text": {"type": "string"}, "language": LANGUAGE},
        "A text and the language it is written in: the one asked for, else English, else "
        "the original language of the profile.",
    ),
    "Image": {
        "type": "object",
        "description": "One size of the image, as JPEG (PNG when it has transparency; "
        "the share size is always a JPEG, laid on white) and, for thumb and share, as WebP "
        "too; display has a WebP only with transparency (older works have one at display, "
        "some at large too, and none at share).",
        "required": ["width", "height"],
        "properties": {
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "webp": URI,
            "jpeg": URI,
            "png": URI,
        },
        "additionalProperties": False,
        "oneOf": [{"required": ["jpeg"]}, {"required": ["png"]}],
    },
    "Images": {
        "type": "object",
        "description": "thumb: 400 px on the long edge, share: 1200 px (the size phones "
        "take; absent from works stored before it existed), display: 1600 px (a picture "
        "of at most 2000 px keeps its own size), large: 2560 px (at most: never larger "
        "than what the artist sent).",
        "required": list(REQUIRED_RENDITIONS),
        "properties": {name: _ref("Image") for name in RENDITIONS},
        "additionalProperties": False,
    },
    "Licence": _object(
        {
            "code": {"type": "string", "enum": [code.value for code in Licence]},
            "name": {"type": "string"},
        }
    ),
    "PrisonerRef": _object(
        {
            "slug": SLUG,
            "name": {
                "type": "string",
                "description": "The name as the language asked for "
                "spells it («Азат Мифтахов» in Russian), else as the profile's original "
                "language does (`name_language`).",
            },
            "name_language": LANGUAGE,
            "url": URI,
            "api_url": URI,
        },
        "A prisoner, by name.",
    ),
    "CampaignRef": _object(
        {"slug": SLUG, "title": {"type": "string"}, "language": LANGUAGE, "url": URI},
        "A campaign; its title in the language asked for, else the nearest one (`language`).",
    ),
    "TagRef": _object(
        {
            "slug": SLUG,
            "name": {
                "type": "string",
                "description": "In the language asked for when the tag has a label in it.",
            },
        }
    ),
    "MoreImage": _object(
        {
            "alt_text": {
                "type": "string",
                "description": "The image described in words, in the language the artist "
                "wrote in (the work's `language` when it is the original).",
            },
            "images": _ref("Images"),
        },
        "One of a work's images other than its cover image.",
    ),
    "Work": _object(
        {
            "id": {"type": "string", "pattern": _pattern(PUBLIC_ID_RE)},
            "url": {**URI, "description": "The work's page."},
            "api_url": URI,
            "title": {
                "type": "string",
                "description": "In the language asked for when the work "
                "has it, else in the one the artist wrote it in (`language`).",
            },
            "alt_text": {
                "type": "string",
                "description": "The image described in words (as the title).",
            },
            "description": _nullable(
                {"type": "string", "description": "Markdown source (as the title)."}
            ),
            "language": _nullable(
                {
                    **LANGUAGE,
                    "description": "The language of the title as given: the one asked "
                    "for, or the one the artist said they wrote in.",
                }
            ),
            "artist": _nullable(
                {
                    "type": "string",
                    "description": "The name the artist chose (the demo posters': "
                    '"Demo poster" in the language asked for); null: anonymous.',
                }
            ),
            "licence": _ref("Licence"),
            "published_at": {"type": "string", "format": "date-time"},
            "prisoners": {"type": "array", "items": _ref("PrisonerRef")},
            "campaign": _nullable(_ref("CampaignRef")),
            "tags": {"type": "array", "items": _ref("TagRef")},
            "images": _ref("Images"),
            "more_images": {
                "type": "array",
                "items": _ref("MoreImage"),
                "description": "The work's other images, in order, after the one `images` "
                "and `alt_text` describe (its cover image, shown in lists and previews); "
                "empty for a work of one image.",
            },
            "content_warning": _nullable(
                {
                    "type": "object",
                    "required": ["code", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": [w.value for w in ContentWarning]},
                        "text": {
                            "type": "string",
                            "description": "The warning in the language asked for.",
                        },
                    },
                    "description": "What the work shows that some readers would rather "
                    "not see unasked: show the image only once the reader chooses to.",
                }
            ),
            "demo": {"type": "boolean", "description": "Demonstration content."},
        },
        "A published work.",
    ),
    "WorkList": _object(
        {
            "items": {"type": "array", "items": _ref("Work"), "maxItems": MAX_LIMIT},
            "next": _nullable({**URI, "description": "The next (older) page."}),
        },
        "Published works, newest first.",
    ),
}

_PRISONER_SUMMARY: dict[str, Any] = {
    "slug": SLUG,
    "name": SCHEMAS["PrisonerRef"]["properties"]["name"],
    "name_language": LANGUAGE,
    "name_native": _nullable({"type": "string", "description": "The name in its own script."}),
    "name_native_language": _nullable(
        {**LANGUAGE, "description": "The language of `name_native`."}
    ),
    "status": {"type": "string", "enum": [code.value for code in PrisonerStatus]},
    "detained_on": _nullable(DATE),
    "released_on": _nullable(DATE),
    "days_in_prison": _nullable({"type": "integer", "minimum": 0}),
    "url": {**URI, "description": "The prisoner's page."},
    "api_url": URI,
    "works_url": {**URI, "description": "The works made for this prisoner (/api/works)."},
    "summary": _nullable(_ref("Text")),
    "demo": {"type": "boolean", "description": "Demonstration content."},
}
SCHEMAS["PrisonerSummary"] = _object(_PRISONER_SUMMARY, "A prisoner, in short.")
SCHEMAS["PrisonerList"] = _object(
    {
        "items": {"type": "array", "items": _ref("PrisonerSummary")},
        "next": {"type": "null", "description": "Always null: the list is not paged."},
    },
    "Every prisoner, by name.",
)
SCHEMAS["Source"] = _object(
    {
        "title": {"type": "string"},
        "title_language": {"type": "string", "description": "The language of `title`."},
        "url": {"type": "string"},
        "undesirable_in_russia": {
            "type": "boolean",
            "description": "The outlet is declared “undesirable” in Russia: reposting it there is punished.",
        },
    }
)
SCHEMAS["Prisoner"] = _object(
    {
        **_PRISONER_SUMMARY,
        "language": {
            "type": "string",
            "enum": list(Config.LANGUAGES),
            "description": "The language asked for (`lang`, else Accept-Language).",
        },
        "story": _nullable(_ref("Text")),
        "charges": _nullable(_ref("Text")),
        "sentence": _nullable(_ref("Text")),
        "letter_guidance": _nullable(_ref("Text")),
        "sources": {"type": "array", "items": _ref("Source")},
        "last_verified_on": _nullable(
            {**DATE, "description": "When a moderator last checked the profile's sources."}
        ),
    },
    "A prisoner's profile; each text in the language asked for or the nearest one.",
)


PROBLEM = "application/problem+json"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Error")}}}


CACHED_HEADERS = {
    "ETag": {"required": True, "schema": {"type": "string"}},
    "Cache-Control": {"required": True, "schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"required": True, "schema": {"type": "string", "const": "*"}},
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": CACHED_HEADERS,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


COMMON_ERRORS = {
    "304": {"description": "Not modified (the ETag sent in If-None-Match still holds)."},
    "400": _error(
        "A query parameter given twice, empty, or not in the shape its schema "
        "says (a language the gallery does not speak, a malformed limit, cursor "
        "or filter). Parameters this document does not name are ignored."
    ),
    "405": _error("Only GET (and HEAD, OPTIONS) are answered."),
    "429": _error("Too many requests: see Retry-After."),
}

LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The language of texts and names; without it, Accept-Language.",
    "schema": {"type": "string", "enum": list(Config.LANGUAGES)},
}


def _slug_filter(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"Only works for this {what} (its slug).",
        "schema": SLUG,
    }


PATHS: dict[str, Any] = {
    "/api/works": {
        "get": {
            "operationId": "listWorks",
            "summary": "Published works, newest first, a page at a time",
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Works per page.",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
                {
                    "name": "after",
                    "in": "query",
                    "required": False,
                    "description": "The cursor of the page before, as written in `next`.",
                    "schema": {"type": "string", "pattern": _pattern(CURSOR_RE)},
                },
                _slug_filter("prisoner", "prisoner"),
                _slug_filter("campaign", "campaign"),
                _slug_filter("tag", "tag"),
                LANG,
            ],
            "responses": {
                "200": _ok("WorkList", "A page of works and the address of the next one."),
                "404": _error("A filter names no prisoner, campaign or tag."),
                **COMMON_ERRORS,
            },
        }
    },
    "/api/works/{id}": {
        "get": {
            "operationId": "getWork",
            "summary": "One published work",
            "parameters": [
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "description": "The work's public id.",
                    "schema": {"type": "string", "pattern": _pattern(PUBLIC_ID_RE)},
                },
                LANG,
            ],
            "responses": {
                "200": _ok("Work", "The work."),
                "404": _error("No published work has this id."),
                **COMMON_ERRORS,
            },
        }
    },
    "/api/prisoners": {
        "get": {
            "operationId": "listPrisoners",
            "summary": "Every prisoner, by name",
            "parameters": [LANG],
            "responses": {"200": _ok("PrisonerList", "The prisoners."), **COMMON_ERRORS},
        }
    },
    "/api/prisoners/{slug}": {
        "get": {
            "operationId": "getPrisoner",
            "summary": "A prisoner's profile",
            "parameters": [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The prisoner's slug.",
                    "schema": SLUG,
                },
                LANG,
            ],
            "responses": {
                "200": _ok("Prisoner", "The profile."),
                "404": _error("No prisoner has this slug."),
                **COMMON_ERRORS,
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "operationId": "getOpenAPI",
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document of this API.",
                    "headers": CACHED_HEADERS,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **COMMON_ERRORS,
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Art Protest gallery API",
        "version": "1.1.0",
        "description": "Read-only JSON of the gallery's public data: published works and "
        "the prisoners they stand with. Open to any origin (CORS), cached for a minute "
        "(ETag, If-None-Match), rate-limited per client. Errors are RFC 9457 problem "
        'details: `{"type": "about:blank", "title": "Not Found", "status": 404, "detail": '
        '"Not found.", "error": {...}}` (`error`: the body of version 1.0, kept).',
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def query_parameters(path: str) -> tuple[str, ...]:
    """The names of the query parameters an operation of PATHS takes."""
    return tuple(p["name"] for p in PATHS[path]["get"].get("parameters", ()) if p["in"] == "query")


def document() -> dict[str, Any]:
    """A copy of the OpenAPI document (callers may change it freely)."""
    return copy.deepcopy(DOCUMENT)
