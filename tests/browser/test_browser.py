"""The gallery in a real browser: Debian's Chromium driven by Playwright against a live server.

Pages fit phone and desktop widths, their images load and nothing breaks the CSP; the
submission form works with JavaScript (preview, checks, progress, errors in place) and
without it; the keyboard reaches everything; an artist can withdraw their work.

The live server, the browser and the tabs are conftest.py's (browser_helpers.py): one
server for the whole run, the real app (CSRF on) on a database of its own, shared with
test_browser_moderation.py. Every test here counts works before and after and finds its
own by a title no other test uses."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from browser_helpers import (
    BROWSER_MARKS,
    MAX_BYTES,
    RECEIPT_URL,
    Live,
    expect,
    fill_form,
    wait_for_image,
)
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Licence, WorkStatus
from gallery.verbs.submissions import NewWork, submit_work
from helpers import add_work, encode, png_bytes

pytestmark = BROWSER_MARKS

WIDTHS = (390, 1280)
PAGES = [
    "/",
    "/works",
    "/prisoners",
    "/prisoners/azat-miftakhov",
    "/campaigns/art-protest-paris-2025",
    "/works/{work}",
    "/works/{work}?from=all",
    "/submit",
    "/prisoners/azat-miftakhov/write",
    "/ru/impact",
    "/ru/impact/prisoners/azat-miftakhov",
    "/fr/impact/campaigns/art-protest-paris-2025",
]
SERVER_TOO_LARGE = (
    "The server refused the upload because it is too large. Please export the image "
    "at a smaller size, or as a JPEG, and try again."
)


def png_file(
    path: Path, size: tuple[int, int] = (600, 400), noise: bool = False, pad_to: int = 0
) -> Path:
    """A PNG: a gradient, or random noise (which does not compress), padded to pad_to bytes."""
    if noise:
        im = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        im = Image.linear_gradient("L").resize(size).convert("RGB")
    data = encode(im, "PNG")
    if pad_to:
        assert len(data) < pad_to
        data += b"\0" * (pad_to - len(data))  # after IEND: browsers and Pillow ignore it
    path.write_bytes(data)
    return path


def text_file(path: Path) -> Path:
    path.write_text("Not an image at all.")
    return path


BROKEN_IMAGES = """async () => {
  const broken = [];
  for (const img of document.querySelectorAll("img")) {
    if (!img.getAttribute("src") && !img.getAttribute("srcset")) continue;  // e.g. the empty preview
    img.scrollIntoView({ block: "center" });
    if (!img.complete) {
      await new Promise((done) => {
        img.addEventListener("load", done, { once: true });
        img.addEventListener("error", done, { once: true });
        setTimeout(done, 5000);
      });
    }
    if (!(img.complete && img.naturalWidth > 0)) broken.push(img.currentSrc || img.src);
  }
  window.scrollTo(0, 0);
  return broken;
}"""


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_load_their_images_and_obey_the_csp(open_tab, live: Live, width: int):
    tab = open_tab(width)
    for path in PAGES:
        url = path.format(work=live.work_id)
        response = tab.page.goto(url)
        assert response is not None and response.status == 200, url
        assert response.headers["content-security-policy"].startswith("default-src 'self'"), url
        assert tab.page.locator("h1").count() == 1, url
        overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px too wide at {width}px"
        assert tab.page.evaluate(BROKEN_IMAGES) == [], url
        tab.assert_clean()


# ---------------------------------------------------------------- submitting with JavaScript

WATCH_SENDING = """() => {
  const progress = document.querySelector(".upload-progress");
  const status = document.querySelector(".upload-status");
  const button = document.querySelector(".form__actions button");
  const note = (key, value) => {
    const seen = JSON.parse(sessionStorage.getItem(key) || "[]");
    seen.push(value);
    sessionStorage.setItem(key, JSON.stringify(seen));
  };
  new MutationObserver(() => { if (!progress.hidden) note("progress", "shown"); })
    .observe(progress, { attributes: true });
  new MutationObserver(() => note("status", status.textContent))
    .observe(status, { childList: true, characterData: true, subtree: true });
  new MutationObserver(() => note("button", button.disabled ? "disabled" : "enabled"))
    .observe(button, { attributes: true, attributeFilter: ["disabled"] });
}"""


def test_submission_with_javascript(open_tab, live: Live, tmp_path: Path):
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    page.set_input_files("#image", str(png_file(tmp_path / "bird.png")))
    expect(page.locator(".preview")).to_be_visible()
    wait_for_image(page, ".preview__img")
    assert page.locator(".preview__img").get_attribute("src").startswith("blob:")
    expect(page.locator("#image-check")).to_contain_text("600 × 400 pixels")
    expect(page.locator("#image-check")).not_to_have_class(re.compile("file-check--bad"))

    fill_form(page, None, title="Sent with JavaScript")
    page.evaluate(WATCH_SENDING)
    before = live.count_works()
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)

    assert tab.posts_to("/submit") == ["xhr"]
    seen = page.evaluate(
        "() => Object.fromEntries(['progress', 'status', 'button']"
        ".map((k) => [k, JSON.parse(sessionStorage.getItem(k) || '[]')]))"
    )
    assert "shown" in seen["progress"]
    assert "disabled" in seen["button"]
    assert any(re.fullmatch(r"Uploading… \d+ %", s) for s in seen["status"]), seen["status"]
    assert "Checking and cleaning the image…" in seen["status"]

    expect(page.locator(".receipt__status")).to_contain_text("Waiting for review")
    expect(page.locator(".notice--success")).to_contain_text("Thank you")  # shown once, not lost
    expect(page.locator("main")).to_be_focused()
    wait_for_image(page, ".receipt__image img")
    work = live.work_titled("Sent with JavaScript")
    assert work is not None and work.status == WorkStatus.PENDING
    assert live.count_works() == before + 1
    tab.assert_clean()


@pytest.fixture
def challenged(live: Live):
    """The live site asks every client for the proof-of-work challenge (an easy one)."""
    config = live.app.config
    saved = {k: config[k] for k in ("CHALLENGE_ALWAYS", "CHALLENGE_COST", "CHALLENGE_COUNTER")}
    config.update(CHALLENGE_ALWAYS=True, CHALLENGE_COST=10, CHALLENGE_COUNTER=50)
    yield
    config.update(saved)


def test_the_challenge_is_solved_in_the_page_within_the_csp(
    open_tab, live: Live, tmp_path: Path, challenged
):
    tab = open_tab(390)
    page = tab.page
    page.goto("/ru/submit")
    fill_form(page, png_file(tmp_path / "bird.png"), title="Sent after a challenge")
    # The widget solves it in a worker from our own folder, in the page's language.
    expect(page.locator(".challenge")).to_contain_text("Проверка пройдена")
    assert len(page.locator('input[name="altcha"]').input_value()) > 100
    before = live.count_works()
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)
    assert live.count_works() == before + 1
    assert any(
        kind == "script" and url.split("?")[0].endswith("/altcha-pbkdf2.js")
        for _method, url, kind in tab.requests
    )
    tab.assert_clean()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda d: png_file(d / "huge.png", (700, 700), noise=True),
            "larger than the 1 MB we accept",
        ),
        (lambda d: text_file(d / "notes.txt"), "not a JPEG, PNG"),
    ],
    ids=["too-large", "wrong-type"],
)
def test_file_is_checked_before_sending(open_tab, live: Live, tmp_path: Path, make, message):
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    bad = make(tmp_path)
    fill_form(page, bad, title="Never sent")
    check = page.locator("#image-check")
    expect(check).to_contain_text(message)
    expect(check).to_have_class(re.compile("file-check--bad"))
    expect(page.locator(".preview")).to_be_hidden()
    before = live.count_works()

    # Sending is refused by the script's submit handler: it writes the refusal again and
    # puts the focus back on the file. Blank the message first, so seeing it again proves
    # the handler ran; then a request of our own, which the tab records after anything
    # the click sent, shows that the recording is complete.
    page.evaluate("document.querySelector('#image-check').textContent = ''")
    page.click(".form__actions button")
    expect(check).to_contain_text(message)
    expect(page.locator("#image")).to_be_focused()
    assert page.evaluate("() => fetch('/healthz').then((r) => r.status)") == 200
    assert ("GET", f"{live.url}/healthz", "fetch") in tab.requests
    assert tab.posts_to("/submit") == []
    assert page.url == f"{live.url}/submit"
    assert live.count_works() == before

    # Choosing a good file clears the refusal.
    page.set_input_files("#image", str(png_file(tmp_path / "fine.png")))
    expect(check).not_to_have_class(re.compile("file-check--bad"))
    wait_for_image(page, ".preview__img")
    tab.assert_clean()


def test_server_errors_replace_the_form_in_place(open_tab, live: Live, tmp_path: Path):
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    # An address the form's script does not check (only the server does): the whole form
    # travels, and comes back.
    fill_form(page, png_file(tmp_path / "bird.png"), title="Sent on the second try")
    page.fill("#email", "not an address")
    page.evaluate("document.querySelector('main').dataset.old = 'yes'")
    before = live.count_works()
    page.click(".form__actions button")

    expect(page.locator("#form-problem")).to_be_focused()
    assert page.url == f"{live.url}/submit"
    assert page.evaluate("document.querySelector('main').dataset.old") is None  # a new <main>
    assert page.locator("main").count() == 1
    expect(page.locator("#form-problem")).to_contain_text("Please correct the fields marked below.")
    expect(page.locator("#email-error")).to_contain_text("Please enter a valid e-mail address.")
    expect(page.locator("#alt_text")).to_have_value("A red bird flies out of a barred window")
    assert live.count_works() == before

    # The new form is enhanced too, and its CSRF token is good: correct it and send again.
    page.set_input_files("#image", str(png_file(tmp_path / "bird.png")))
    wait_for_image(page, ".preview__img")
    page.fill("#email", "")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)
    expect(page.locator(".receipt__status")).to_contain_text("Waiting for review")
    assert tab.posts_to("/submit") == ["xhr", "xhr"]
    tab.assert_clean(allowed=("status of 400",))  # the XHR's own 400 answer


def test_upload_refused_by_the_server_as_too_large(open_tab, live: Live, tmp_path: Path):
    """The file passes the browser's check, the whole request does not pass the server's: in
    a browser where neither tus nor the device's copy works, the form is one multipart POST
    with the file as it is (with them, a file is never bigger than what /uploads/ takes)."""
    tab = open_tab(1280)
    page = tab.page
    page.add_init_script(
        "for (const name of ['tus', 'galleryDevice']) "
        "Object.defineProperty(window, name, { get: () => undefined, set: () => {} });"
    )
    page.goto("/submit")
    fill_form(page, png_file(tmp_path / "edge.png", pad_to=MAX_BYTES - 100), title="Just too big")
    expect(page.locator("#image-check")).not_to_have_class(re.compile("file-check--bad"))
    before = live.count_works()
    page.click(".form__actions button")

    # The server's 413 answer reached the page: not a lost connection, not a generic failure.
    expect(page.locator(".upload-status")).to_have_text(SERVER_TOO_LARGE)
    expect(page.locator(".form__actions button")).to_be_enabled()
    expect(page.locator(".upload-progress")).to_be_hidden()
    assert tab.posts_to("/submit") == ["xhr"]
    assert page.url == f"{live.url}/submit"
    assert live.count_works() == before
    tab.assert_clean(allowed=("status of 413",))  # the XHR's own 413 answer


# ---------------------------------------------------------------- without JavaScript


def test_submission_without_javascript(open_tab, live: Live, tmp_path: Path):
    tab = open_tab(390, javascript=False)
    page = tab.page
    page.goto("/submit")
    fill_form(page, png_file(tmp_path / "bird.png"), title="Sent without JavaScript")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)

    assert tab.posts_to("/submit") == ["document"]
    expect(page.locator(".notice--success")).to_contain_text("Thank you")
    expect(page.locator(".receipt__status")).to_contain_text("Waiting for review")
    src = page.locator(".receipt__image img").get_attribute("src")
    image = page.request.get(src)
    assert image.status == 200 and image.headers["content-type"].startswith("image/")
    assert live.work_titled("Sent without JavaScript") is not None


# ---------------------------------------------------------------- keyboard


@pytest.mark.parametrize("path", ["/", "/submit"])
def test_keyboard_reaches_the_skip_link_first_and_focus_shows(open_tab, path: str):
    tab = open_tab(390)
    page = tab.page
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
      const el = document.activeElement, box = el.getBoundingClientRect(), css = getComputedStyle(el);
      return { cls: el.className, left: box.left, top: box.top, width: box.width,
               outline: css.outlineStyle, outlineWidth: parseFloat(css.outlineWidth) };
    }""")
    assert focused["cls"] == "skip-link"
    assert focused["left"] >= 0 and focused["top"] >= 0 and focused["width"] > 0, focused
    assert focused["outline"] != "none" and focused["outlineWidth"] > 0, focused

    page.keyboard.press("Enter")  # the skip link takes focus to <main>
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    link = page.evaluate("""() => {
      const el = document.activeElement, css = getComputedStyle(el);
      return { tag: el.tagName, inMain: !!el.closest("main"), outline: css.outlineStyle,
               outlineWidth: parseFloat(css.outlineWidth) };
    }""")
    assert link["inMain"] and link["outline"] != "none" and link["outlineWidth"] > 0, link
    tab.assert_clean()


