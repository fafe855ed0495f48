"""The read-only JSON API: its OpenAPI document, what it shows and never shows, paging,
filters, languages, JSON errors, CORS, caching, rate limits, and a schemathesis fuzz run
of every operation against the document."""

from __future__ import annotations

import contextvars
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gallery.extensions import db
from gallery.models import Campaign, CampaignTranslation, PrisonerStory, Source, WorkStatus
from gallery.public import api_schema
from helpers import saved

BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOST = "http://localhost"
WORK_KEYS = {
    "more_images",
    "id",
    "url",
    "api_url",
    "title",
    "alt_text",
    "description",
    "language",
    "artist",
    "licence",
    "published_at",
    "prisoners",
    "campaign",
    "tags",
    "images",
    "content_warning",
    "demo",
}


def conforms(instance: Any, schema_name: str) -> None:
    """Validate a response body against a schema of the OpenAPI document."""
    registry = Registry().with_resource(
        "urn:api", Resource.from_contents(api_schema.document(), default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": f"urn:api#/components/schemas/{schema_name}"},
        registry=registry,
        format_checker=FormatChecker(),
    )
    validator.validate(instance)


def get_json(client, url: str, status: int = 200, **kw: Any) -> Any:
    response = client.get(url, **kw)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == ("application/json" if status < 400 else "application/problem+json")
    return response.get_json(force=True)


def problem(status: int, detail: str) -> dict[str, Any]:
    """An error's body: RFC 9457 problem details, with version 1.0's `error` kept."""
    title = {
        400: "Bad Request",
        404: "Not Found",
        405: "Method Not Allowed",
        500: "Internal Server Error",
    }[status]
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "error": {"status": status, "message": detail},
    }


@pytest.fixture
def campaign(app):
    c = Campaign(slug="paris-rally", title="Paris rally", original_locale="en")
    c.translations = [CampaignTranslation(locale="fr", title="Rassemblement de Paris")]
    return saved(c)


# ---- the document ----


def test_openapi_document_is_valid_and_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    served = response.get_json()
    assert served == api_schema.document()
    validate_openapi(served)  # raises on any error against the OpenAPI 3.1 meta-schema
    assert served["openapi"] == "3.1.0"
    assert set(served["paths"]) == {
        "/api/works",
        "/api/works/{id}",
        "/api/prisoners",
        "/api/prisoners/{slug}",
        "/api/openapi.json",
    }
    params = {p["name"] for p in served["paths"]["/api/works"]["get"]["parameters"]}
    assert params == {"limit", "after", "prisoner", "campaign", "tag", "lang"}


# ---- works ----


def test_a_work_shows_what_its_page_shows(client, make_work, make_prisoner, campaign):
    ada = make_prisoner(name="Ada Example", slug="ada-example")
    work = make_work(
        title="Sun behind bars",
        alt_text="A yellow sun",
        description="Made *for* Ada.",
        text_locale="fr",
        display_name="Nadia",
        prisoners=(ada,),
        campaign_id=campaign.id,
        tag_names=("Poster", "Café"),
        published_at=BASE,
    )
    body = get_json(client, f"/api/works/{work.public_id}")
    conforms(body, "Work")
    assert set(body) == WORK_KEYS
    assert body["id"] == work.public_id
    assert body["url"] == f"{HOST}/works/{work.public_id}"
    assert body["api_url"] == f"{HOST}/api/works/{work.public_id}"
    assert (body["title"], body["alt_text"], body["description"]) == (
        "Sun behind bars",
        "A yellow sun",
        "Made *for* Ada.",
    )
    assert body["language"] == "fr"
    assert body["artist"] == "Nadia"
    assert body["licence"] == {"code": "cc-by-4.0", "name": "CC BY 4.0"}
    assert body["published_at"] == "2025-03-01T12:00:00Z"
    assert body["prisoners"] == [
        {
            "slug": "ada-example",
            "name": "Ada Example",
            "name_language": "en",
            "url": f"{HOST}/prisoners/ada-example",
            "api_url": f"{HOST}/api/prisoners/ada-example",
        }
    ]
    assert body["campaign"] == {
        "slug": "paris-rally",
        "title": "Paris rally",
        "language": "en",
        "url": f"{HOST}/campaigns/paris-rally",
    }
    assert body["tags"] == [{"slug": "cafe", "name": "Café"}, {"slug": "poster", "name": "Poster"}]
    assert body["demo"] is False
    # Every size as JPEG, the thumb and share ones as WebP too, at URLs that serve them.
    assert {
        name: sorted(set(size) - {"width", "height"}) for name, size in body["images"].items()
    } == {
        "thumb": ["jpeg", "webp"],
        "share": ["jpeg", "webp"],
        "display": ["jpeg"],
        "large": ["jpeg"],
    }
    thumb = body["images"]["thumb"]
    assert (thumb["width"], thumb["height"]) == (120, 80)
    assert thumb["webp"] == f"{HOST}/media/{work.image_key}/thumb.webp"
    for size in body["images"].values():
        for fmt, mimetype in (("webp", "image/webp"), ("jpeg", "image/jpeg")):
            if fmt in size:
                with client.get(size[fmt]) as image:
                    assert (image.status_code, image.mimetype) == (200, mimetype)


