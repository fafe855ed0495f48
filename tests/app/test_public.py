"""The public pages, as a visitor sees them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gallery.extensions import db
from gallery.models import Campaign, PrisonerStatus, PrisonerStory, Source, WorkStatus, prisoners
from helpers import png_bytes, spaced


def test_home_shows_newest_works_and_featured_prisoners(client, make_prisoner, make_work):
    p = make_prisoner(name="Ada Example", featured=True)
    make_work(title="Older poster", prisoners=(p,), published_at=datetime(2025, 1, 1, tzinfo=UTC))
    make_work(title="Newest poster", prisoners=(p,))
    make_work(title="Secret pending", status=WorkStatus.PENDING)
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.index("Newest poster") < text.index("Older poster")
    assert "Ada Example" in text
    assert "Secret pending" not in text


def test_empty_home_is_polite(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "No works have been published yet." in page.get_data(as_text=True)


def test_work_page_shows_an_approved_work(client, make_prisoner, make_work):
    p = make_prisoner(name="Ada Example")
    w = make_work(
        title="Bars and sun",
        alt_text="A sun behind bars",
        display_name="Mira",
        prisoners=(p,),
        tag_names=("poster",),
    )
    page = client.get(f"/works/{w.public_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bars and sun" in text and "Mira" in text and "Ada Example" in text
    assert 'alt="A sun behind bars"' in text
    assert re.search(r'<img [^>]*width="\d+" height="\d+"', text)
    assert '<source type="image/webp"' in text


def sets(page: str) -> tuple[list[str], list[str]]:
    """The first picture's WebP srcset and its img srcset, each as a list."""
    webp_set = re.search(r'<source type="image/webp" sizes="[^"]*" srcset="([^"]*)"', page).group(1)
    img_set = re.search(r'<img [^>]*srcset="([^"]*)"', page).group(1)
    return webp_set.split(", "), img_set.split(", ")


def test_pictures_offer_every_size_in_both_sets(client, make_work):
    """Uploads make WebPs at the thumbnail and share sizes (1200 px, what phones take) and
    keep display and large only as JPEG: the WebP set offers those as they are, so a wide
    screen still gets 1600 or 2560 px; works stored before (a display WebP, no share
    WebP, some a large WebP) offer what they have."""
    work = make_work(title="Wide", image=png_bytes((3000, 2000)))
    key = work.image_key
    assert (
        set(work.renditions["display"]["files"])
        == set(work.renditions["large"]["files"])
        == {"jpeg"}
    )
    webp_set, img_set = sets(client.get(f"/works/{work.public_id}").get_data(as_text=True))
    assert webp_set == [
        f"/media/{key}/thumb.webp 400w",
        f"/media/{key}/share.webp 1200w",
        f"/media/{key}/display.jpg 1600w",
        f"/media/{key}/large.jpg 2560w",
    ]
    assert img_set == [
        f"/media/{key}/thumb.jpg 400w",
        f"/media/{key}/share.jpg 1200w",
        f"/media/{key}/display.jpg 1600w",
        f"/media/{key}/large.jpg 2560w",
    ]
    for url in (u.split(" ")[0] for u in webp_set):
        with client.get(url) as image:
            assert image.status_code == 200

    older = make_work(title="Older", image=png_bytes((3000, 2000)))
    renditions = dict(older.renditions)
    renditions["large"] = {
        **renditions["large"],
        "files": {"webp": "large.webp", "jpeg": "large.jpg"},
    }
    renditions["display"] = {
        **renditions["display"],
        "files": {"webp": "display.webp", "jpeg": "display.jpg"},
    }
    renditions["share"] = {**renditions["share"], "files": {"jpeg": "share.jpg"}}
    older.renditions = renditions
    db.session.commit()
    webp_set, _ = sets(client.get(f"/works/{older.public_id}").get_data(as_text=True))
    key = older.image_key
    assert webp_set == [
        f"/media/{key}/thumb.webp 400w",
        f"/media/{key}/share.jpg 1200w",
        f"/media/{key}/display.webp 1600w",
        f"/media/{key}/large.webp 2560w",
    ]


def test_a_transparent_work_is_never_offered_on_white(client, make_work):
    """The share JPEG of a transparent work is laid on white for link previews: pages
    offer its WebP (transparent) and the PNGs, never that JPEG; the display size keeps a
    WebP, as its other file is a lossless PNG."""
    work = make_work(
        title="Cut-out", image=png_bytes((3000, 2000), mode="RGBA", colour=(200, 0, 0, 128))
    )
    key = work.image_key
    assert work.has_alpha
    webp_set, img_set = sets(client.get(f"/works/{work.public_id}").get_data(as_text=True))
    assert webp_set == [
        f"/media/{key}/thumb.webp 400w",
        f"/media/{key}/share.webp 1200w",
        f"/media/{key}/display.webp 1600w",
        f"/media/{key}/large.png 2560w",
    ]
    assert img_set == [
        f"/media/{key}/thumb.png 400w",
        f"/media/{key}/display.png 1600w",
        f"/media/{key}/large.png 2560w",
    ]


