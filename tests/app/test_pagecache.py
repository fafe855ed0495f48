"""Issue 14: whole anonymous pages cached for every worker, invalidated by every change a
visitor could see, served compressed and conditionally; moderators and receipts never."""

from __future__ import annotations

import gzip
import os
import secrets
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from gallery.extensions import db
from gallery.models import Campaign, Work, WorkStatus
from gallery.web import pagecache
from helpers import csrf_from, fresh, saved

LANGUAGES = ("", "/fr", "/ru")


def _isolated(app: Flask) -> FlaskClient:
    from helpers import IsolatedClient

    app.test_client_class = IsolatedClient
    return app.test_client()


def _report_at_risk(client: FlaskClient, work: Work) -> None:
    page = client.get(f"/works/{work.public_id}/report")
    token = csrf_from(page.get_data(as_text=True))
    answer = client.post(
        f"/works/{work.public_id}/report",
        data={"category": "person-at-risk", "text": "", "csrf_token": token},
    )
    assert answer.status_code == 303


@pytest.fixture
def scene(app: Flask, make_prisoner: Any, make_work: Any) -> dict[str, Any]:
    """A prisoner, a campaign, and two approved works of both: one to hide, one to keep."""
    prisoner = make_prisoner(slug="azat", name="Azat")
    campaign = saved(Campaign(slug="rally", title="Rally", prisoners=[prisoner]))
    keep = make_work(title="Kept drawing", prisoners=(prisoner,), campaign_id=campaign.id)
    hide = make_work(title="Hidden drawing", prisoners=(prisoner,), campaign_id=campaign.id)
    return {"keep": keep, "hide": hide, "public_id": hide.public_id}


def _pages(public_id: str) -> list[str]:
    """Every cached page that shows the work, in every language."""
    paths = [
        "/",
        "/works",
        "/works?page=1",
        f"/works/{public_id}",
        "/prisoners/azat",
        "/campaigns/rally",
        "/show",
        "/campaigns/rally/show",
        "/works?prisoner=azat",
    ]
    pages = [lang + path for lang in LANGUAGES for path in paths]
    return pages + [
        "/feed.atom",
        "/prisoners/azat/feed.atom",
        "/campaigns/rally/feed.atom",
        "/sitemap.xml",
    ]


def test_a_page_is_rendered_once_then_served_from_the_cache(client, scene, count_statements):
    first = client.get("/works")
    assert first.status_code == 200 and "Hidden drawing" in first.get_data(as_text=True)
    with count_statements() as counter:
        again = client.get("/works")
    assert counter.count == 0  # no query at all: the kept page
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    # The per-request headers are still there on the kept copy.
    assert "default-src 'self'" in again.headers["Content-Security-Policy"]
    assert again.headers["Vary"].split(", ") == ["Accept-Encoding", "Accept-Language", "Cookie"]
    assert again.headers["Cache-Control"] == "no-cache"


def test_each_language_has_its_own_copy(app, scene):
    def page(path: str, language: str) -> str:  # a new visitor each time: no cookie yet
        return (
            _isolated(app).get(path, headers={"Accept-Language": language}).get_data(as_text=True)
        )

    for _ in range(2):  # rendered, then kept: the kept French copy goes to French readers only
        assert '<html lang="en"' in page("/works", "en")
        assert '<html lang="fr"' in page("/works", "fr")
        assert '<html lang="ru"' in page("/ru/works", "fr")


def test_a_cached_page_still_remembers_a_language_chosen_in_the_address(client, scene):
    client.get("/works?lang=fr")  # rendered and kept
    other = _isolated(client.application)
    answer = other.get("/works?lang=fr")
    assert '<html lang="fr"' in answer.get_data(as_text=True)
    assert "lang=fr" in answer.headers["Set-Cookie"]