def test_anonymous_artist_and_plain_work(client, make_work):
    work = make_work(title="Untitled", display_name="")
    body = get_json(client, f"/api/works/{work.public_id}")
    conforms(body, "Work")
    assert (body["artist"], body["description"], body["language"], body["campaign"]) == (
        None,
        None,
        None,
        None,
    )
    assert (body["prisoners"], body["tags"]) == ([], [])


def test_names_follow_the_language_asked_for(client, make_work, campaign):
    work = make_work(campaign_id=campaign.id, licence="all-rights-reserved")
    body = get_json(client, f"/api/works/{work.public_id}?lang=fr")
    assert body["campaign"]["title"] == "Rassemblement de Paris"
    assert body["campaign"]["language"] == "fr"
    assert body["licence"] == {"code": "all-rights-reserved", "name": "Tous droits réservés"}
    ru = get_json(client, f"/api/works/{work.public_id}", headers={"Accept-Language": "ru"})
    # No Russian title: the English one, and it says so.
    assert (ru["campaign"]["title"], ru["campaign"]["language"]) == ("Paris rally", "en")


def test_private_fields_never_leave(client, make_work, make_prisoner, make_moderator):
    mod = make_moderator("secret-moderator-name")
    work = make_work(
        contact_email="artist@example.org",
        receipt_token_hash="f" * 64,
        prisoners=(make_prisoner(),),
    )
    work.decided_by = mod
    db.session.commit()
    texts = [
        client.get(f"/api/works/{work.public_id}").get_data(as_text=True),
        client.get("/api/works").get_data(as_text=True),
    ]
    for text in texts:
        for secret in (
            "artist@example.org",
            "f" * 64,
            work.image_sha256,
            "secret-moderator-name",
            "hidden",
            "contact",
            "receipt",
            "sha256",
            "report",
            "pending",
        ):
            assert secret not in text
    # The image key appears only inside media URLs.
    body = json.loads(texts[0])
    assert json.dumps(body).count(work.image_key) == 6  # the six files of layout("jpeg")
    assert all(
        f"/media/{work.image_key}/" in url
        for size in body["images"].values()
        for name, url in size.items()
        if name not in ("width", "height")
    )


@pytest.mark.parametrize(
    "status", [WorkStatus.PENDING, WorkStatus.REJECTED, WorkStatus.WITHDRAWN, "hidden"]
)
def test_unpublished_works_are_404_and_listed_nowhere(client, make_work, make_prisoner, status):
    ada = make_prisoner()
    public = make_work(title="Public one", prisoners=(ada,))
    if status == "hidden":
        other = make_work(title="Other one", prisoners=(ada,))
        other.hidden = True
        db.session.commit()
    else:
        other = make_work(title="Other one", prisoners=(ada,), status=status)
    body = get_json(client, f"/api/works/{other.public_id}", 404)
    assert body == problem(404, "Not found.")
    for url in ("/api/works", f"/api/works?prisoner={ada.slug}"):
        assert [w["id"] for w in get_json(client, url)["items"]] == [public.public_id]