def test_anonymous_artist_is_shown_as_anonymous(client, make_work):
    w = make_work(display_name=None)
    assert "by Anonymous" in client.get(f"/works/{w.public_id}").get_data(as_text=True)


@pytest.mark.parametrize("status", [WorkStatus.PENDING, WorkStatus.REJECTED, WorkStatus.WITHDRAWN])
def test_unpublished_works_are_not_found(client, make_work, status):
    w = make_work(status=status, title="Not for the public")
    assert client.get(f"/works/{w.public_id}").status_code == 404
    assert "Not for the public" not in client.get("/works").get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/works/nope",
        "/works/" + "A" * 40,
        "/prisoners/nobody",
        "/prisoners/Bad_Slug",
        "/campaigns/none",
        "/no/such/page",
    ],
)
def test_unknown_things_are_404_pages(client, url):
    page = client.get(url)
    assert page.status_code == 404
    assert "Page not found" in page.get_data(as_text=True)


def test_prisoner_page(client, app, make_prisoner, make_work):
    p = make_prisoner(
        name="Ada Example",
        charges="Hooliganism",
        sentence="Six years",
        letter_address="Colony 1\nSomewhere",
        letter_guidance="Write in **Russian**.",
        story="She is a *mathematician*.",
        last_verified_on=date(2025, 9, 1),
    )
    p.sources = [Source(title="A newspaper", url="https://news.example/ada")]
    db.session.commit()
    make_work(title="For Ada", prisoners=(p,))
    text = client.get(f"/prisoners/{p.slug}").get_data(as_text=True)
    for expected in (
        "Ada Example",
        "Hooliganism",
        "Six years",
        "Colony 1",
        "<strong>Russian</strong>",
        "<em>mathematician</em>",
        "https://news.example/ada",
        "September 1, 2025",
        "Report an inaccuracy",
        "For Ada",
        "In prison since",
    ):
        assert expected in text, expected


# A fixed "now" for the day counters: late on 1 March 2025 in UTC, already 2 March in
# Moscow (UTC+3). Detained 400 days before 1 March.
NOW = datetime(2025, 3, 1, 22, 30, tzinfo=UTC)
DETAINED = date(2024, 1, 26)


@pytest.fixture
def fixed_now(monkeypatch):
    """The page's counter asks Prisoner.days_in_prison() for today, which asks
    gallery.core.text.today_in (as imported into gallery.models.prisoners): pin its clock at NOW."""
    real_today_in = prisoners.today_in
    monkeypatch.setattr(
        prisoners, "today_in", lambda timezone, now=None: real_today_in(timezone, now or NOW)
    )
    return NOW


@pytest.mark.parametrize(("timezone", "days"), [("UTC", 400), ("Europe/Moscow", 401)])
def test_day_counter_on_the_page(client, make_prisoner, fixed_now, timezone, days):
    p = make_prisoner(detained_on=DETAINED, timezone=timezone)
    assert p.days_in_prison(now=NOW) == days
    text = client.get(f"/prisoners/{p.slug}").get_data(as_text=True)
    assert f'<strong class="counter__days">{days} days</strong>' in text


def test_released_prisoner_shows_dates_and_total(client, make_prisoner):
    p = make_prisoner(
        status=PrisonerStatus.RELEASED, detained_on=date(2019, 2, 1), released_on=date(2023, 9, 4)
    )
    text = client.get(f"/prisoners/{p.slug}").get_data(as_text=True)
    assert "Released" in text
    assert "1,676 days" in text
    assert "February 1, 2019" in text and "September 4, 2023" in text


def test_story_markdown_cannot_inject_script(client, make_prisoner):
    p = make_prisoner(
        story='<script>alert("x")</script>[x](javascript:alert(1)) <b onmouseover=alert(1)>b</b>'
    )
    text = client.get(f"/prisoners/{p.slug}").get_data(as_text=True)
    assert "<script>alert" not in text
    assert 'href="javascript' not in text.lower()  # the link stays text: [x](javascript:…)
    assert "onmouseover" not in text


def test_story_in_the_visitors_language(client, make_prisoner):
    p = make_prisoner(story="English story.")
    p.stories.append(PrisonerStory(locale="fr", body="Histoire en français."))
    db.session.commit()
    assert "Histoire en français." in client.get(f"/prisoners/{p.slug}?lang=fr").get_data(
        as_text=True
    )
    english = client.get(f"/prisoners/{p.slug}?lang=en").get_data(as_text=True)
    assert "English story." in english
    russian = client.get(f"/prisoners/{p.slug}?lang=ru").get_data(as_text=True)
    assert "English story." in russian  # falls back, and says so
    assert 'lang="en"' in russian


