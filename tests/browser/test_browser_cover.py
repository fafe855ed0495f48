"""The cover tool in a real browser: an artist covers a face on the preview before sending
(and the bytes that reach the server are already covered), a moderator draws, toggles the
detector's suggestions with mouse, keyboard and touch, and applies them; a file the
browser cannot show gets a clear message instead of a tool.

Uses the run's one live server and Chromium (conftest.py); works are found by titles no
other test uses, and the pending ones made here are rejected at the end."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from browser_helpers import (
    BROWSER_MARKS,
    REPORT_CSP,
    Live,
    Tab,
    expect,
    wait_for_image,
)
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Licence, Moderator, Role, Work, WorkStatus
from gallery.verbs import covers, decisions
from gallery.verbs.submissions import NewWork, create_work
from helpers import MODERATOR_PASSWORD, encode

pytestmark = BROWSER_MARKS

USERNAME = "cover-mod"
RECEIPT_URL = re.compile(r"/submissions/[A-Za-z0-9_-]{20,}$")
BRIGHT = 110  # every value of the test pictures is at least this
LOSSY_NOISE = 24
EDGE = 4


def bright_picture(size: tuple[int, int]) -> Image.Image:
    """A smooth picture, every value >= BRIGHT (small as a JPEG: the live server takes 1 MB)."""
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    scale = lambda v: BRIGHT + v * (255 - BRIGHT) // 255  # noqa: E731
    return Image.merge("RGB", [across.point(scale), down.point(scale), Image.new("L", size, 200)])


def darkest_and_brightest(
    im: Image.Image, region: list[float], edge: int = EDGE
) -> tuple[int, int]:
    """(the brightest channel value, the mean) inside a fractional region, shrunk by edge."""
    rgb = im.convert("RGB")
    x, y, w, h = region
    box = (
        math.ceil(x * rgb.width) + edge,
        math.ceil(y * rgb.height) + edge,
        math.floor((x + w) * rgb.width) - edge,
        math.floor((y + h) * rgb.height) - edge,
    )
    crop = rgb.crop(box)
    brightest = max(hi for _lo, hi in crop.getextrema())
    grey = crop.convert("L")
    mean = sum(i * n for i, n in enumerate(grey.histogram())) / (grey.width * grey.height)
    return brightest, round(mean)


def stored_large(live: Live, title: str) -> Image.Image:
    work = live.work_titled(title)
    assert work is not None
    with live.app.app_context():
        path = store().path(work.image_key, "large.jpg")
    with Image.open(path) as im:
        return im.convert("RGB")


# The file in the form when it is posted as a document (name and type; the page then leaves).
RECORD_PLAIN_POST = """() => {
  document.addEventListener("submit", (event) => {
    const file = event.target.querySelector("input[type=file]")?.files?.[0];
    if (file) sessionStorage.setItem("postedImage", JSON.stringify({ name: file.name, type: file.type }));
  });
  const submit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    const file = this.querySelector("input[type=file]")?.files?.[0];
    if (file) sessionStorage.setItem("postedImage", JSON.stringify({ name: file.name, type: file.type }));
    return submit.call(this);
  };
}"""


def fill_form(page: Any, title: str) -> None:
    page.fill("#title", title)
    page.fill("#alt_text", "A poster held up in a street")
    page.locator('input[name="prisoners"]').first.check()
    page.locator('input[name="licence"]').first.check()
    page.check("#own_work")
    page.check("#consent")
    page.check('input[name="ai_used"][value="no"]')


def drag(page: Any, layer: str, frm: tuple[float, float], to: tuple[float, float]) -> None:
    """Draw with the mouse from one point to another, as fractions of the layer."""
    page.locator(layer).scroll_into_view_if_needed()
    box = page.locator(layer).bounding_box()
    page.mouse.move(box["x"] + frm[0] * box["width"], box["y"] + frm[1] * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + to[0] * box["width"], box["y"] + to[1] * box["height"], steps=8)
    page.mouse.up()


@pytest.fixture(scope="module")
def moderator_id(live: Live, moderator_password_hash: str) -> int:
    with live.app.app_context():
        try:
            moderator = Moderator(
                username=USERNAME, password_hash=moderator_password_hash, role=Role.MODERATOR
            )
            db.session.add(moderator)
            db.session.commit()
            return moderator.id
        finally:
            db.session.remove()


@pytest.fixture
def tidy(live: Live, moderator_id: int) -> Iterator[list[str]]:
    """Titles of works this test leaves pending; they are rejected afterwards."""
    titles: list[str] = []
    yield titles
    with live.app.app_context():
        try:
            ids = list(
                db.session.scalars(
                    select(Work.id).where(Work.title.in_(titles), Work.status == WorkStatus.PENDING)
                )
            )
            if ids:
                decisions.bulk_decide(
                    store(), ids, moderator_id, approve_them=False, reason="Tidied by the test."
                )
                db.session.commit()
        finally:
            db.session.remove()


def add_pending(live: Live, title: str, image: bytes) -> int:
    with live.app.app_context():
        try:
            fields = NewWork(title=title, alt_text=f"Alt text of {title}", licence=Licence.CC_BY)
            work = create_work(store(), io.BytesIO(image), fields)
            db.session.commit()
            covers.suggest_faces(store(), work)  # as the submission does once it commits
            db.session.commit()
            return work.id
        finally:
            db.session.remove()


def log_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/moderation/$"))


# ---------------------------------------------------------------- the artist


def test_the_artist_covers_a_face_before_sending(
    open_tab, live: Live, tmp_path: Path, tidy, upload_log
):
    title = "Covered before sending"
    tidy.append(title)
    original = tmp_path / "street-photo.jpg"
    bright_picture((900, 600)).save(original, "JPEG", quality=92)
    tab = open_tab(1280)
    page = tab.page
    log = upload_log
    page.goto("/submit")
    page.set_input_files("#image", str(original))
    wait_for_image(page, ".preview__img")
    tools = page.locator("[data-cover-tools]")
    expect(tools).to_be_visible()
    expect(page.locator(".preview .cover-layer")).to_have_count(1)

    drag(page, ".preview .cover-layer", (0.2, 0.3), (0.5, 0.7))
    drag(page, ".preview .cover-layer", (0.7, 0.1), (0.9, 0.3))
    expect(page.locator(".preview .cover-rect")).to_have_count(2)
    expect(tools.locator(".cover-tools__count")).to_have_text("Areas to cover: 2")
    tools.get_by_role("button", name="Undo last").click()  # the second one goes
    expect(page.locator(".preview .cover-rect")).to_have_count(1)
    expect(tools.locator(".cover-tools__count")).to_have_text("Areas to cover: 1")
    # Drawn rectangles show filled black on the preview.
    assert (
        page.locator(".preview .cover-rect").evaluate(
            "(el) => getComputedStyle(el).backgroundColor"
        )
        == "rgb(0, 0, 0)"
    )

    fill_form(page, title)
    page.get_by_role("button", name="Send the work").click()
    page.wait_for_url(RECEIPT_URL)

    # What left the browser: a covered copy, never the file itself (nor its name).
    assert tab.posts_to("/submit") == ["xhr"]
    data = log.received()
    assert data[:2] == b"\xff\xd8" and data != original.read_bytes()
    assert "street-photo" not in str(log.requests)
    region = [0.2, 0.3, 0.3, 0.4]
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (900, 600)
        brightest, _mean = darkest_and_brightest(im, region)
    assert brightest <= LOSSY_NOISE
    # And what the gallery keeps.
    large = stored_large(live, title)
    assert darkest_and_brightest(large, region)[0] <= LOSSY_NOISE
    assert min(large.getpixel((800, 500))) >= BRIGHT - 10  # elsewhere, the picture
    assert live.work_titled(title).covered_regions == 0  # covered by the artist's browser
    tab.assert_clean()


def test_rectangles_come_back_when_the_form_is_sent_back(
    open_tab, live: Live, tmp_path: Path, tidy, upload_log
):
    """A form refused by the server (an address it will not take): the covered copy that
    travelled is kept, and a file chosen again finds its rectangles drawn again, so it is
    not sent uncovered by mistake."""
    title = "Covered after a correction"
    tidy.append(title)
    original = tmp_path / "march.jpg"
    bright_picture((800, 600)).save(original, "JPEG", quality=90)
    tab = open_tab(1280)
    page = tab.page
    log = upload_log
    page.goto("/submit")
    page.set_input_files("#image", str(original))
    wait_for_image(page, ".preview__img")
    drag(page, ".preview .cover-layer", (0.55, 0.15), (0.85, 0.45))
    fill_form(page, title)
    page.fill("#email", "not an address")  # the server sends the form back
    page.get_by_role("button", name="Send the work").click()
    expect(page.locator("#form-problem")).to_be_visible(timeout=30_000)
    with Image.open(io.BytesIO(log.received())) as first:  # covered on the way
        assert darkest_and_brightest(first, [0.55, 0.15, 0.3, 0.3])[0] <= LOSSY_NOISE
    page.set_input_files("#image", str(original))
    wait_for_image(page, ".preview__img")
    expect(page.locator(".preview .cover-rect")).to_have_count(1)
    page.fill("#email", "")
    page.get_by_role("button", name="Send the work").click()
    page.wait_for_url(RECEIPT_URL)
    assert log.methods().count("POST") == 2  # the file chosen again travelled again
    assert (
        darkest_and_brightest(stored_large(live, title), [0.55, 0.15, 0.3, 0.3])[0] <= LOSSY_NOISE
    )
    tab.assert_clean(allowed=("status of 400",))  # the XHR's own 400 answer


def test_without_a_rectangle_a_clean_copy_is_sent_all_the_same(
    open_tab, live: Live, tmp_path: Path, tidy, upload_log
):
    title = "Sent as a clean copy"
    tidy.append(title)
    original = tmp_path / "poster.png"
    author = PngImagePlugin.PngInfo()
    author.add_text("Author", "Lena K.")
    bright_picture((400, 300)).save(original, "PNG", pnginfo=author)
    page = open_tab(390).page
    log = upload_log
    page.goto("/submit")
    page.set_input_files("#image", str(original))
    wait_for_image(page, ".preview__img")
    drag(page, ".preview .cover-layer", (0.1, 0.1), (0.6, 0.6))
    page.locator("[data-cover-tools]").get_by_role("button", name="Clear all").click()
    expect(page.locator(".preview .cover-rect")).to_have_count(0)
    fill_form(page, title)
    page.get_by_role("button", name="Send the work").click()
    page.wait_for_url(RECEIPT_URL)
    data = log.received()
    assert b"Lena K." in original.read_bytes() and b"Lena K." not in data
    with Image.open(io.BytesIO(data)) as im:  # no transparent pixel: a JPEG
        assert (im.format, im.size) == ("JPEG", (400, 300))
        assert min(im.convert("RGB").getpixel((200, 150))) >= BRIGHT - 10  # nothing covered


def test_a_transparent_image_is_covered_as_png_in_a_plain_form_post(
    open_tab, live: Live, tmp_path: Path, tidy
):
    """The plain form post (no XHR) also carries the covered copy: PNG for a PNG."""
    title = "Covered PNG, plain post"
    tidy.append(title)
    im = bright_picture((500, 400)).convert("RGBA")
    im.putalpha(Image.linear_gradient("L").resize((500, 400)).point(lambda v: 60 + v // 2))
    original = tmp_path / "cut-out.png"
    im.save(original, "PNG")
    tab = open_tab(1280)
    page = tab.page
    page.goto("/submit")
    # Take away what submit.js needs to send in the page: the form then posts as a document.
    page.evaluate("() => { window.DOMParser = undefined; }")
    page.evaluate(RECORD_PLAIN_POST)
    page.set_input_files("#image", str(original))
    wait_for_image(page, ".preview__img")
    drag(page, ".preview .cover-layer", (0.5, 0.5), (0.95, 0.95))
    fill_form(page, title)
    page.get_by_role("button", name="Send the work").click()
    page.wait_for_url(RECEIPT_URL)
    assert tab.posts_to("/submit") == ["document"]
    posted = json.loads(page.evaluate("() => sessionStorage.getItem('postedImage')"))
    assert posted == {"name": "image.png", "type": "image/png"}
    # What reached the server: the large PNG it kept from those bytes (lossless, same size).
    work = live.work_titled(title)
    assert work.has_alpha
    with live.app.app_context():
        path = store().path(work.image_key, "large.png")
    with Image.open(path) as kept:
        crop = kept.convert("RGBA").crop((260, 210, 470, 370))
    assert [hi for _lo, hi in crop.getextrema()[:3]] == [0, 0, 0] and crop.getextrema()[3] == (
        255,
        255,
    )


def test_a_file_the_browser_cannot_show_gets_a_message_not_a_tool(
    open_tab, live: Live, tmp_path: Path
):
    unreadable = tmp_path / "photo.png"
    unreadable.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 20)
    page = open_tab(390).page
    page.goto("/submit")
    page.set_input_files("#image", str(unreadable))
    tools = page.locator("[data-cover-tools]")
    expect(tools.locator(".cover-tools__count")).to_contain_text(
        "The cover tool cannot be used for this file"
    )
    expect(tools.get_by_role("button", name="Undo last")).to_be_hidden()
    expect(page.locator(".cover-layer")).to_have_count(0)
    expect(
        page.get_by_label(
            "I ask the moderators to cover faces and other identifying details before publishing"
        )
    ).to_be_visible()


# ---------------------------------------------------------------- the moderator


def hoppers(testdata_dir: Path) -> bytes:
    with Image.open(testdata_dir / "hopper.jpg") as im:
        face = im.convert("RGB")
    canvas = Image.new("RGB", (1600, 1000), (150, 150, 150))
    for left, top, side in [(60, 80, 420), (650, 120, 300), (1100, 480, 460)]:
        canvas.paste(face.resize((side, side), Image.Resampling.LANCZOS), (left, top))
    return encode(canvas, "JPEG", quality=92)


def test_a_moderator_toggles_suggestions_draws_and_applies(
    open_tab, live: Live, testdata_dir, tidy
):
    title = "Three faces to cover"
    tidy.append(title)
    work_id = add_pending(live, title, hoppers(testdata_dir))
    tab = open_tab(1280)
    page = tab.page
    log_in(page)
    page.goto(f"/moderation/works/{work_id}")
    wait_for_image(page, ".cover-stage img")
    suggested = page.locator(".cover-stage .cover-rect--suggested")
    expect(suggested).to_have_count(3)
    expect(page.locator(".cover-outlines")).to_have_count(0)  # the script draws them now
    # Suggestions are offered, never chosen for the moderator: dashed outlines, nothing to apply.
    for i in range(3):
        expect(suggested.nth(i)).to_have_attribute("aria-pressed", "false")
    field = page.locator("textarea[name=regions]")
    boxes = live.work_titled(title).face_suggestions
    assert len(boxes) == 3 and field.input_value() == ""
    tools = page.locator("[data-cover-tools]")
    expect(tools.locator(".cover-tools__count")).to_have_text("Nothing chosen to cover.")

    suggested.nth(0).click()  # the mouse chooses the first face; the second is left
    expect(suggested.nth(0)).to_have_attribute("aria-pressed", "true")
    suggested.nth(2).focus()
    page.keyboard.press("Space")  # the keyboard too, and back, and again
    expect(suggested.nth(2)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    expect(suggested.nth(2)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(suggested.nth(2)).to_have_attribute("aria-pressed", "true")
    drag(page, ".cover-stage .cover-layer", (0.05, 0.75), (0.3, 0.95))  # a sign in the corner
    expect(tools.locator(".cover-tools__count")).to_have_text(
        "Chosen, not covered yet: 3. Nothing is covered until you press the button below."
    )
    regions = json.loads(field.input_value())
    assert regions[:2] == [boxes[0], boxes[2]] and len(regions) == 3
    drawn = regions[2]
    assert drawn[0] == pytest.approx(0.05, abs=0.01) and drawn[2] == pytest.approx(0.25, abs=0.01)

    page.get_by_role("button", name="Cover with solid black").click()
    page.wait_for_url(re.compile(rf"/moderation/works/{work_id}$"))
    expect(page.locator(".notice--success")).to_contain_text("3 regions covered")
    expect(page.locator(".cover-form__done")).to_have_text("3 regions covered")
    wait_for_image(page, ".cover-stage img")
    large = stored_large(live, title)
    for region in regions:
        assert darkest_and_brightest(large, region)[0] <= LOSSY_NOISE, region
    assert darkest_and_brightest(large, boxes[1])[1] > 60  # the face left uncovered is still there
    # The detector looked again on the covered image: only the face left uncovered remains.
    assert len(live.work_titled(title).face_suggestions) == 1
    expect(suggested).to_have_count(1)
    tab.assert_clean()


def test_a_moderator_draws_with_a_finger(browser: Any, live: Live, tidy):
    title = "Covered on a phone"
    tidy.append(title)
    work_id = add_pending(live, title, encode(bright_picture((1200, 900)), "JPEG", quality=92))
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        base_url=live.url,
        has_touch=True,
        is_mobile=True,
        locale="en-GB",
    )
    try:
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_CSP)
        tab = Tab.open(context)
        page = tab.page
        log_in(page)
        page.goto(f"/moderation/works/{work_id}")
        wait_for_image(page, ".cover-stage img")
        layer = page.locator(".cover-stage .cover-layer")
        layer.scroll_into_view_if_needed()
        box = layer.bounding_box()
        cdp = context.new_cdp_session(page)
        scrolled = page.evaluate("window.scrollY")
        at = lambda fx, fy: [
            {"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]}
        ]  # noqa: E731
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(0.3, 0.3)})
        for step in range(1, 9):
            f = 0.3 + 0.4 * step / 8
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": at(f, f)})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        expect(page.locator(".cover-stage .cover-rect")).to_have_count(1)
        assert page.evaluate("window.scrollY") == scrolled  # drawing, not scrolling the page
        ((x, y, w, h),) = json.loads(page.locator("textarea[name=regions]").input_value())
        assert (x, y, w, h) == pytest.approx((0.3, 0.3, 0.4, 0.4), abs=0.02)
        page.get_by_role("button", name="Cover with solid black").click()
        page.wait_for_url(re.compile(rf"/moderation/works/{work_id}$"))
        assert darkest_and_brightest(stored_large(live, title), [x, y, w, h])[0] <= LOSSY_NOISE
        tab.assert_clean()
    finally:
        context.close()


def test_the_artist_covers_from_the_receipt(open_tab, live: Live, tidy):
    from gallery.core.tokens import new_receipt_token, token_hash

    title = "Covered from the receipt"
    tidy.append(title)
    token = new_receipt_token()
    with live.app.app_context():
        try:
            fields = NewWork(title=title, alt_text="A bright poster", licence=Licence.CC_BY)
            create_work(
                store(),
                io.BytesIO(encode(bright_picture((1000, 700)), "JPEG")),
                fields,
                receipt_token_hash=token_hash(token),
            )
            db.session.commit()
        finally:
            db.session.remove()
    tab = open_tab(390)
    page = tab.page
    page.goto(f"/submissions/{token}")
    wait_for_image(page, ".receipt__image img")
    drag(page, ".cover-stage .cover-layer", (0.4, 0.2), (0.8, 0.6))
    page.get_by_role("button", name="Cover with solid black").click()
    page.wait_for_url(RECEIPT_URL)
    expect(page.locator(".notice--success")).to_contain_text("1 region covered")
    wait_for_image(page, ".receipt__image img")
    shown = page.evaluate("document.querySelector('.receipt__image img').currentSrc")
    response = page.request.get(shown)
    assert response.status == 200
    with Image.open(io.BytesIO(response.body())) as im:
        assert darkest_and_brightest(im, [0.4, 0.2, 0.4, 0.4])[0] <= LOSSY_NOISE
    assert live.work_titled(title).covered_regions == 1
    tab.assert_clean()


def test_a_three_image_work_is_sent_covered_approved_and_shown(
    open_tab, live: Live, tmp_path: Path, tidy, upload_log
):
    title = "Three images of one rally"
    tidy.append(title)
    paths = []
    for n in range(3):
        path = tmp_path / f"rally-{n}.jpg"
        bright_picture((600 + 100 * n, 400)).save(path, "JPEG", quality=90)
        paths.append(path)
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    page.set_input_files("#image", str(paths[0]))
    wait_for_image(page, ".preview__img")
    fill_form(page, title)
    page.locator("details.more-images > summary").click()
    for n, alt in ((1, "The second image: a crowd"), (2, "The third image: a banner")):
        page.set_input_files(f"#more-{n - 1}-image", str(paths[n]))
        page.fill(f"#more-{n - 1}-alt_text", alt)
    page.get_by_role("button", name="Send the work").click()
    page.wait_for_url(RECEIPT_URL)
    assert upload_log.methods().count("POST") == 3  # each image through tus, as its own copy
    expect(page.locator(".receipt__image img")).to_have_count(3)
    work = live.work_titled(title)
    assert [i.width for i in work.images] == [700, 800]
    second = work.images[0]

    # A moderator covers part of the second image, then approves what they saw.
    moderator = open_tab(1280)
    mod = moderator.page
    log_in(mod)
    mod.goto(f"/moderation/works/{work.id}")
    stage = f"#image-{second.id}"
    wait_for_image(mod, f"{stage} .cover-stage img")
    drag(mod, f"{stage} .cover-layer", (0.1, 0.1), (0.5, 0.5))
    mod.locator(stage).get_by_role("button", name="Cover with solid black").click()
    expect(mod.locator(".notice--success")).to_contain_text("1 region covered")
    mod.get_by_role("button", name="Approve", exact=True).first.click()
    expect(mod.locator(".notice--success").first).to_be_visible()
    work = live.work_titled(title)
    assert work.status == WorkStatus.APPROVED

    # Shown: the three images on the work's page, each with its own alt text; the second
    # one covered in what the gallery keeps.
    page.goto(f"/works/{work.public_id}")
    for alt in (
        "A poster held up in a street",
        "The second image: a crowd",
        "The third image: a banner",
    ):
        expect(page.locator(f'main img[alt="{alt}"]')).to_have_count(1)
    with live.app.app_context():
        path = store().path(work.images[0].image_key, "large.jpg")
    with Image.open(path) as kept:
        assert darkest_and_brightest(kept, [0.1, 0.1, 0.4, 0.4])[0] <= LOSSY_NOISE
    tab.assert_clean()
    moderator.assert_clean()
    with live.app.app_context():  # off the public pages again, for the other tests
        db.session.get(Work, work.id).hidden = True
        db.session.commit()
        db.session.remove()
