"""Published images sent by the reverse proxy (issue 14): X-Accel-Redirect for nginx and
X-Sendfile for Apache or lighttpd, after the app's visibility check, behind a setting.

Only a public work's rendition is handed to the proxy, as an empty answer with the
headers every media response carries; anything else is a 404 without the header, or,
for a moderator, the file sent by the app itself, private."""

from __future__ import annotations

import pytest

from gallery.core.tokens import new_receipt_token, token_hash
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import WorkStatus
from helpers import MODERATOR_PASSWORD, log_in

INTERNAL = "/internal-media/"
PROXY_HEADERS = ("X-Accel-Redirect", "X-Sendfile")


@pytest.fixture(params=["accel", "sendfile"])
def proxied(request, app_factory):
    """An app whose proxy sends public media: nginx's way or Apache's."""
    if request.param == "accel":
        application = app_factory(MEDIA_ACCEL_REDIRECT=INTERNAL)
    else:
        application = app_factory(MEDIA_SENDFILE=True)
    with application.app_context():
        yield application


@pytest.fixture
def visitor(proxied):
    return proxied.test_client()


def display_of(work) -> str:
    return work.renditions["share"]["files"]["webp"]


def moderator_client(app, make_moderator):
    make_moderator("mod")
    who = app.test_client()
    assert log_in(who, "mod", MODERATOR_PASSWORD).status_code == 303
    return who


def test_a_public_work_is_named_to_the_proxy_with_an_empty_body(proxied, visitor, make_work):
    work = make_work()
    name = display_of(work)
    with visitor.get(f"/media/{work.image_key}/{name}") as response:
        assert response.status_code == 200
        assert response.data == b"" and response.headers["Content-Length"] == "0"
        if proxied.config.get("MEDIA_ACCEL_REDIRECT"):
            expected = f"/internal-media/{work.image_key}/{name}"
            assert response.headers["X-Accel-Redirect"] == expected
            assert "X-Sendfile" not in response.headers
        else:
            path = store(proxied).path(work.image_key, name)
            assert response.headers["X-Sendfile"] == str(path) and path.is_absolute()
            assert "X-Accel-Redirect" not in response.headers
        # What the proxy passes on (nginx keeps Content-Type and Cache-Control; the README's
        # location adds the other two itself).
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_pending_work_is_404_to_the_public_without_the_header(visitor, make_work):
    work = make_work(status=WorkStatus.PENDING)
    with visitor.get(f"/media/{work.image_key}/{display_of(work)}") as response:
        assert response.status_code == 404
        assert not any(h in response.headers for h in PROXY_HEADERS)


def test_a_missing_or_malformed_file_of_a_public_work_is_404_without_the_header(visitor, make_work):
    work = make_work()
    for name in ("absent.webp", "display.svg", "..%2Fsecret.webp"):
        with visitor.get(f"/media/{work.image_key}/{name}") as response:
            assert response.status_code == 404, name
            assert not any(h in response.headers for h in PROXY_HEADERS)


@pytest.mark.parametrize("state", ["pending", "hidden"])
def test_a_moderator_gets_a_non_public_work_from_the_app_itself(
    proxied, make_work, make_moderator, state
):
    work = make_work(status=WorkStatus.PENDING if state == "pending" else WorkStatus.APPROVED)
    if state == "hidden":
        work.hidden = True
        db.session.commit()
    name = display_of(work)
    who = moderator_client(proxied, make_moderator)
    with who.get(f"/media/{work.image_key}/{name}") as response:
        assert response.status_code == 200
        assert response.data == store(proxied).read(work.image_key, name) and response.data
        assert not any(h in response.headers for h in PROXY_HEADERS)
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_artists_receipt_image_is_sent_by_the_app(proxied, make_work):
    token = new_receipt_token()
    work = make_work(status=WorkStatus.PENDING, receipt_token_hash=token_hash(token))
    name = display_of(work)
    with proxied.test_client().get(f"/submissions/{token}/media/{name}") as response:
        assert response.status_code == 200 and response.data
        assert not any(h in response.headers for h in PROXY_HEADERS)


def test_without_a_setting_the_app_sends_public_files_itself(app, client, make_work):
    work = make_work()
    name = display_of(work)
    with client.get(f"/media/{work.image_key}/{name}") as response:
        assert response.status_code == 200
        assert response.data == store(app).read(work.image_key, name)
        assert not any(h in response.headers for h in PROXY_HEADERS)
        etag = response.headers["ETag"]
    with client.get(f"/media/{work.image_key}/{name}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_the_settings_come_from_the_environment_too(app_factory, monkeypatch, make_work):
    monkeypatch.setenv("FLASK_MEDIA_SENDFILE", "true")
    assert app_factory().config["MEDIA_SENDFILE"] is True
    monkeypatch.delenv("FLASK_MEDIA_SENDFILE")
    monkeypatch.setenv("FLASK_MEDIA_ACCEL_REDIRECT", "/protected/")
    assert app_factory().config["MEDIA_ACCEL_REDIRECT"] == "/protected/"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"MEDIA_ACCEL_REDIRECT": "internal-media/"}, "internal location"),
        ({"MEDIA_ACCEL_REDIRECT": "//cdn.example/"}, "internal location"),
        ({"MEDIA_ACCEL_REDIRECT": 1}, "internal location"),
        ({"MEDIA_SENDFILE": "yes"}, "true or false"),
    ],
)
def test_unusable_settings_stop_the_app_at_start(app_factory, settings, message):
    with pytest.raises(RuntimeError, match=message):
        app_factory(**settings)