def test_pages_walk_every_work_once_newest_first(client, make_work, make_prisoner):
    ada = make_prisoner(slug="ada")
    works = [
        make_work(title=f"W{n}", prisoners=(ada,), published_at=BASE + timedelta(minutes=n % 4))
        for n in range(7)
    ]  # (ties on the timestamp: the newest id first)
    make_work(title="Not Ada's", published_at=BASE + timedelta(hours=1))
    expected = [
        w.public_id for w in sorted(works, key=lambda w: (w.published_at, w.id), reverse=True)
    ]
    seen, url, pages = [], "/api/works?prisoner=ada&limit=3", 0
    while url:
        body = get_json(client, url)
        conforms(body, "WorkList")
        assert len(body["items"]) <= 3
        seen += [w["id"] for w in body["items"]]
        url, pages = body["next"], pages + 1
        if url:
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}" == HOST and parts.path == "/api/works"
            query = parse_qs(parts.query)
            assert (query["prisoner"], query["limit"]) == (["ada"], ["3"])
            assert len(query["after"]) == 1
    assert pages == 3
    assert seen == expected


def test_default_page_size_and_last_page(client, make_work):
    for n in range(25):
        make_work(title=f"W{n}", published_at=BASE + timedelta(minutes=n))
    first = get_json(client, "/api/works")
    assert len(first["items"]) == 24
    assert first["items"][0]["title"] == "W24"
    second = get_json(client, first["next"])
    assert [w["title"] for w in second["items"]] == ["W0"]
    assert second["next"] is None


def test_filters(client, make_work, make_prisoner, campaign):
    ada = make_prisoner(slug="ada")
    by_ada = make_work(prisoners=(ada,))
    in_campaign = make_work(campaign_id=campaign.id)
    tagged = make_work(tag_names=("протест",))
    make_work()
    for query, found in (
        (f"prisoner={ada.slug}", by_ada),
        ("campaign=paris-rally", in_campaign),
        ("tag=protest", tagged),
    ):
        assert [w["id"] for w in get_json(client, f"/api/works?{query}")["items"]] == [
            found.public_id
        ]
    assert get_json(client, "/api/works?prisoner=ada&campaign=paris-rally")["items"] == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("after=12-x", "Malformed query parameter (cursor)."),
        ("after=1-9999999999999999999", "Malformed query parameter (cursor)."),
        ("tag=Not%20a%20slug", "Malformed query parameter (slug)."),
        ("limit=0", "Malformed query parameter (limit)."),
        ("limit=101", "Malformed query parameter (limit)."),
        ("limit=abc", "Malformed query parameter (limit)."),
        ("limit=-1", "Malformed query parameter (limit)."),
    ],
)
def test_malformed_queries_are_json_400(client, query, message):
    body = get_json(client, f"/api/works?{query}", 400)
    assert body == problem(400, message)


@pytest.mark.parametrize(
    "path", ["/api/works", "/api/prisoners", "/api/prisoners/ada", "/api/works/{id}"]
)
@pytest.mark.parametrize(
    "query, name",
    [
        ("lang=null", "lang"),
        ("lang=null&lang=null", "lang"),
        ("lang=fr&lang=fr", "lang"),
        ("lang=", "lang"),
        ("lang=FR", "lang"),
    ],
)
def test_a_language_the_document_forbids_is_a_400_problem(
    client, make_work, make_prisoner, path, query, name
):
    """The document lists `lang` as one of the gallery's languages, once; the server used
    to ignore anything else and answer 200."""
    make_prisoner(slug="ada")
    path = path.replace("{id}", make_work().public_id)
    assert get_json(client, f"{path}?{query}", 400) == problem(
        400, f"Malformed query parameter ({name})."
    )


@pytest.mark.parametrize(
    "query, name",
    [
        ("tag=", "tag"),
        ("prisoner=", "prisoner"),
        ("campaign=", "campaign"),
        ("after=", "after"),
        ("limit=", "limit"),
        ("tag=a&tag=b", "tag"),
        ("limit=2&limit=3", "limit"),
    ],
)
def test_an_empty_or_repeated_parameter_is_a_400_problem(client, query, name):
    assert get_json(client, f"/api/works?{query}", 400) == problem(
        400, f"Malformed query parameter ({name})."
    )


def test_every_operation_documents_its_400_and_unknown_parameters_are_ignored(client):
    document = api_schema.document()
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert responses["400"]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}
        }, path
    assert get_json(client, "/api/works?utm_source=x&utm_source=y&lang=fr")["items"] == []


def test_unknown_filter_slug_is_json_404(client):
    for query in ("prisoner=nobody", "campaign=nothing", "tag=none"):
        assert get_json(client, f"/api/works?{query}", 404)["error"]["status"] == 404