# ---------------------------------------------------------------- withdrawing


def test_withdraw_deletes_the_image(open_tab, live: Live):
    image = io.BytesIO(png_bytes((300, 200), "#884422"))
    with live.app.app_context():
        fields = NewWork(
            title="To be withdrawn",
            alt_text="A brown rectangle",
            licence=Licence.CC_BY,
            own_work=True,
            consent=True,
        )
        _, token = submit_work(
            store(), image, fields, max_pixels=live.app.config["MAX_IMAGE_PIXELS"]
        )
        db.session.commit()
        db.session.remove()

    tab = open_tab(390)
    page = tab.page
    page.goto(f"/submissions/{token}")
    wait_for_image(page, ".receipt__image img")
    image_url = page.evaluate("document.querySelector('.receipt__image img').currentSrc")
    assert page.request.get(image_url).status == 200

    # CSRF is on: the same POST without the form's token is refused.
    forged = page.request.post(f"/submissions/{token}/withdraw", form={"x": "1"})
    assert forged.status == 400

    page.click("form.withdraw button")  # not ticked: the browser asks for the box first
    withdrawn = live.work_titled("To be withdrawn")
    assert withdrawn.status == WorkStatus.PENDING
    page.check("form.withdraw input[name=confirm]")
    page.click("form.withdraw button")
    page.wait_for_url(RECEIPT_URL)
    expect(page.locator(".receipt__status")).to_contain_text("Withdrawn by you")
    expect(page.locator(".notice--success")).to_contain_text("withdrawn")
    expect(page.locator(".receipt__image")).to_have_count(0)
    expect(page.locator("form.withdraw")).to_have_count(0)
    assert page.request.get(image_url).status == 404
    after = live.work_numbered(withdrawn.id)
    assert after.status == WorkStatus.WITHDRAWN and after.title == ""  # the artist is forgotten
    tab.assert_clean()


