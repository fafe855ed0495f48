"""Host names a client chooses never reach an absolute address (security review, turn 3,
§6 and §17): behind a proxy, X-Forwarded-Host is taken only when TRUSTED_HOSTS checks it;
with PUBLIC_URL every absolute address (QR codes, feeds, the sitemap, the API, canonical
links, share previews, the mail's link) names it; the media shortcut refuses an untrusted
host as pages do."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from gallery import mail
from gallery.extensions import db
from helpers import IsolatedClient

EVIL = "evil.example"
PUBLIC = "https://artprotest.example"


def _client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def _answers(client, work, **headers) -> dict[str, str]:
    """What each kind of absolute address comes in, as text."""
    out = {}
    for path in (
        "/feed.atom",
        "/sitemap.xml",
        "/robots.txt",
        f"/works/{work.public_id}",
        f"/api/works/{work.public_id}",
        "/api/works",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        out[path] = response.get_data(as_text=True)
    poster = client.get(f"/works/{work.public_id}/poster.pdf", headers=headers)
    assert poster.status_code == 200
    out["poster"] = " ".join(
        pypdf.PdfReader(io.BytesIO(poster.data)).pages[0].extract_text().split()
    )
    return out


def test_a_forwarded_host_is_not_taken_without_trusted_hosts(app_factory, make_work):
    """With PROXY_FIX_HOPS=1 and no TRUSTED_HOSTS, one request with X-Forwarded-Host put
    evil.example in a cacheable poster's QR code, the feed and the API."""
    app = app_factory(PROXY_FIX_HOPS=1)
    with app.app_context():
        work = make_work()
        answers = _answers(_client(app), work, **{"X-Forwarded-Host": EVIL})
    assert {path: EVIL in text for path, text in answers.items()} == dict.fromkeys(answers, False)
    assert f"http://localhost/en/works/{work.public_id}" in answers["poster"]
    assert (
        f'<link rel="canonical" href="http://localhost/works/{work.public_id}">'
        in answers[f"/works/{work.public_id}"]
    )


def test_with_trusted_hosts_a_forwarded_host_is_taken_only_if_trusted(app_factory, make_work):
    app = app_factory(PROXY_FIX_HOPS=1, TRUSTED_HOSTS="artprotest.example")
    with app.app_context():
        public_id = make_work().public_id
        client = _client(app)
        refused = client.get(
            "/feed.atom", headers={"Host": "127.0.0.1:5000", "X-Forwarded-Host": EVIL}
        )
        assert refused.status_code == 400 and EVIL not in refused.get_data(as_text=True)
        feed = client.get(
            "/feed.atom",
            headers={"Host": "127.0.0.1:5000", "X-Forwarded-Host": "artprotest.example"},
        )
    assert feed.status_code == 200
    assert f"http://artprotest.example/works/{public_id}" in feed.get_data(as_text=True)


def test_public_url_names_every_absolute_address_whatever_the_host(app_factory, make_work):
    app = app_factory(PUBLIC_URL=PUBLIC + "/")
    with app.app_context():
        work = make_work()
        answers = _answers(_client(app), work, Host=EVIL)
    for path, text in answers.items():
        assert EVIL not in text, path
        assert "artprotest.example" in text, path
    assert f"{PUBLIC}/en/works/{work.public_id}" in answers["poster"]
    page = answers[f"/works/{work.public_id}"]
    assert f'<link rel="canonical" href="{PUBLIC}/works/{work.public_id}">' in page
    assert re.search(rf'<meta property="og:image" content="{PUBLIC}/media/', page)
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in answers["/robots.txt"]


def test_public_url_builds_the_mails_link_in_a_request_and_outside_one(app_factory):
    app = app_factory(PUBLIC_URL=PUBLIC)
    with app.test_request_context("/moderation/", headers={"Host": EVIL}):
        assert mail.receipt_url("t" * 43, "fr") == f"{PUBLIC}/fr/submissions/{'t' * 43}"
        assert mail.receipt_url("t" * 43, "xx") == f"{PUBLIC}/submissions/{'t' * 43}"
    with app.app_context():  # as a CLI command, without SERVER_NAME
        assert mail.receipt_url("t" * 43, None) == f"{PUBLIC}/submissions/{'t' * 43}"
        assert mail.receipt_url("t" * 43, "ru") == f"{PUBLIC}/ru/submissions/{'t' * 43}"


def test_with_public_url_a_slash_redirect_stays_on_the_host_asked(app_factory):
    """An onion visitor's /moderation must not be sent to the public host."""
    app = app_factory(PUBLIC_URL=PUBLIC)
    response = _client(app).get("/moderation?x=1", headers={"Host": "gallerywxyz.onion"})
    assert (response.status_code, response.headers["Location"]) == (308, "/moderation/?x=1")


@pytest.mark.parametrize("value", ["artprotest.example", "ftp://artprotest.example", "https://"])
def test_a_public_url_that_is_no_address_stops_the_start(app_factory, value):
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be an address"):
        app_factory(PUBLIC_URL=value)


def test_the_media_shortcut_refuses_an_untrusted_host_as_pages_do(app_factory, make_work):
    """The shortcut answers before Flask, which checks TRUSTED_HOSTS: it served a
    published image to any Host once the view had seen it."""
    app = app_factory(TRUSTED_HOSTS="artprotest.example")
    with app.app_context():
        work = make_work()
        url = f"/media/{work.image_key}/{work.renditions['share']['files']['webp']}"
        client = _client(app)
        for _ in range(2):  # the view, then the shortcut
            with client.get(url, headers={"Host": "artprotest.example"}) as response:
                assert response.status_code == 200
        db.session.remove()
        with (
            client.get(url, headers={"Host": EVIL}) as image,
            client.get("/works", headers={"Host": EVIL}) as page,
        ):
            assert image.status_code == page.status_code == 400
            assert image.get_data() == page.get_data()