def test_limit_bounds(client, make_work):
    for n in range(3):
        make_work(published_at=BASE + timedelta(minutes=n))
    assert len(get_json(client, "/api/works?limit=1")["items"]) == 1
    assert len(get_json(client, "/api/works?limit=100")["items"]) == 3


def test_list_costs_a_fixed_number_of_statements(
    client, make_work, make_prisoner, campaign, count_statements
):
    ada = make_prisoner(slug="ada")

    def statements_for(url: str) -> int:
        db.session.expire_all()
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    for n in range(2):
        make_work(prisoners=(ada,), tag_names=(f"t{n}",), campaign_id=campaign.id)
    urls = ("/api/works", "/api/works?prisoner=ada", "/api/prisoners", "/api/prisoners/ada")
    few = {url: statements_for(url) for url in urls}
    for n in range(2, 20):
        make_work(
            prisoners=(ada, make_prisoner()), tag_names=(f"t{n}", "x"), campaign_id=campaign.id
        )
    assert {url: statements_for(url) for url in urls} == few
    assert (
        few["/api/works"] <= 11
    )  # 7, one for the prisoners' names in every language, one for the works' texts, and
    # the works' other images (a work and the prisoners' works)


# ---- prisoners ----


@pytest.fixture
def azat(make_prisoner):
    prisoner = make_prisoner(
        slug="azat",
        name="Azat Miftakhov",
        name_native="Азат Мифтахов",
        detained_on=date(2019, 2, 1),
        charges="Hooliganism",
        sentence="Six years",
        letter_guidance="Write in Russian.",
    )
    prisoner.stories.append(PrisonerStory(locale="fr", summary="Résumé", body="Histoire"))
    prisoner.sources = [Source(title="Mediazona", url="https://zona.media/", position=0)]
    prisoner.last_verified_on = date(2025, 9, 1)
    db.session.commit()
    return prisoner


def test_prisoner_profile_in_the_language_asked_for(client, azat):
    body = get_json(client, "/api/prisoners/azat?lang=fr")
    conforms(body, "Prisoner")
    assert body["language"] == "fr"
    assert body["summary"] == {"text": "Résumé", "language": "fr"}
    assert body["story"] == {"text": "Histoire", "language": "fr"}
    # Not written in French: the English text, which says it is English.
    assert body["charges"] == {"text": "Hooliganism", "language": "en"}
    assert body["sentence"] == {"text": "Six years", "language": "en"}
    assert body["letter_guidance"] == {"text": "Write in Russian.", "language": "en"}
    assert (body["slug"], body["name"], body["name_native"]) == (
        "azat",
        "Azat Miftakhov",
        "Азат Мифтахов",
    )
    assert (body["status"], body["detained_on"], body["released_on"]) == (
        "imprisoned",
        "2019-02-01",
        None,
    )
    assert body["days_in_prison"] == azat.days_in_prison()
    assert body["sources"] == [
        {
            "title": "Mediazona",
            "title_language": "en",
            "url": "https://zona.media/",
            "undesirable_in_russia": False,
        }
    ]
    assert body["last_verified_on"] == "2025-09-01"
    assert body["url"] == f"{HOST}/prisoners/azat"
    assert body["works_url"] == f"{HOST}/api/works?prisoner=azat"
    assert "letter_address" not in body


def test_prisoner_language_from_accept_language(client, azat):
    ru = get_json(client, "/api/prisoners/azat", headers={"Accept-Language": "ru"})
    assert ru["language"] == "ru"
    assert ru["story"] == {"text": "The story of prisoner 1.", "language": "en"}
    fr = get_json(client, "/api/prisoners/azat", headers={"Accept-Language": "fr-CH, fr;q=0.9"})
    assert fr["story"] == {"text": "Histoire", "language": "fr"}


def test_prisoner_list_and_works_url(client, azat, make_prisoner, make_work):
    make_prisoner(slug="bella", name="Bella")
    work = make_work(prisoners=(azat,))
    body = get_json(client, "/api/prisoners")
    conforms(body, "PrisonerList")
    assert [p["slug"] for p in body["items"]] == ["azat", "bella"]
    assert body["next"] is None
    assert body["items"][0]["summary"] == {"text": "Summary 1", "language": "en"}
    works = get_json(client, body["items"][0]["works_url"])
    assert [w["id"] for w in works["items"]] == [work.public_id]
    assert get_json(client, body["items"][0]["api_url"])["slug"] == "azat"


