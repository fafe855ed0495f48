"""Sending from a phone (issue 27): the device step shrinks, turns upright and strips the
image before it travels; the image goes through tus and resumes after a cut; required
fields are checked before a byte of the image leaves; a pending work's title is fixed
from the receipt.

What "reaches the server" is read off the requests Chromium sends (the PATCH bodies to
/uploads/, put together by their Upload-Offset), not off the page's own state."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

from browser_helpers import BROWSER_MARKS, RECEIPT_URL, Live, expect, fill_form
from helpers import encode

pytestmark = BROWSER_MARKS


def gps_photo(path: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """A camera JPEG as a phone makes it: landscape pixels, red on the left half and blue on
    the right, with an Orientation tag saying "turn 90° clockwise to show" (so, shown
    upright, red is on top), a GPS position and a camera serial number."""
    width, height = size
    im = Image.new("RGB", size, (30, 60, 220))
    im.paste((220, 40, 30), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (55.0, 45.0, 21.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (37.0, 37.0, 4.0),
    }
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-0042-SECRET"
    path.write_bytes(encode(im, "JPEG", quality=80, exif=exif.tobytes()))
    return path


def test_a_phone_sends_an_upright_small_copy_without_metadata(
    open_tab, live: Live, tmp_path: Path, upload_log
):
    tab = open_tab(390, scale=3)
    page = tab.page
    log = upload_log
    page.goto("/submit")
    photo = gps_photo(tmp_path / "IMG_20260920_Paris.jpg")
    fill_form(page, photo, title="Small and clean from the phone")
    expect(page.locator("#image-check")).to_contain_text("3000 × 4000 pixels")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)

    assert "POST" in log.methods() and "PATCH" in log.methods()
    creation = next(h for m, h, _b in log.requests if m == "POST")
    assert "IMG_20260920" not in creation.get("upload-metadata", "")  # no file name travels
    sent = log.received()
    assert int(creation["upload-length"]) == len(sent)
    assert sent[:2] == b"\xff\xd8" and b"SN-0042-SECRET" not in sent and b"PhoneMaker" not in sent
    with Image.open(io.BytesIO(sent)) as im:
        assert im.format == "JPEG"
        assert im.size == (1920, 2560)  # upright, at most 2560 on the long side
        assert not im.getexif() and "exif" not in im.info
        rgb = im.convert("RGB")
        top = rgb.getpixel((960, 200))
        bottom = rgb.getpixel((960, 2360))
    assert top[0] > 150 and top[2] < 100, top  # red on top: the orientation was applied
    assert bottom[2] > 150 and bottom[0] < 100, bottom

    work = live.work_titled("Small and clean from the phone")
    assert work is not None and (work.width, work.height) == (1920, 2560)
    tab.assert_clean()


def test_a_cut_upload_resumes_where_it_stopped(open_tab, live: Live, tmp_path: Path, upload_log):
    tab = open_tab(390)
    page = tab.page
    log = upload_log
    # Noise does not compress: the device's copy is two chunks of at most 512 KiB.
    noisy = Image.effect_noise((1100, 800), 60).convert("RGB")
    path = tmp_path / "noisy.jpg"
    path.write_bytes(encode(noisy, "JPEG", quality=85))
    cut = {"done": False}

    def drop_the_second_chunk(route: Any) -> None:
        request = route.request
        if (
            request.method == "PATCH"
            and int(request.headers.get("upload-offset", "0")) > 0
            and not cut["done"]
        ):
            cut["done"] = True
            route.abort("connectionreset")  # the connection drops: it never reaches the server
            return
        route.continue_()

    page.route(re.compile(r"/uploads/"), drop_the_second_chunk)
    page.goto("/submit")
    fill_form(page, path, title="Sent through a cut")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)

    assert cut["done"]
    # One upload, never started again: after the cut, the page asked the server where it
    # stopped (HEAD), then sent from there.
    assert log.methods() == ["POST", "PATCH", "HEAD", "PATCH"]
    offsets = [int(h["upload-offset"]) for m, h, _b in log.requests if m == "PATCH"]
    assert offsets == [0, 512 * 1024]
    creation = log.requests[0][1]
    assert int(creation["upload-length"]) == len(log.received()) > 512 * 1024
    assert live.work_titled("Sent through a cut") is not None
    tab.assert_clean(allowed=("net::ERR_CONNECTION_RESET", "Failed to load resource"))


def test_a_missing_alt_text_is_reported_before_the_image_travels(
    open_tab, live: Live, tmp_path: Path, upload_log
):
    tab = open_tab(390)
    page = tab.page
    log = upload_log
    page.goto("/fr/submit")
    fill_form(page, gps_photo(tmp_path / "photo.jpg", (1200, 900)), title="Jamais envoyé")
    page.fill("#alt_text", "")
    before = live.count_works()
    page.click(".form__actions button")

    summary = page.locator("#form-check")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Votre œuvre n’a pas encore été envoyée")
    expect(page.locator("#alt_text-check-error")).to_contain_text("Décrivez ce que montre l’image.")
    assert page.locator("#alt_text").get_attribute("aria-invalid") == "true"
    # A request of our own, recorded after anything the click sent: nothing went out.
    assert page.evaluate("() => fetch('/healthz').then((r) => r.status)") == 200
    assert log.requests == []
    assert tab.posts_to("/submit") == []
    assert live.count_works() == before

    # An alt text too short is named with its numbers; once fixed, the work goes.
    page.fill("#alt_text", "Ab")
    page.click(".form__actions button")
    expect(page.locator("#alt_text-check-error")).to_contain_text("2")
    page.fill("#alt_text", "Une affiche dans une rue")
    page.click(".form__actions button")
    page.wait_for_url(re.compile(r"/fr/submissions/[A-Za-z0-9_-]{20,}$"))
    assert live.count_works() == before + 1
    tab.assert_clean()


def test_a_pending_works_title_is_fixed_from_the_receipt(open_tab, live: Live, tmp_path: Path):
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    fill_form(page, gps_photo(tmp_path / "photo.jpg", (1200, 900)), title="A tittle with a typo")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)

    page.locator("details", has=page.locator("#words-title")).locator("summary").click()
    page.fill("#words-title", "A title without a typo")
    page.locator("form", has=page.locator("#words-title")).locator('button[type="submit"]').click()
    expect(page.locator(".notice--success")).to_contain_text("Your changes are saved.")
    expect(page.locator("main")).to_contain_text("A title without a typo")
    work = live.work_titled("A title without a typo")
    assert work is not None and live.work_titled("A tittle with a typo") is None
    tab.assert_clean()
