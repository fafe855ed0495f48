"""The pages issue 26 added, in the three languages, through the checkers people trust: the
W3C Nu HTML Checker (vnu), axe-core and Lighthouse. They are: a campaign's call for works
(open and closed) and the campaign's page showing it, the digest's sign-up (and with its
errors), a work behind a content warning (its page, the grid, search), the artist's page
with the texts form, the moderators' alert page, the works to translate and a work's texts.

The call, the warning and the mail server are set on the demo for the test and taken back
after it: the live server is shared with the other browser tests."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_browser_languages import AXE, axe_violations
from test_lighthouse import ASSERTED, LIGHTHOUSE, audit

from browser_helpers import BROWSER_MARKS
from gallery.extensions import db
from gallery.models import Campaign, ContentWarning, Work, WorkStatus, utcnow
from helpers import csrf_from, fresh

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from check_html import LANGUAGES, VNU, check  # noqa: E402

pytestmark = BROWSER_MARKS

SLUG = "art-protest-paris-2025"
MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 2525, "MAIL_DEFAULT_SENDER": "gallery@example.org"}
BRIEF = {
    "en": "Draw **a postcard** for Azat: no slogans, no Latin letters on the image.",
    "fr": "Dessinez **une carte postale** pour Azat\u00a0: ni slogans, ni lettres latines sur l’image.",
    "ru": "Нарисуйте **открытку** для Азата: без лозунгов и латинских букв на изображении.",
}


@contextmanager
def call_and_warning(app: Any) -> Iterator[str]:
    """The demo campaign calls for works, and one demo work carries a warning; both taken
    back after. Yields the warned work's public id."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        work = db.session.scalars(
            # The newest, so that it is on the first page of the grid whatever other
            # tests published before.
            select(Work)
            .where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
            .order_by(Work.published_at.desc(), Work.id.desc())
        ).first()
        today = utcnow().date()
        campaign.call_brief, campaign.call_thanks = BRIEF["en"], "Thank you."
        campaign.call_opens_on, campaign.call_closes_on = today, today + timedelta(days=30)
        for row in campaign.translations:
            row.call_brief = BRIEF[row.locale]
        work.content_warning = ContentWarning.VIOLENCE
        public_id = work.public_id
        db.session.commit()
    try:
        yield public_id
    finally:
        with app.app_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
            campaign.call_brief = campaign.call_thanks = None
            campaign.call_opens_on = campaign.call_closes_on = None
            for row in campaign.translations:
                row.call_brief = None
            db.session.get(
                Work, db.session.scalar(select(Work.id).where(Work.public_id == public_id))
            ).content_warning = None
            db.session.commit()
            db.session.remove()


# ---- vnu ----


@pytest.mark.slow
@pytest.mark.skipif(
    not VNU.exists() or not shutil.which("java"),
    reason="vnu.jar or java is missing (scripts/ensure-node-tools)",
)
def test_the_new_pages_are_valid_html(app_factory, make_moderator, login):
    app = app_factory(**MAIL)
    client = app.test_client()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    fresh()
    documents: dict[str, str] = {}
    with call_and_warning(app) as warned:
        for code in LANGUAGES:
            for path in (
                f"/campaigns/{SLUG}/submit",
                f"/campaigns/{SLUG}",
                "/subscribe",
                f"/subscribe?campaign={SLUG}",
                f"/works/{warned}",
                "/works",
                "/search?q=Azat",
            ):
                response = client.get(f"/{code}{path}")
                assert response.status_code == 200, (code, path)
                documents[f"/{code}{path}"] = response.get_data(as_text=True)
            form = client.get(f"/{code}/subscribe").get_data(as_text=True)
            refused = client.post(
                f"/{code}/subscribe", data={"csrf_token": csrf_from(form), "email": "nope"}
            )
            assert refused.status_code == 400
            documents[f"/{code}/subscribe (with errors)"] = refused.get_data(as_text=True)
        # The call, closed.
        with app.app_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
            campaign.call_closes_on = utcnow().date() - timedelta(days=2)
            campaign.call_opens_on = None
            db.session.commit()
        for code in LANGUAGES:
            documents[f"/{code} closed call"] = client.get(
                f"/{code}/campaigns/{SLUG}/submit"
            ).get_data(as_text=True)
        # The moderators' side: their alert page, the works to translate, a work's texts,
        # the queue filtered by campaign, the campaign's editor with its call.
        make_moderator("reach")
        assert login("reach", on=client).status_code == 303
        with app.app_context():
            work_id = db.session.scalar(select(Work.id).where(Work.public_id == warned))
            campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == SLUG))
        for code in LANGUAGES:
            client.get(f"/?lang={code}")
            for path in (
                "/account/alerts",
                "/moderation/translate",
                f"/moderation/works/{work_id}/texts",
                f"/moderation/works/{work_id}",
                f"/moderation/?campaign={SLUG}",
                f"/moderation/campaigns/{campaign_id}/edit",
            ):
                response = client.get(path)
                assert response.status_code == 200, (code, path)
                documents[f"{code} {path}"] = response.get_data(as_text=True)
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}


