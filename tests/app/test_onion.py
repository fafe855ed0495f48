"""A gallery that survives blocking: the Tor onion service is announced, and pages load
nothing from anyone else (issue 13); its own listener never trusts what its clients say of
their address, host or scheme (issue 22)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from gallery.extensions import db
from gallery.models import Campaign, Prisoner, Work, WorkStatus
from helpers import IsolatedClient

ONION = "http://artprotestexample4v5qa2xjn7ltkfdr6gxqoup7w3vfhpnkaqekjqsahgyd.onion"


@pytest.fixture
def demo_app(app_factory):
    def make(**config):
        app = app_factory(**config)
        app.test_client_class = IsolatedClient
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
        return app

    return make


def test_pages_name_the_onion_service_in_a_header_and_the_footer(demo_app):
    app = demo_app(ONION_URL=ONION)
    client = app.test_client()
    response = client.get("/fr/works?page=1", headers={"Host": "gallery.example"})
    assert response.status_code == 200
    assert response.headers["Onion-Location"] == f"{ONION}/fr/works?page=1"
    page = response.get_data(as_text=True)
    assert f'<a href="{ONION}" rel="noopener">{ONION}</a>' in page
    # Machines' answers and images carry no such header.
    assert "Onion-Location" not in client.get("/api/works").headers
    assert "Onion-Location" not in client.get("/feed.atom").headers


def test_the_onion_service_itself_sends_no_onion_location(demo_app):
    app = demo_app(ONION_URL=ONION)
    response = app.test_client().get("/", headers={"Host": urlsplit(ONION).netloc})
    assert response.status_code == 200
    assert "Onion-Location" not in response.headers


def test_a_hostile_query_cannot_break_the_header(demo_app):
    app = demo_app(ONION_URL=ONION)
    # (Search reads its query string; a cached page would send it to its clean address.)
    response = app.test_client().get("/search?q=%0d%0aSet-Cookie:%20x=1&t=%C3%A9t%C3%A9")
    assert response.status_code == 200
    assert (
        response.headers["Onion-Location"]
        == f"{ONION}/search?q=%0d%0aSet-Cookie:%20x=1&t=%C3%A9t%C3%A9"
    )
    assert "Set-Cookie: x" not in str(response.headers)


def test_without_an_onion_service_nothing_is_said(demo_app):
    app = demo_app()
    response = app.test_client().get("/")
    assert "Onion-Location" not in response.headers
    assert ".onion" not in response.get_data(as_text=True)


class Resources(HTMLParser):
    """Every address a page makes the browser load by itself (not the links one follows)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("img", "script", "iframe", "audio", "video", "source", "embed", "track"):
            self.loaded += [a[k] for k in ("src",) if a.get(k)]
            self.loaded += [
                part.strip().split(" ")[0]
                for part in a.get("srcset", "").split(",")
                if part.strip()
            ]
        if tag == "link" and set(a.get("rel", "").split()) & {
            "stylesheet",
            "icon",
            "preload",
            "prefetch",
            "modulepreload",
            "manifest",
            "preconnect",
        }:
            self.loaded.append(a.get("href", ""))
        if tag == "object":
            self.loaded.append(a.get("data", ""))
        self.loaded += re.findall(r"url\(['\"]?([^'\")]+)", a.get("style", ""))


def test_no_page_loads_anything_from_another_site(demo_app):
    """Every public page, in each language: images, scripts, styles, icons and fonts all
    come from the gallery itself (a visitor's browser contacts no one else), and the CSP
    says so too."""
    app = demo_app(ONION_URL=ONION)
    with app.app_context():
        work = db.session.scalars(select(Work).where(Work.status == WorkStatus.APPROVED)).first()
        prisoner = db.session.scalars(select(Prisoner)).first()
        campaign = db.session.scalars(select(Campaign)).first()
        paths = [
            "/",
            "/works",
            "/prisoners",
            "/submit",
            "/search?q=azat",
            "/login",
            f"/works/{work.public_id}",
            f"/prisoners/{prisoner.slug}",
            f"/campaigns/{campaign.slug}",
        ]
    client = app.test_client()
    checked = 0
    for lang in ("en", "fr", "ru"):
        for path in paths:
            response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert response.status_code == 200, path
            csp = response.headers["Content-Security-Policy"]
            assert "http:" not in csp and "https:" not in csp and "*" not in csp, csp
            parser = Resources()
            parser.feed(response.get_data(as_text=True))
            assert parser.loaded, path
            for url in parser.loaded:
                parts = urlsplit(url)
                assert not parts.scheme or parts.scheme == "data", (path, url)
                assert not parts.netloc, (path, url)
                checked += 1
    with client.get("/static/css/gallery.css") as response:
        css = response.get_data(as_text=True)
    assert all(not urlsplit(u).netloc for u in re.findall(r"url\(['\"]?([^'\")]+)", css))
    assert "@import" not in css
    assert checked > 50


# ---- the onion service's own listener (README "Tor onion service"; the challenge that
# stands in for its clients' addresses is in tests/app/test_limits.py) ----


def test_the_onion_listener_hides_the_clients_forwarded_headers(app_factory):
    app = app_factory(ONION_PORT=5001, PROXY_FIX_HOPS=1)
    seen = {}

    @app.get("/_who")
    def who():
        from flask import request

        seen.update(addr=request.remote_addr, host=request.host, scheme=request.scheme)
        return "ok"

    headers = {
        "X-Forwarded-For": "10.9.0.1",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
    }
    client = app.test_client()
    client.get("/_who", headers=headers, environ_overrides={"SERVER_PORT": "5001"})
    assert seen == {"addr": "onion", "host": "localhost", "scheme": "http"}
    # The reverse proxy's port still trusts its proxy (its Host rules are TRUSTED_HOSTS').
    client.get("/_who", headers=headers)
    assert (seen["addr"], seen["scheme"]) == ("10.9.0.1", "https")