def test_pages_answer_304_to_their_etag_and_date(client, scene):
    first = client.get(f"/works/{scene['public_id']}")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    unchanged = client.get(f"/works/{scene['public_id']}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == etag
    since = client.get(f"/works/{scene['public_id']}", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get(f"/works/{scene['public_id']}", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_the_first_answer_is_already_conditional(app_factory, make_prisoner):
    # A worker that renders the page answers 304 too: the client's ETag came from another.
    app = app_factory(PAGE_CACHE=False)
    client = _isolated(app)
    first = client.get("/prisoners")
    assert first.status_code == 200 and first.headers["ETag"]
    assert (
        client.get("/prisoners", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_compressed_for_clients_that_ask(client, scene, encoding, decode):
    plain = client.get("/works").get_data()
    for _ in range(2):  # rendered, then kept
        packed = client.get("/works", headers={"Accept-Encoding": f"{encoding}, identity"})
        assert packed.headers["Content-Encoding"] == encoding
        assert decode(packed.get_data()) == plain
        assert len(packed.get_data()) < len(plain) / 3
    # Each body has its own validator, and 304 works for it.
    etag = packed.headers["ETag"]
    assert etag != client.get("/works").headers["ETag"]
    again = client.get("/works", headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304


def test_an_encoding_refused_with_q0_is_not_used(client, scene):
    answer = client.get("/works", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    answer = client.get("/works", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in answer.headers


def test_css_and_javascript_are_compressed_and_conditional(client, app):
    page = client.get("/").get_data(as_text=True)
    css = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    plain = client.get(css)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get(css, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.get_data()) == plain.get_data()
    assert "Accept-Encoding" in packed.headers["Vary"]
    revalidated = client.get(
        css, headers={"Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    plain.close(), packed.close(), revalidated.close()


def test_a_moderators_pages_are_never_cached_nor_served_from_the_cache(client, scene, moderator):
    anonymous = _isolated(client.application)
    assert "Log out" not in anonymous.get("/works").get_data(as_text=True)  # kept for visitors
    mine = client.get("/works")
    assert "Log out" in mine.get_data(as_text=True)
    assert mine.headers["Cache-Control"] == "private, no-store"
    # And the moderator's page, with its CSRF token, was not kept for the next visitor.
    assert "Log out" not in _isolated(client.application).get("/works").get_data(as_text=True)


def test_receipts_and_forms_are_never_cached(client, app, count_statements):
    client.get("/submit")
    with count_statements() as counter:
        again = client.get("/submit")
    assert again.status_code == 200 and counter.count > 0
    assert again.headers.get("ETag") is None  # rendered anew, with this session's token
    assert (
        not {"submit.receipt", "submit.form", "reports.report", "search.search"} & pagecache.CACHED
    )


def test_a_hidden_work_disappears_from_every_cached_page_on_every_worker_at_once(
    app_factory, make_prisoner, make_work
):
    # Two workers of one host: two apps on the same instance folder and database, sharing
    # the file cache as gunicorn's workers do.
    one = app_factory()
    two = app_factory()
    with one.app_context():
        prisoner = make_prisoner(slug="azat", name="Azat")
        campaign = saved(Campaign(slug="rally", title="Rally", prisoners=[prisoner]))
        kept_id = make_work(
            title="Kept drawing", prisoners=(prisoner,), campaign_id=campaign.id
        ).public_id
        hidden = make_work(title="Hidden drawing", prisoners=(prisoner,), campaign_id=campaign.id)
        public_id = hidden.public_id
    first, second = _isolated(one), _isolated(two)
    pages = _pages(public_id)
    for path in pages:
        for client in (first, second):
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert public_id in answer.get_data(as_text=True), path
    with one.app_context():
        with one.test_request_context():
            kept = pagecache.cache.get(pagecache.GENERATION_KEY)
    assert kept  # both workers read the one generation

    with one.app_context():
        _report_at_risk(first, db.session.get(Work, hidden.id))
    for path in pages:
        answer = second.get(path)
        text = answer.get_data(as_text=True)
        if path.endswith(f"/works/{public_id}"):
            assert answer.status_code == 404, path
        else:
            assert answer.status_code == 200, path
            assert public_id not in text and "Hidden drawing" not in text, path
            assert kept_id in text, path


@pytest.mark.parametrize("change", ["approve", "unpublish", "edit", "withdraw", "profile"])
def test_every_visible_change_renews_the_pages(
    app, make_prisoner, make_work, make_moderator, change
):
    """Each change through the verb that makes it, committed as a request commits."""
    from gallery.core.tokens import new_receipt_token, token_hash
    from gallery.media import media_store
    from gallery.models import Moderator
    from gallery.verbs import decisions, editing, profiles, submissions, unpublishing

    mod_id = make_moderator("mod").id
    prisoner = make_prisoner(slug="azat", name="Azat")
    token = new_receipt_token()
    shown = make_work(
        title="Shown drawing", prisoners=(prisoner,), receipt_token_hash=token_hash(token)
    )
    waiting = make_work(title="Waiting drawing", status=WorkStatus.PENDING, prisoners=(prisoner,))
    visitor = _isolated(app)
    before = visitor.get("/prisoners/azat").get_data(as_text=True)
    assert "Shown drawing" in before and "Waiting drawing" not in before
    expect, gone = {
        "approve": ("Waiting drawing", None),
        "unpublish": (None, "Shown drawing"),
        "edit": ("Renamed drawing", "Shown drawing"),
        "withdraw": (None, "Shown drawing"),
        "profile": ("verified on", None),
    }[change]
    if change == "approve":
        decisions.approve_work(media_store(), waiting.id, mod_id)
    elif change == "unpublish":
        unpublishing.unpublish_work(media_store(), shown.id, mod_id, "Asked by the artist.")
    elif change == "edit":
        editing.edit_work(shown.id, mod_id, title="Renamed drawing", alt_text="Alt", tag_names=())
    elif change == "withdraw":
        submissions.withdraw_work(media_store(), token)
    else:
        from datetime import date

        profiles.mark_verified(prisoner.id, mod_id, date(2026, 11, 30))
    db.session.commit()
    assert db.session.get(Moderator, mod_id) is not None
    after = visitor.get("/prisoners/azat").get_data(as_text=True)
    if expect:
        assert expect in after, change
    if gone:
        assert gone not in after, change


def test_changes_nobody_sees_keep_the_pages(app, client, scene, make_work, count_statements):
    visitor = _isolated(app)
    visitor.get("/works")
    make_work(title="A new submission", status=WorkStatus.PENDING)  # pending: shown nowhere
    with count_statements() as counter:
        assert "A new submission" not in visitor.get("/works").get_data(as_text=True)
    assert counter.count == 0


def test_a_rollback_renews_nothing(app, client, scene):
    visitor = _isolated(app)
    visitor.get("/works")
    with app.test_request_context():
        before = pagecache.cache.get(pagecache.GENERATION_KEY)
    db.session.get(Work, scene["keep"].id).title = "Never saved"
    db.session.flush()
    db.session.rollback()
    with app.test_request_context():
        assert pagecache.cache.get(pagecache.GENERATION_KEY) == before
    fresh()


@pytest.mark.skipif(os.environ.get("CI_NO_REDIS") == "1", reason="no Redis in this run")
def test_hosts_sharing_redis_share_the_cache_and_its_invalidation(
    app_factory, make_prisoner, make_work
):
    # Two hosts: different instance folders would each have their own file cache; with
    # CACHE_REDIS_URL they share one, and a change on one renews the pages of both.
    prefix = f"test-{secrets.token_hex(4)}:"
    settings = {"CACHE_REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_KEY_PREFIX": prefix}
    one = app_factory(**settings)
    two = app_factory(**settings)
    assert one.config["CACHE_TYPE"] == "gallery.web.cachestore.PageRedis"
    with one.app_context():
        prisoner = make_prisoner(slug="azat", name="Azat")
        work = make_work(title="Shared drawing", prisoners=(prisoner,))
        work_id = work.id
    first, second = _isolated(one), _isolated(two)
    assert "Shared drawing" in first.get("/prisoners/azat").get_data(as_text=True)
    with two.test_request_context():
        assert pagecache.cache.get(pagecache.GENERATION_KEY)
        keys = pagecache.cache.cache._write_client.keys(f"{prefix}page:*")
    assert keys  # the page went to Redis
    with one.app_context():
        db.session.get(Work, work_id).title = "Renamed on host one"
        db.session.commit()
    assert "Renamed on host one" in second.get("/prisoners/azat").get_data(as_text=True)
    with two.test_request_context():
        client = pagecache.cache.cache._write_client
        for key in client.keys(f"{prefix}*"):
            client.delete(key)


def test_private_rows_written_by_visitors_keep_the_pages(app, client, scene):
    """A digest sign-up (or a follower, a delivery) is nobody's page: it must not renew every
    kept page, or each sign-up would cost every visitor a rendering."""
    from gallery.models import DigestScope, Follower, Subscription

    visitor = _isolated(app)
    visitor.get("/works")
    with app.test_request_context():
        before = pagecache.cache.get(pagecache.GENERATION_KEY)
    db.session.add(
        Subscription(
            scope=DigestScope.EVERYTHING,
            locale="en",
            email_sealed="sealed",
            address_hash="0" * 64,
            token_hash="1" * 64,
        )
    )
    db.session.add(
        Follower(
            actor="gallery", follower_id="https://x.example/u/a", inbox="https://x.example/inbox"
        )
    )
    db.session.commit()
    with app.test_request_context():
        assert pagecache.cache.get(pagecache.GENERATION_KEY) == before
