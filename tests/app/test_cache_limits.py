"""Issue 22 §4: a query string never buys a new render or a new cache entry; print PDFs
and the sitemap are built once per generation, one build at a time; the cache keeps to
its byte budget; and a takedown deletes what the cache held (security review §2, §4, §9)."""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gallery import prints
from gallery.core.tokens import token_hash
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Campaign, Moderator, ReportCategory
from gallery.verbs import covers, reports, submissions, unpublishing
from gallery.web import pagecache
from helpers import fresh, saved

REDIS = "redis://127.0.0.1:6379/0"
TITLE, WORDS = "Drawing of Kestrel", "Words the artist may take back, WDRAW777"


def _isolated(app: Flask) -> FlaskClient:
    from helpers import IsolatedClient

    app.test_client_class = IsolatedClient
    return app.test_client()


def _kept(app: Flask) -> list[Path]:
    """Every page file and every built document the host's cache holds."""
    cache = Path(app.instance_path, "cache")
    # (The generation's token and cachelib's count of files are a few bytes each.)
    pages = [p for p in (cache / "pages").glob("*") if p.stat().st_size > 200]
    built = [p for p in (cache / "built").rglob("*") if p.is_file() and p.suffix == ""]
    return pages + built


def _bytes(files: list[Path]) -> int:
    return sum(p.stat().st_size for p in files)


@pytest.fixture
def gallery(app: Flask, make_prisoner: Any, make_work: Any, make_moderator: Any) -> dict[str, Any]:
    """A prisoner, a campaign and a published work of both, with real ids for every route."""
    prisoner = make_prisoner(slug="azat", name="Azat")
    campaign = saved(Campaign(slug="rally", title="Rally", prisoners=[prisoner]))
    work = make_work(
        title=TITLE,
        description=WORDS,
        prisoners=(prisoner,),
        campaign_id=campaign.id,
        receipt_token_hash=token_hash("receipt-token"),
    )
    moderator = make_moderator("mod")
    large = work.renditions["large"]["files"]["jpeg"]
    return {
        "public_id": work.public_id,
        "work_id": work.id,
        "prisoner_id": prisoner.id,
        "campaign_id": campaign.id,
        "moderator_id": moderator.id,
        "letter_id": 1,
        "lang_code": "fr",
        "key": work.image_key,
        "filename": large,
        "token": "receipt-token",
        "upload_id": "u" * 43,  # /uploads/<id>: no upload of that id
        "image_id": 1,  # one of a work's other images (this work has none: 404)
        "prisoner_slug": "azat",
        "campaign_slug": "rally",
        "name": "gallery",  # the ActivityPub actor (FEDERATION_NAME)
    }


def _address(app: Flask, rule: Any, gallery: dict[str, Any]) -> str:
    values = {}
    for name in rule.arguments:
        if name == "slug":
            values[name] = gallery["prisoner_slug" if "prisoner" in rule.rule else "campaign_slug"]
        elif name == "filename" and rule.endpoint == "static":
            values[name] = "css/site.css"
        else:
            assert name in gallery, f"add a real value for {name} of {rule.endpoint}"
            values[name] = gallery[name]
    with app.test_request_context():
        return rule.build(values)[1]


def test_no_get_route_stores_anything_for_a_query_argument_it_does_not_read(app, gallery):
    client = _isolated(app)
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
    assert len(rules) > 40
    for rule in rules:
        address = _address(app, rule, gallery)
        for query in ("utm_source=x", "x=1&lang=fr", "page=1&zzz=%00"):
            answer = client.get(f"{address}?{query}")
            answer.close()  # media and static files: the file they opened
            assert answer.status_code < 500, (address, query)
            if rule.endpoint in pagecache.QUERY_ARGS:
                # Sent to the same address without the argument, kept arguments in order.
                assert answer.status_code == 301, (address, query)
                location = answer.headers["Location"]
                assert (
                    "utm_source" not in location and "x=1" not in location and "zzz" not in location
                )
    assert _kept(app) == []  # nothing rendered, nothing kept, for 3 x len(rules) requests
    # The addresses themselves are kept (this walk's size is what README "Performance" gives).
    for rule in rules:
        if rule.endpoint in pagecache.QUERY_ARGS:
            client.get(_address(app, rule, gallery)).close()
    assert len(_kept(app)) > 15