# ---- axe-core and the cover in a real browser; Lighthouse ----


@contextmanager
def reach_on(live: Any) -> Iterator[str]:
    """The live server with a call, a warned work and mail on (for /subscribe)."""
    before = {name: live.app.config.get(name) for name in MAIL}
    live.app.config.update(MAIL)
    try:
        with call_and_warning(live.app) as warned:
            yield warned
    finally:
        live.app.config.update(before)


def public_paths(warned: str) -> list[str]:
    return [
        f"/campaigns/{SLUG}/submit",
        f"/campaigns/{SLUG}",
        "/subscribe",
        f"/works/{warned}",
        "/works",
    ]


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_new_pages_have_no_serious_accessibility_violation(open_tab, live, code):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/ensure-node-tools needs npm)")
    tab = open_tab(390)
    found = {}
    with reach_on(live) as warned:
        for path in public_paths(warned):
            tab.page.goto(f"/{code}{path}")
            assert tab.page.locator("html").get_attribute("lang") == code
            violations = axe_violations(tab.page)
            if violations:
                found[path] = violations
    assert found == {}


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_lifts_a_content_warnings_cover_by_click_or_keyboard(open_tab, live, javascript):
    tab = open_tab(390, javascript=javascript)
    page = tab.page
    with reach_on(live) as warned:
        page.goto(f"/fr/works/{warned}")
        image = page.locator(".work__figure .cw__work img")
        cover = page.locator(".work__figure .cw__cover")
        assert cover.inner_text().startswith("Avertissement\u00a0: violence")
        assert "blur" in image.evaluate("img => getComputedStyle(img).filter")
        cover.click()
        assert image.evaluate("img => getComputedStyle(img).filter") == "none"
        assert not cover.is_visible()
        # On the grid, by keyboard: Tab to the cover's control, Space lifts it; the card's
        # link is not followed.
        page.goto("/fr/works")
        card = page.locator(".card").filter(has=page.locator(".cw"))
        toggle = card.locator(".cw__toggle")
        toggle.focus()
        page.keyboard.press("Space")
        assert card.locator("img").evaluate("img => getComputedStyle(img).filter") == "none"
        assert page.url.endswith("/fr/works")
    tab.assert_clean()


@pytest.mark.slow
@pytest.mark.skipif(not LIGHTHOUSE.exists(), reason="Lighthouse is not installed")
def test_the_new_pages_score_100_in_lighthouse_where_the_page_decides(live, tmp_path):
    failures = {}
    with reach_on(live) as warned:
        pages = [f"/fr/campaigns/{SLUG}/submit", "/ru/subscribe", f"/en/works/{warned}"]
        for n, path in enumerate(pages):
            report = audit(live.url + path, tmp_path / f"{n}.json")
            for category in ASSERTED:
                score = report["categories"][category]["score"]
                if score != 1:
                    failures[f"{path} {category}"] = sorted(
                        ref["id"]
                        for ref in report["categories"][category]["auditRefs"]
                        if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1
                    )
    assert failures == {}