def test_unknown_prisoner_is_json_404(client):
    for url in ("/api/prisoners/nobody", "/api/prisoners/NOT%20A%20SLUG"):
        assert get_json(client, url, 404) == problem(404, "Not found.")


# ---- HTTP: errors, CORS, caching, languages, limits ----


def test_errors_are_json_on_the_api_and_html_elsewhere(client):
    assert get_json(client, "/api/nothing-here", 404) == problem(404, "Not found.")
    response = client.post("/api/works")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.get_json(force=True) == problem(
        405, "Method not allowed: this API is read-only (GET)."
    )
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    html = client.get("/works?after=12-x")
    assert (html.status_code, html.mimetype) == (400, "text/html")
    assert client.get("/no-such-page").mimetype == "text/html"


def test_server_error_is_json(app, client, monkeypatch):
    from gallery.public import queries

    def broken() -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(queries, "prisoners", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = get_json(client, "/api/prisoners", 500)
    assert body == problem(500, "Internal server error.")


def test_cors_on_answers_and_preflight(client, make_work):
    work = make_work()
    for url, status in (
        ("/api/works", 200),
        (f"/api/works/{work.public_id}", 200),
        ("/api/works/unknownid00", 404),
        ("/api/nothing", 404),
    ):
        response = client.get(url, headers={"Origin": "https://elsewhere.example"})
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/works",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "ETag" in preflight.headers["Access-Control-Expose-Headers"]
    # Pages outside the API stay same-origin.
    assert "Access-Control-Allow-Origin" not in client.get("/works").headers


def test_etag_gives_304_until_the_content_changes(client, make_work):
    make_work(published_at=BASE)
    first = client.get("/api/works")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = client.get("/api/works", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    make_work(published_at=BASE + timedelta(minutes=1))
    changed = client.get("/api/works", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert len(changed.get_json()["items"]) == 2


def test_not_localised_and_no_cookie(app, client):
    assert not [
        r.rule
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") and "lang" in r.arguments
    ]
    for prefix in ("/fr", "/ru", "/en"):
        assert client.get(f"{prefix}/api/works").status_code == 404
    response = client.get("/api/prisoners?lang=fr")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Accept-Language" in response.headers["Vary"]


def test_rate_limit_is_json_429_with_retry_after(app, client):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    assert client.get("/api/prisoners").status_code == 200
    assert client.get("/api/works").status_code == 200
    response = client.get("/api/prisoners")
    assert response.status_code == 429
    body = response.get_json(force=True)
    assert (body["status"], body["title"]) == (429, "Too Many Requests")
    assert body["detail"].startswith("Too many requests: try again in ")
    assert body["error"] == {"status": 429, "message": body["detail"]}
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    conforms(body, "Error")


# ---- fuzzing every operation against the document ----


@pytest.fixture
def fuzzed_api(app, make_work, make_prisoner, campaign):
    """The API loaded by schemathesis from its own document, on a few real rows; with the
    path parameters and a filter of real rows, so the fuzzer also sees their 200s."""
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    ada = make_prisoner(slug="ada")
    works = [
        make_work(
            prisoners=(ada,),
            campaign_id=campaign.id,
            tag_names=("poster",),
            description="*Markdown*",
            published_at=BASE + timedelta(minutes=n),
        )
        for n in range(3)
    ]
    known = {
        "/api/works/{id}": {"path_parameters": {"id": works[0].public_id}},
        "/api/prisoners/{slug}": {"path_parameters": {"slug": "ada"}},
        "/api/works": {"query": {"prisoner": "ada"}},
    }
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app), known


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
def test_fuzz_every_operation(fuzzed_api):
    """Valid and invalid requests for every operation (25 each, derandomized: the same
    examples every run): never a 5xx, and every answer as the document says (status,
    content type, headers, body)."""
    schema, known = fuzzed_api
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the document's own address (test_openapi_document_... reads it).
    assert sorted(op.label for op in operations) == [
        "GET /api/prisoners",
        "GET /api/prisoners/{slug}",
        "GET /api/works",
        "GET /api/works/{id}",
    ]
    for operation in operations:
        strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
        if operation.path_parameters or operation.query:
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
        if operation.path in known:
            strategies.append(operation.as_strategy(**known[operation.path]))
        for strategy in strategies:

            @settings(
                max_examples=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: schemathesis.Case) -> None:
                # Each request in a context of its own, as IsolatedClient does.
                contextvars.Context().run(case.call_and_validate, checks=CHECKS)

            run()
