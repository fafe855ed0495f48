"""The published-media shortcut (issue 14: a published image at half the speed of hello
world): once the view has checked a published work's image in the current generation of
the page cache, the same worker answers for it again without Flask or the database,
with the view's own headers, validators and log line; every change that visitors see
ends that at once, on every worker."""

from __future__ import annotations

import logging
import os

import pytest

from gallery.extensions import db
from gallery.media import media_store
from gallery.models import Work, WorkStatus
from gallery.public.media import PublishedKeys
from helpers import MODERATOR_PASSWORD, add_work, log_in

# Headers that hold the time of the answer.
DATED = ("Date", "Expires")


def url_of(work: Work, size: str = "share", fmt: str = "webp") -> str:
    return f"/media/{work.image_key}/{work.renditions[size]['files'][fmt]}"


def fetch(client, url: str, **kw):
    with client.get(url, **kw) as response:
        return (
            response.status_code,
            {k: v for k, v in response.headers.items() if k not in DATED},
            response.data,
        )


def test_the_second_request_is_answered_without_the_database_as_the_view_answers(
    client, make_work, count_statements
):
    work = make_work()
    url = url_of(work)
    with count_statements() as first:
        by_view = fetch(client, url)
    assert first.count >= 1  # the view read the work
    with count_statements() as second:
        by_shortcut = fetch(client, url)
    assert second.count == 0
    assert by_shortcut[0] == 200 and by_shortcut[2][:4] == b"RIFF"
    view_headers = {
        k: v for k, v in by_view[1].items() if k != "Vary"
    }  # Vary: Cookie, from the session
    assert by_shortcut[1] == view_headers
    assert by_shortcut[2] == by_view[2]
    assert by_shortcut[1]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert by_shortcut[1]["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with client.get(url) as response:
        assert response.headers["Expires"] and response.headers["Date"]


def test_validators_and_head_are_answered_by_the_shortcut(client, make_work, count_statements):
    work = make_work()
    url = url_of(work, "thumb", "jpeg")
    status, headers, body = fetch(client, url)
    with count_statements() as counted:
        assert fetch(client, url, headers={"If-None-Match": headers["ETag"]})[0] == 304
        assert fetch(client, url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        assert fetch(client, url, headers={"If-None-Match": '"other"'})[:3:2] == (200, body)
        with client.head(url) as head:
            assert head.status_code == 200 and head.data == b""
            assert head.headers["Content-Length"] == str(len(body))
    assert counted.count == 0
    # A range goes to the view, which answers it.
    with client.get(url, headers={"Range": "bytes=0-9"}) as part:
        assert part.status_code == 206 and part.data == body[:10]


def test_a_hidden_work_is_404_at_once_on_every_worker(app, app_factory, client, make_work):
    # Two apps on one instance folder: two workers of one host, sharing the file cache.
    other = app_factory().test_client()
    work = make_work()
    url = url_of(work)
    for who in (client, other):
        for _ in range(2):
            assert fetch(who, url)[0] == 200
    # Hidden without a new key (a takedown also moves the files): only the generation says so.
    work.hidden = True
    db.session.commit()
    for who in (client, other):
        assert fetch(who, url)[0] == 404
    work.hidden = False
    work.status = WorkStatus.PENDING
    db.session.commit()
    assert fetch(client, url)[0] == 404 and fetch(other, url)[0] == 404


def test_a_pending_image_a_moderator_saw_is_never_noted(app, client, make_work, make_moderator):
    work = make_work(status=WorkStatus.PENDING)
    url = url_of(work)
    make_moderator("mod")
    moderator = app.test_client()
    assert log_in(moderator, "mod", MODERATOR_PASSWORD).status_code == 303
    for _ in range(2):
        status, headers, _ = fetch(moderator, url)
        assert status == 200 and headers["Cache-Control"] == "private, no-store"
    assert work.image_key not in PublishedKeys.of(app).keys
    assert fetch(client, url)[0] == 404


def test_the_access_log_names_the_route_not_the_key(client, make_work, caplog):
    work = make_work()
    url = url_of(work)
    fetch(client, url)
    with caplog.at_level(logging.INFO, logger="gallery.access"):
        fetch(client, url)
    lines = [r.getMessage() for r in caplog.records if r.name == "gallery.access"]
    assert len(lines) == 1 and lines[0].startswith("GET /media/<key>/<filename> 200 ")
    assert work.image_key not in caplog.text


def test_off_with_the_page_cache(app_factory, count_statements):
    app = app_factory(PAGE_CACHE=False)
    assert PublishedKeys.of(app) is None
    with app.app_context():
        work = add_work(media_store(app), title="T", alt_text="A")
        visitor = app.test_client()
        for _ in range(2):
            with count_statements() as counted:
                assert fetch(visitor, url_of(work))[0] == 200
            assert counted.count >= 1  # each one checked by the view


@pytest.mark.parametrize(
    "setting",
    [{"MEDIA_ACCEL_REDIRECT": "/internal-media/"}, {"MEDIA_SENDFILE": True}],
    ids=["accel", "sendfile"],
)
def test_the_proxy_settings_hold_on_the_shortcut(app_factory, setting, count_statements):
    app = app_factory(**setting)
    with app.app_context():
        work = add_work(media_store(app), title="T", alt_text="A")
        url = url_of(work)
        visitor = app.test_client()
        by_view = fetch(visitor, url)
        with count_statements() as counted:
            by_shortcut = fetch(visitor, url)
        assert counted.count == 0
    assert by_shortcut[2] == b"" and by_shortcut[0] == 200
    assert {k: v for k, v in by_view[1].items() if k != "Vary"} == by_shortcut[1]
    header = "X-Accel-Redirect" if "MEDIA_ACCEL_REDIRECT" in setting else "X-Sendfile"
    assert by_shortcut[1][header].endswith(f"/{work.image_key}/share.webp")


def test_hsts_follows_each_request_and_a_generation_ages_like_a_page(
    app, client, make_work, count_statements
):
    work = make_work()
    url = url_of(work)
    assert "Strict-Transport-Security" not in fetch(client, url)[1]  # noted over HTTP
    with count_statements() as counted:
        secure = fetch(client, url, base_url="https://localhost")
        plain = fetch(client, url)
    assert counted.count == 0
    assert secure[1]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in plain[1]
    # A generation older than PAGE_CACHE_SECONDS is checked again by the view.
    seen = PublishedKeys.of(app)
    assert seen.lifetime == 300  # PAGE_CACHE_SECONDS, by default
    seen.since -= seen.lifetime
    with count_statements() as counted:
        assert fetch(client, url)[0] == 200
    assert counted.count >= 1


def test_with_the_cache_down_pages_and_images_are_still_served(app_factory, caplog):
    # Redis unreachable (nothing listens on port 1): every answer is made by the app.
    app = app_factory(CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        work = add_work(media_store(app), title="Still here", alt_text="A")
        visitor = app.test_client()
        for _ in range(2):
            with visitor.get(f"/works/{work.public_id}") as page:
                assert page.status_code == 200 and "Still here" in page.get_data(as_text=True)
            assert fetch(visitor, url_of(work))[0] == 200
    assert PublishedKeys.of(app).keys == set()
    assert "page cache unreachable (ConnectionError)" in caplog.text


@pytest.mark.skipif(os.environ.get("TEST_MEDIA_STORE") == "s3", reason="the local media folder")
def test_a_file_that_cannot_be_read_is_a_503_with_retry_after(app, client, make_work, monkeypatch):
    """The local store failing (a disk or network mount giving EIO): the shortcut hands the
    request to the view, which answers 503 with Retry-After instead of a 500."""
    import builtins

    import werkzeug.utils

    import gallery.public.media.shortcut

    work = make_work()
    url = url_of(work)
    assert (
        fetch(client, url)[0] == 200 and fetch(client, url)[0] == 200
    )  # the view, then the shortcut
    media_root = app.config["MEDIA_ROOT"]

    def failing_open(path, *args, **kwargs):
        if str(path).startswith(media_root):
            raise OSError(5, "Input/output error")
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(gallery.public.media.shortcut, "open", failing_open, raising=False)
    monkeypatch.setattr(werkzeug.utils, "open", failing_open, raising=False)
    status, headers, body = fetch(client, url)
    assert status == 503 and headers["Retry-After"] == "30"
    assert b"Please try again in a few minutes." in body
    assert fetch(client, f"/works/{work.public_id}")[0] == 200
