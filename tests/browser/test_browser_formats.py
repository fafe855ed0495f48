"""Phones' formats in a real browser: the submit form takes HEIC and AVIF, whatever type the
browser gives the file; a file it can decode travels as the device step's clean copy, and a
file it cannot (Chromium has no HEIC decoder) is sent as it is, with a word saying so, never
in the success colour. The live server and tabs are conftest.py's."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from browser_helpers import (
    BROWSER_MARKS,
    RECEIPT_URL,
    Live,
    expect,
    fill_form,
    wait_for_image,
)
from helpers import encode

pytestmark = BROWSER_MARKS

NO_PREVIEW = (
    "Your browser cannot open this image, so it cannot be made smaller or covered on your "
    "device. It will be sent as it is, and our server will remove its hidden data (GPS "
    "position, camera details, file name) when it arrives."
)


def picture() -> Image.Image:
    im = Image.new("RGB", (96, 64), "white")
    im.paste((220, 30, 30), (0, 0, 48, 32))
    return im


def upload(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def test_the_file_field_names_the_phone_formats(open_tab):
    page = open_tab(390).page
    page.goto("/submit")
    accept = page.locator("#image").get_attribute("accept").split(",")
    assert {"image/heic", "image/heif", "image/avif", ".heic", ".avif"} <= set(accept)
    expect(page.locator("#image-hint")).to_contain_text("JPEG, PNG, GIF, WebP, HEIC or AVIF")


@pytest.mark.parametrize("mime", ["image/heic", "application/octet-stream", ""])
def test_a_heic_the_browser_cannot_preview_is_still_sent(
    open_tab, live: Live, mime: str, upload_log
):
    tab = open_tab(390)
    page = tab.page
    log = upload_log
    page.goto("/submit")
    title = f"A phone photo sent as {mime or 'no type'}"
    fill_form(page, None, title=title)
    heic = encode(picture(), "HEIF")
    page.set_input_files("#image", upload("IMG_0451.HEIC", mime, heic))
    check = page.locator("#image-check")
    expect(check).to_have_text(NO_PREVIEW)
    expect(check).to_have_class(re.compile("file-check--note"))
    expect(check).not_to_have_class(re.compile("file-check--(bad|ok)"))
    assert check.evaluate("(el) => getComputedStyle(el).color") != "rgb(31, 91, 43)"
    expect(page.locator(".preview")).to_be_hidden()
    before = live.count_works()
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)
    expect(page.locator(".receipt__status")).to_contain_text("Waiting for review")
    wait_for_image(page, ".receipt__image img")  # the cleaned copy, a WebP or JPEG it can show
    assert log.received() == heic  # sent as it is, and cleaned by the server
    work = live.work_titled(title)
    assert work is not None and (work.image_format, work.width, work.height) == ("HEIF", 96, 64)
    assert live.count_works() == before + 1
    tab.assert_clean()


def test_an_avif_is_previewed_and_sent_as_a_clean_copy(open_tab, live: Live, upload_log):
    tab = open_tab(1280)
    page = tab.page
    log = upload_log
    page.goto("/submit")
    page.set_input_files("#image", upload("poster.avif", "image/avif", encode(picture(), "AVIF")))
    wait_for_image(page, ".preview__img")
    expect(page.locator("#image-check")).to_contain_text("96 × 64 pixels")
    fill_form(page, None, title="An AVIF poster")
    page.click(".form__actions button")
    page.wait_for_url(RECEIPT_URL)
    assert log.received()[:2] == b"\xff\xd8"  # the device step's JPEG
    work = live.work_titled("An AVIF poster")
    assert work is not None and (work.image_format, work.width, work.height) == ("JPEG", 96, 64)
    tab.assert_clean()


def test_an_unknown_type_with_an_unknown_ending_is_still_refused(open_tab, live: Live):
    tab = open_tab(390)
    page = tab.page
    page.goto("/submit")
    page.set_input_files("#image", upload("archive.bin", "application/octet-stream", b"\0" * 64))
    check = page.locator("#image-check")
    expect(check).to_contain_text("not a JPEG, PNG, GIF, WebP, HEIC or AVIF image")
    expect(check).to_have_class(re.compile("file-check--bad"))
    tab.assert_clean()