def test_order_duplicates_and_empty_values_make_one_entry(app, gallery):
    client = _isolated(app)
    first = client.get("/works?prisoner=azat&page=1")
    assert first.status_code == 200 and TITLE in first.get_data(as_text=True)
    assert len(_kept(app)) == 1
    for query in (
        "page=1&prisoner=azat",
        "prisoner=azat&page=1&page=7",
        "tag=&prisoner=azat&page=1&after=",
    ):
        again = client.get(f"/works?{query}")
        assert again.status_code == 200 and again.headers["ETag"] == first.headers["ETag"], query
    assert len(_kept(app)) == 1
    # The filter form sends its empty selects and the language: still a known address.
    assert client.get("/works?prisoner=&campaign=&tag=&lang=fr").status_code == 200


def test_a_link_with_a_language_and_a_tracking_tag_keeps_the_language(app, gallery):
    client = _isolated(app)
    answer = client.get("/works?utm_campaign=share&lang=fr&prisoner=azat")
    assert answer.status_code == 301
    assert answer.headers["Location"] == "/works?lang=fr&prisoner=azat"
    page = client.get(answer.headers["Location"])
    assert '<html lang="fr"' in page.get_data(as_text=True)


def test_a_campaigns_posters_are_built_once_and_never_twice_at_a_time(app, gallery, monkeypatch):
    builds: list[int] = []
    during: list[Any] = []
    real = prints.posters
    other = _isolated(app)

    def counted(*args: Any, **kw: Any) -> bytes:
        builds.append(1)
        # Another visitor asks for the same PDF while it is being built.
        during.append(other.get("/campaigns/rally/posters.pdf?size=a3"))
        return real(*args, **kw)

    monkeypatch.setattr(prints, "posters", counted)
    client = _isolated(app)
    first = client.get("/campaigns/rally/posters.pdf?size=a3")
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    (busy,) = during
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "10"
    assert "being prepared" in busy.get_data(as_text=True)
    for _ in range(3):
        again = client.get("/campaigns/rally/posters.pdf?size=a3&x=1", follow_redirects=True)
        assert again.data == first.data
    assert len(builds) == 1
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    assert (
        client.get(
            "/campaigns/rally/posters.pdf?size=a3", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    # A PDF is a file of its own, outside the page cache.
    assert not [p for p in Path(app.instance_path, "cache", "pages").glob("*-*")]


def test_pdfs_are_rate_limited_per_client(app_factory, make_prisoner):
    app = app_factory(PRINT_RATE_LIMIT="2 per minute")
    with app.app_context():
        make_prisoner(slug="azat")
    client = _isolated(app)
    assert [client.get("/prisoners/azat/flyer.pdf").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert client.get("/prisoners/azat").status_code == 200  # pages are not counted


def test_a_page_over_the_size_limit_is_served_but_not_kept(app_factory, make_prisoner):
    app = app_factory(PAGE_CACHE_MAX_PAGE_BYTES=1000)
    with app.app_context():
        make_prisoner(slug="azat")
    answer = _isolated(app).get("/prisoners/azat")
    assert answer.status_code == 200 and len(answer.data) > 1000
    assert _kept(app) == []


def test_the_file_cache_keeps_to_its_byte_budget(app_factory, make_prisoner):
    app = app_factory(PAGE_CACHE_BYTES=100_000)
    with app.app_context():
        for n in range(8):
            make_prisoner(slug=f"p{n}")
    client = _isolated(app)
    for lang in ("", "/fr", "/ru"):
        for n in range(8):
            assert client.get(f"{lang}/prisoners/p{n}").status_code == 200
    kept = _kept(app)
    assert 0 < _bytes(kept) <= 100_000
    assert len(kept) < 24  # the oldest went
    assert client.get("/ru/prisoners/p7").headers["ETag"]  # the newest stays


@pytest.mark.skipif(os.environ.get("CI_NO_REDIS") == "1", reason="no Redis in this run")
def test_redis_keeps_to_the_byte_budget_too(app_factory, make_prisoner):
    prefix = f"test-{secrets.token_hex(4)}:"
    app = app_factory(CACHE_REDIS_URL=REDIS, CACHE_KEY_PREFIX=prefix, PAGE_CACHE_BYTES=100_000)
    with app.app_context():
        for n in range(8):
            make_prisoner(slug=f"p{n}")
    client = _isolated(app)
    try:
        for lang in ("", "/fr", "/ru"):
            for n in range(8):
                assert client.get(f"{lang}/prisoners/p{n}").status_code == 200
        with app.test_request_context():
            redis = pagecache.cache.cache._write_client
            pages = list(redis.scan_iter(f"{prefix}page:*"))
            assert 0 < len(pages) < 24
            assert sum(redis.strlen(k) for k in pages) <= 100_000
    finally:
        with app.test_request_context():
            redis = pagecache.cache.cache._write_client
            for key in redis.scan_iter(f"{prefix}*"):
                redis.delete(key)


def _visit(app: Flask, public_id: str) -> None:
    client = _isolated(app)
    for path in (
        f"/works/{public_id}",
        f"/ru/works/{public_id}/poster.pdf?size=a3",
        "/works",
        "/campaigns/rally/posters.pdf",
        "/campaigns/rally/labels.pdf",
        "/feed.atom",
        "/sitemap.xml",
        "/prisoners/azat",
    ):
        assert client.get(path).status_code == 200, path
    files = _kept(app)
    assert any(p.read_bytes().startswith(b"%PDF") for p in files)
    assert any(TITLE.encode() in p.read_bytes() for p in files)


def _unpublish(ids: dict[str, Any]) -> None:
    unpublishing.unpublish_work(store(), ids["work_id"], ids["moderator_id"], "faces")


def _cover(ids: dict[str, Any]) -> None:
    _unpublish(ids)
    db.session.commit()
    covers.cover_work(store(), ids["work_id"], [[0.1, 0.1, 0.3, 0.3]], ids["moderator_id"])


def _withdraw(ids: dict[str, Any]) -> None:
    submissions.withdraw_work(store(), ids["token"])


def _report(ids: dict[str, Any]) -> None:
    reports.file_report(store(), ids["work_id"], ReportCategory.PERSON_AT_RISK, None)


@pytest.mark.parametrize("takedown", [_unpublish, _cover, _withdraw, _report])
def test_a_takedown_deletes_every_page_and_pdf_the_cache_held(app, gallery, takedown):
    _visit(app, gallery["public_id"])
    takedown(gallery)
    db.session.commit()
    fresh()
    assert _kept(app) == []
    # What is made again no longer shows the work.
    assert TITLE not in _isolated(app).get("/works").get_data(as_text=True)
    assert _isolated(app).get(f"/works/{gallery['public_id']}/poster.pdf").status_code == 404


@pytest.mark.skipif(os.environ.get("CI_NO_REDIS") == "1", reason="no Redis in this run")
def test_a_takedown_deletes_the_pages_kept_in_redis(app_factory, make_prisoner, make_work):
    prefix = f"test-{secrets.token_hex(4)}:"
    app = app_factory(CACHE_REDIS_URL=REDIS, CACHE_KEY_PREFIX=prefix)
    with app.app_context():
        prisoner = make_prisoner(slug="azat")
        work = make_work(title=TITLE, prisoners=(prisoner,))
        work_id = work.id
    client = _isolated(app)
    try:
        for path in ("/works", "/prisoners/azat", "/fr/works", "/feed.atom"):
            assert TITLE in client.get(path).get_data(as_text=True)
        with app.test_request_context():
            redis = pagecache.cache.cache._write_client
            assert len(list(redis.scan_iter(f"{prefix}page:*"))) == 4
        with app.app_context():
            moderator = saved(Moderator(username="mod", password_hash="x"))
            unpublishing.unpublish_work(store(app), work_id, moderator.id, "faces")
            db.session.commit()
            redis = pagecache.cache.cache._write_client
            assert list(redis.scan_iter(f"{prefix}page:*")) == []
    finally:
        with app.test_request_context():
            redis = pagecache.cache.cache._write_client
            for key in redis.scan_iter(f"{prefix}*"):
                redis.delete(key)


def test_a_host_sweeps_older_generations_when_it_sees_a_new_one_and_at_start(
    app_factory, make_prisoner
):
    app = app_factory()
    with app.app_context():
        make_prisoner(slug="azat")
    client = _isolated(app)
    client.get("/prisoners/azat")
    client.get("/prisoners/azat/flyer.pdf")
    assert len(_kept(app)) == 2
    # Another host (or worker) starts a new generation: this one deletes its copies at the
    # next request that reads the generation.
    with app.test_request_context():
        pagecache.cache.set(pagecache.GENERATION_KEY, "0123456789abcdef", timeout=0)
    assert client.get("/prisoners").status_code == 200
    assert [p.name.split("-")[0] for p in _kept(app)] == ["0123456789abcdef"]  # /prisoners
    # A restart of a host whose cache still names an older generation.
    with app.test_request_context():
        pagecache.cache.set(pagecache.GENERATION_KEY, "fedcba9876543210", timeout=0)
    again = app_factory()
    assert _kept(again) == []


def test_a_page_made_while_a_takedown_commits_is_not_kept(app, gallery, monkeypatch):
    # The page's rows were read before the change; the sweep ran before it was stored.
    real = pagecache.pages._entry

    def racing(response: Any) -> Any:
        with app.test_request_context():
            pagecache.invalidate()
        return real(response)

    monkeypatch.setattr(pagecache.pages, "_entry", racing)
    assert _isolated(app).get("/prisoners/azat").status_code == 200
    assert _kept(app) == []


def test_a_pdf_made_while_a_takedown_commits_is_served_but_not_kept(app, gallery, monkeypatch):
    real = prints.flyer

    def racing(*args: Any, **kw: Any) -> bytes:
        with app.test_request_context():
            pagecache.invalidate()  # its rows may be older than this change
        return real(*args, **kw)

    monkeypatch.setattr(prints, "flyer", racing)
    answer = _isolated(app).get("/prisoners/azat/flyer.pdf")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF-")
    assert _kept(app) == []


def test_a_takedown_gives_the_poster_a_new_address(app, gallery, caplog):
    caplog.set_level(logging.INFO, logger="gallery.verbs.common")
    client = _isolated(app)
    page = client.get(f"/works/{gallery['public_id']}").get_data(as_text=True)
    old = (
        re.search(r'href="(/works/[^"]+/poster\.pdf\?size=a4&amp;v=[^"]+)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    assert client.get(old).status_code == 200
    # A "person at risk" report, then a moderator who finds nothing wrong: public again.
    report = reports.file_report(store(), gallery["work_id"], ReportCategory.PERSON_AT_RISK, None)
    db.session.commit()
    assert f"/works/{gallery['public_id']}/poster.pdf" in caplog.text  # the purge line names it
    reports.handle_report(store(), report.id, gallery["moderator_id"], "dismiss", None)
    db.session.commit()
    fresh()
    page = client.get(f"/works/{gallery['public_id']}").get_data(as_text=True)
    new = (
        re.search(r'href="(/works/[^"]+/poster\.pdf\?size=a4&amp;v=[^"]+)"', page)
        .group(1)
        .replace("&amp;", "&")
    )
    assert new != old
    assert client.get(new).status_code == 200
    assert client.get(old).status_code == 404  # what a cache kept of the old address is dead
    assert (
        client.get(f"/works/{gallery['public_id']}/poster.pdf").status_code == 200
    )  # the bare one


def test_built_files_keep_to_their_budget(app_factory, make_prisoner):
    app = app_factory(BUILT_FILES_BYTES=1)
    with app.app_context():
        make_prisoner(slug="azat")
    client = _isolated(app)
    first, second = (client.get("/prisoners/azat/flyer.pdf") for _ in range(2))
    assert first.status_code == second.status_code == 200 and first.data.startswith(b"%PDF-")
    assert _kept(app) == []
