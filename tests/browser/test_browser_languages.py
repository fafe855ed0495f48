"""The three languages in a real browser: one journey across them, and axe-core on every
public page in each language.

An artist sends a work through the real form in Russian, a moderator approves it in
French, and a visitor finds it on the prisoner's page in English. axe-core (installed into
.tools/ by scripts/ensure-node-tools) finds no serious or critical violation on any public
page, in English, French or Russian."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from browser_helpers import BROWSER_MARKS, Live, wait_for_image
from gallery.extensions import db
from gallery.models import Moderator, Role
from helpers import MODERATOR_PASSWORD

pytestmark = BROWSER_MARKS

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/works",
    "/prisoners",
    "/prisoners/azat-miftakhov",
    "/campaigns/art-protest-paris-2025",
    "/works/{work}",
    "/works/{work}?from=all",
    "/works/{work}/report",
    "/submit",
    "/help/artists",
    "/prisoners/azat-miftakhov/write",
    "/impact",
    "/impact/prisoners/azat-miftakhov",
    "/impact/campaigns/art-protest-paris-2025",
    "/reports/thanks",
    "/show",
    "/campaigns/art-protest-paris-2025/show",
]
USERNAME = "polyglot-mod"
TITLE = "Свобода математике"


@pytest.fixture(scope="module")
def french_moderator(live: Live, moderator_password_hash: str) -> str:
    with live.app.app_context():
        try:
            db.session.add(
                Moderator(
                    username=USERNAME, password_hash=moderator_password_hash, role=Role.MODERATOR
                )
            )
            db.session.commit()
        finally:
            db.session.remove()
    return USERNAME


def test_a_russian_artist_a_french_moderator_and_an_english_visitor(
    open_tab, live, french_moderator, tmp_path
):
    image = tmp_path / "svoboda.png"
    Image.linear_gradient("L").resize((640, 480)).convert("RGB").save(image)

    # The artist, on a phone, in Russian: every label and message is Russian.
    artist = open_tab(390)
    page = artist.page
    page.goto("/ru/submit")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_label("Изображение").first.set_input_files(str(image))  # the cover image
    page.locator("#title").fill(TITLE)
    page.locator("#alt_text").fill("Формулы на доске за решёткой")
    assert page.locator("#language").input_value() == "ru"
    page.locator('input[name="prisoners"]').first.check()
    page.locator('input[name="licence"][value="cc-by-4.0"]').check()
    page.locator("#own_work").check()
    page.locator("#consent").check()
    page.locator('input[name="ai_used"][value="no"]').check()
    page.get_by_role("button", name="Отправить работу").click()
    page.wait_for_url(re.compile(r"/ru/submissions/[A-Za-z0-9_-]{20,}$"))
    assert "Спасибо" in page.locator("main").inner_text()
    wait_for_image(page, ".receipt__image img")
    page.screenshot(path=str(tmp_path / "receipt-ru-390.png"), full_page=True)
    artist.assert_clean()

    # The moderator, on a desktop, in French.
    moderator = open_tab(1280)
    page = moderator.page
    page.goto("/login?lang=fr")
    page.get_by_label("Nom d’utilisateur").fill(french_moderator)
    page.get_by_label("Mot de passe").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/moderation/$"))
    assert page.locator("html").get_attribute("lang") == "fr"
    item = page.locator(".review").filter(has_text=TITLE)
    assert item.locator(".review__title").get_attribute("lang") == "ru"
    page.screenshot(path=str(tmp_path / "queue-fr-1280.png"), full_page=False)
    item.get_by_role("button", name="Approuver").click()
    page.wait_for_load_state()
    assert (
        "Approuvée et publiée" in page.locator(".flash, .notice, [role=status]").first.inner_text()
    )
    moderator.assert_clean()

    # The visitor, in English, finds it on the prisoner's page.
    visitor = open_tab(1280)
    page = visitor.page
    page.goto("/en/prisoners/azat-miftakhov")
    card = page.locator(".card").filter(has_text=TITLE)
    assert card.locator(".card__title").get_attribute("lang") == "ru"
    card.locator("a").first.click()
    page.wait_for_url(re.compile(r"/en/works/"))
    assert page.locator("h1 span").first.get_attribute("lang") == "ru"
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(tmp_path / "work-en-1280.png"), full_page=True)
    visitor.assert_clean()


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page, one line each."""
    page.evaluate(AXE.read_text())  # runs in the page without an inline <script>: no CSP issue
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_public_pages_have_no_serious_accessibility_violation(open_tab, live, code):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/ensure-node-tools needs npm)")
    tab = open_tab(1280)
    found = {}
    for path in PAGES:
        tab.page.goto(f"/{code}" + path.format(work=live.work_id))
        assert tab.page.locator("html").get_attribute("lang") == code
        violations = axe_violations(tab.page)
        if violations:
            found[path] = violations
    assert found == {}


def test_the_accessibility_check_finds_a_violation(open_tab):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/ensure-node-tools needs npm)")
    page = open_tab(1280).page
    page.set_content(
        '<html lang="en"><body><main><img src="x.png"><a href="/"></a></main></body></html>'
    )
    found = axe_violations(page)
    assert any(line.startswith("image-alt (critical)") for line in found), found


def test_the_dashboard_has_no_serious_accessibility_violation(open_tab, live, french_moderator):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/ensure-node-tools needs npm)")
    tab = open_tab(390)
    page = tab.page
    page.goto("/login?lang=fr")
    page.get_by_label("Nom d’utilisateur").fill(french_moderator)
    page.get_by_label("Mot de passe").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/moderation/$"))
    found = {}
    for code in ("en", "fr", "ru"):
        page.goto(f"/moderation/dashboard?lang={code}")
        assert page.locator("html").get_attribute("lang") == code
        assert page.locator('svg[role="img"]').count() == 2
        violations = axe_violations(page)
        if violations:
            found[code] = violations
    assert found == {}