def test_language_choice_is_remembered(client):
    first = client.get("/?lang=fr")
    assert 'lang="fr"' in first.get_data(as_text=True)
    assert "lang=fr" in first.headers.get("Set-Cookie", "")
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_accept_language_is_honoured(client):
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in page.get_data(as_text=True)


def test_prisoner_list(client, make_prisoner, make_work):
    a = make_prisoner(name="Bea Example")
    make_prisoner(name="Ada Example")
    make_work(prisoners=(a,))
    make_work(prisoners=(a,))
    text = client.get("/prisoners").get_data(as_text=True)
    assert text.index("Ada Example") < text.index("Bea Example")
    assert "2 works made for them" in text


def test_campaign_page(client, make_prisoner, make_work):
    p = make_prisoner(name="Ada Example")
    c = Campaign(
        slug="paris-rally",
        title="Paris rally",
        held_on=date(2025, 9, 20),
        place="Square Robert Schuman",
        description="A *rally*.",
    )
    c.prisoners = [p]
    db.session.add(c)
    db.session.commit()
    make_work(title="Rally poster", campaign_id=c.id)
    text = client.get("/campaigns/paris-rally").get_data(as_text=True)
    for expected in (
        "Paris rally",
        "Square Robert Schuman",
        "<em>rally</em>",
        "Ada Example",
        "Rally poster",
    ):
        assert expected in text
    # The rally kit says, in each language, what a street picket can cost in Russia.
    notes = {
        "": "In Russia, even one person holding a poster in the street can be detained.",
        "/fr": "En Russie, même une personne seule qui brandit une pancarte dans la rue peut être interpellée.",
        "/ru": "В России даже одиночный пикет с плакатом может закончиться задержанием.",
    }
    for prefix, note in notes.items():
        page = spaced(client.get(f"{prefix}/campaigns/paris-rally").get_data(as_text=True))
        assert f'<p class="hint">{note}</p>' in page


def test_healthz(client):
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.get_json() == {
        "status": "ok",
        "database": "ok",
        "media": "ok",
        "page_cache": "ok",
        "rate_limits": "ok",
        "mail": "off",
    }
    assert page.headers["Cache-Control"] == "no-store"


def test_healthz_reports_a_dead_database(tmp_path, monkeypatch):
    """A database server that refuses connections (nothing listens on the discard port)."""
    from gallery import create_app

    monkeypatch.setenv("GALLERY_INSTANCE", str(tmp_path / "instance"))
    for name in (
        "GALLERY_MEDIA",
        "FLASK_MEDIA_STORE",
        "DATABASE_URL",
        "RATELIMIT_STORAGE_URI",
        "MAIL_SERVER",
    ):
        monkeypatch.delenv(name, raising=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:9/gone",
        }
    )
    page = app.test_client().get("/healthz")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert page.get_json() == {
        "status": "error",
        "database": "down",
        "media": "ok",
        "page_cache": "ok",
        "rate_limits": "ok",
        "mail": "off",
    }
    with app.app_context():
        db.engine.dispose()


def test_security_headers(client):
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_csp_lets_the_submit_form_preview_the_chosen_file(client):
    csp = client.get("/submit").headers["Content-Security-Policy"]
    img_src = next(d for d in csp.split("; ") if d.startswith("img-src "))
    assert img_src.split()[1:] == ["'self'", "data:", "blob:"]
    assert "blob:" not in csp.replace(img_src, "")  # previews only: never scripts or frames


def test_templates_have_no_inline_script_or_style(app: Flask):
    from pathlib import Path

    templates = Path(app.root_path) / "templates"
    for path in templates.rglob("*.html"):
        source = path.read_text()
        external = source.replace("<script src=", "").replace('<script type="module" src=', "")
        assert "<script>" not in source and "<script " not in external, path
        assert "style=" not in source and "<style" not in source, path
        assert not re.search(r"\son[a-z]+=", source), path


def test_405_keeps_allow_header(client):
    page = client.post("/works")  # routing answers before CSRF is checked
    assert page.status_code == 405
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "This page cannot be used that way." in page.get_data(as_text=True)


def test_500_page_is_polite_and_logs_no_path(app: Flask, caplog):
    @app.get("/boom/<token>")
    def boom(token: str):  # noqa: ARG001
        raise RuntimeError("kaboom")

    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = app.test_client().get("/boom/s3cr3t-token")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.get_data(as_text=True)
    assert "s3cr3t-token" not in caplog.text
    assert "/boom/<token>" in caplog.text


def test_access_log_has_no_token_or_address(client: FlaskClient, caplog):
    caplog.set_level("INFO", logger="gallery.access")
    client.get("/prisoners/some-secret-slug", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert "/prisoners/<slug>" in caplog.text
    assert "some-secret-slug" not in caplog.text
    assert "203.0.113.7" not in caplog.text


def test_static_files_are_versioned_and_cached(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/gallery\.css\?v=[0-9a-f]{12})"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