@pytest.mark.parametrize(
    ("width", "scale", "fetched"),
    [
        (390, 3, "share.webp"),  # a phone: 1,170 px across, the 1200 px WebP
        (1300, 1, "display.jpg"),  # a desktop: 1,300 px, the 1600 px JPEG
        (1300, 2, "large.jpg"),  # the same at density 2: 2,600 px, the largest there is
    ],
)
def test_each_screen_fetches_the_size_it_needs(
    open_tab, live: Live, width: int, scale: int, fetched: str
):
    with live.app.app_context():
        try:
            work = add_work(
                store(),
                image=encode(Image.new("RGB", (3000, 2000), "teal"), "JPEG"),
                title=f"A teal field at {width} x {scale}",
                alt_text="A teal field",
            )
            public_id, key = work.public_id, work.image_key
        finally:
            db.session.remove()
    tab = open_tab(width=width, scale=scale)
    tab.page.goto(f"/works/{public_id}")
    wait_for_image(tab.page, ".work__figure img")
    shown = tab.page.evaluate("document.querySelector('.work__figure img').currentSrc")
    assert shown == f"{live.url}/media/{key}/{fetched}"
    assert [url for _, url, kind in tab.requests if kind == "image" and f"/{key}/" in url] == [
        shown
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_small_image_is_drawn_at_its_own_size_and_a_large_one_fills_the_page(
    open_tab, live: Live, width: int
):
    """The browser takes an image's size from `sizes` over the chosen file's width: every
    length there is capped at the widest rendition, so a 300 px upload is not blown up to
    the page's width (blurred), and a large one still fills it."""
    works = {}
    with live.app.app_context():
        try:
            for name, size in (("small", (300, 200)), ("large", (3000, 2000))):
                work = add_work(
                    store(),
                    image=encode(Image.new("RGB", size, "olive"), "JPEG"),
                    title=f"An olive field, {name}, at {width}",
                    alt_text="An olive field",
                )
                works[name] = work.public_id
        finally:
            db.session.remove()
    tab = open_tab(width)
    drawn = {}
    for name, public_id in works.items():
        tab.page.goto(f"/works/{public_id}")
        wait_for_image(tab.page, ".work__figure img")
        drawn[name] = tab.page.evaluate(
            "document.querySelector('.work__figure img').getBoundingClientRect().width"
        )
    assert round(drawn["small"]) == 300
    assert drawn["large"] > (width * 0.9 if width < 1000 else 1000)
    tab.assert_clean()
