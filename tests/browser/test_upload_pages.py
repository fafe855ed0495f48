"""The forms issue 27 changed, in the three languages, through the checkers people trust:
the W3C Nu HTML Checker (vnu), axe-core at 390 and 1280 px, and Lighthouse at both widths.

They are: the submission form as offered (with its slots for more images), as the server
sends it back keeping the image, and with the problems the script lists before sending;
the artist's private page of a pending work of three images (its words, its images' alt
texts and cover tools, adding one more), and of a withdrawn one (its sealed title)."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from test_browser_languages import AXE, axe_violations
from test_lighthouse import ASSERTED, LIGHTHOUSE, audit

from browser_helpers import BROWSER_MARKS
from gallery.extensions import db
from gallery.media import media_store
from gallery.models import Licence
from gallery.verbs import work_images
from gallery.verbs.submissions import NewWork, submit_work, withdraw_work
from helpers import csrf_from, encode, png_bytes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from check_html import LANGUAGES, VNU, check  # noqa: E402

pytestmark = BROWSER_MARKS

WIDTHS = (390, 1280)


def jpeg(shade: int) -> bytes:
    from PIL import Image

    return encode(Image.new("RGB", (1600, 1200), (shade, 120, 200 - shade)), "JPEG")


def three_images(app: Any, title: str) -> str:
    """A pending work of three images, made as the form makes it; its receipt token."""
    with app.app_context():
        store = media_store(app)
        fields = NewWork(
            title=title, alt_text="A poster in a window", licence=Licence.CC_BY, text_locale="en"
        )
        work, token = submit_work(store, io.BytesIO(jpeg(40)), fields, max_pixels=40_000_000)
        for shade, alt in ((90, "The same poster, closer"), (140, "The street outside")):
            work_images.add_work_image(
                store, work.id, io.BytesIO(jpeg(shade)), alt, max_images=6, audited=False
            )
        db.session.commit()
        db.session.remove()
    return token


def withdrawn(app: Any, title: str) -> str:
    """A withdrawn work's receipt token: its page shows the sealed title."""
    token = three_images(app, title)
    with app.app_context():
        withdraw_work(media_store(app), token)
        db.session.commit()
        db.session.remove()
    return token


# ---- vnu ----


@pytest.mark.slow
@pytest.mark.skipif(
    not VNU.exists() or not shutil.which("java"),
    reason="vnu.jar or java is missing (scripts/ensure-node-tools)",
)
def test_the_changed_forms_are_valid_html(app_factory):
    app = app_factory()
    client = app.test_client()
    pending = three_images(app, "Valid in three languages")
    gone = withdrawn(app, "Withdrawn, and still named")
    documents: dict[str, str] = {}
    for code in LANGUAGES:
        form = client.get(f"/{code}/submit").get_data(as_text=True)
        documents[f"/{code}/submit"] = form
        kept = client.post(
            f"/{code}/submit",
            data={
                "csrf_token": csrf_from(form),
                "image": (io.BytesIO(png_bytes()), "poster.png"),
                "more-0-image": (io.BytesIO(png_bytes()), "detail.png"),
                "more-0-alt_text": "A detail of the poster",
                "email": "not an address",
            },
            content_type="multipart/form-data",
        )
        assert kept.status_code == 400
        page = kept.get_data(as_text=True)
        assert 'id="image-kept"' in page and 'id="more-0-image-kept"' in page
        documents[f"/{code}/submit (sent back, images kept)"] = page
        for token, name in ((pending, "pending, 3 images"), (gone, "withdrawn")):
            response = client.get(f"/{code}/submissions/{token}")
            assert response.status_code == 200
            documents[f"/{code} receipt, {name}"] = response.get_data(as_text=True)
    assert "Withdrawn, and still named" in documents["/fr receipt, withdrawn"]
    found = {name: errors for name, errors in check(documents).items() if errors}
    assert found == {}


# ---- axe-core, at both widths ----


@pytest.fixture(scope="module")
def receipt(live: Any) -> Iterator[str]:
    yield three_images(live.app, "Checked by axe and Lighthouse")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("code", ["en", "fr", "ru"])
def test_the_changed_forms_have_no_serious_accessibility_violation(
    open_tab, live, receipt, code, width
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/ensure-node-tools needs npm)")
    tab = open_tab(width)
    page = tab.page
    found = {}
    page.goto(f"/{code}/submit")
    page.locator("details.more-images > summary").click()
    found["submit"] = axe_violations(page)
    # The problems the script lists before sending, each marked on its field.
    page.locator(".form__actions button").click()
    page.locator("#form-check").wait_for()
    found["submit, checked before sending"] = axe_violations(page)
    page.goto(f"/{code}/submissions/{receipt}")
    assert page.locator("html").get_attribute("lang") == code
    found["receipt"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}


# ---- Lighthouse ----

PHONE = ("--screenEmulation.width=390", "--screenEmulation.height=844")
DESKTOP = ("--preset=desktop", "--screenEmulation.width=1280", "--screenEmulation.height=800")


@pytest.mark.slow
@pytest.mark.skipif(not LIGHTHOUSE.exists(), reason="Lighthouse is not installed")
def test_the_changed_forms_score_100_in_lighthouse_where_the_page_decides(live, receipt, tmp_path):
    failures = {}
    pages = [
        ("/fr/submit", PHONE),
        ("/en/submit", DESKTOP),
        (f"/ru/submissions/{receipt}", PHONE),
        (f"/en/submissions/{receipt}", DESKTOP),
    ]
    # Two Lighthouse runs at a time, as test_lighthouse.py does (no audit here times anything).
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(
            pool.map(
                lambda n: audit(live.url + pages[n][0], tmp_path / f"{n}.json", pages[n][1]),
                range(len(pages)),
            )
        )
    for (path, flags), report in zip(pages, reports, strict=True):
        for category in ASSERTED:
            failed = sorted(
                ref["id"]
                for ref in report["categories"][category]["auditRefs"]
                if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1
            )
            # A private page is kept out of search engines on purpose (noindex).
            if "/submissions/" in path and category == "seo" and failed == ["is-crawlable"]:
                continue
            if failed:
                failures[f"{path} {flags[0]} {category}"] = failed
    assert failures == {}
