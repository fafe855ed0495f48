"""The rally slideshow in a real browser (issue 13): it advances by itself and by keyboard,
keeps going when the network drops, draws no transition for those who asked for less
motion, and its QR code reads back as the work's address. The live server (with the demo
campaign) and the tabs are conftest.py's."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from browser_helpers import BROWSER_MARKS, Live, Tab, expect, new_context

pytestmark = BROWSER_MARKS

SHOW = "/fr/campaigns/art-protest-paris-2025/show"


def current(page) -> str:
    return page.eval_on_selector(".slide.is-current", "e => e.id")


def test_the_show_advances_by_itself_and_by_keyboard(open_tab):
    tab = open_tab(1280)
    page = tab.page
    page.clock.install()  # the page's timers run on a clock the test moves
    page.goto(f"{SHOW}?interval=3")
    expect(page.locator("#slide-1")).to_have_class("slide is-current")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#slide-2")).to_have_class("slide is-current")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#slide-1")).to_have_class("slide is-current")
    page.clock.run_for(2_900)
    assert current(page) == "slide-1"
    page.clock.run_for(200)  # three seconds after the last move: by itself
    expect(page.locator("#slide-2")).to_have_class("slide is-current")
    # Space pauses: the slide stays for a minute.
    page.keyboard.press(" ")
    expect(page.locator('[data-action="pause"]')).to_have_attribute("aria-pressed", "true")
    page.clock.run_for(60_000)
    assert current(page) == "slide-2"
    assert page.locator(".slide:not(.is-current)").first.get_attribute("aria-hidden") == "true"
    page.keyboard.press(" ")
    page.clock.run_for(3_100)
    assert current(page) == "slide-3"
    tab.assert_clean()


def test_reduced_motion_means_no_fade(browser, live: Live):
    context = new_context(browser, live)
    try:
        tab = Tab.open(context)
        tab.page.emulate_media(reduced_motion="reduce")
        tab.page.goto(SHOW)
        tab.page.wait_for_selector(".show--fading", state="attached")
        duration = tab.page.eval_on_selector(
            ".slide.is-current", "e => getComputedStyle(e).transitionDuration"
        )
        assert duration == "0s"
        tab.page.emulate_media(reduced_motion="no-preference")
        duration = tab.page.eval_on_selector(
            ".slide.is-current", "e => getComputedStyle(e).transitionDuration"
        )
        assert duration != "0s"
    finally:
        context.close()


def test_the_show_goes_on_when_the_network_drops(open_tab):
    tab = open_tab(1280)
    page = tab.page
    page.goto(f"{SHOW}?interval=3")
    # The next two slides' images are fetched ahead.
    page.wait_for_function("""() => [1, 2, 3].every(n => {
        const i = document.querySelector('#slide-' + n + ' img'); return i.complete && i.naturalWidth > 0; })""")
    page.context.set_offline(True)
    try:
        for expected in ("slide-2", "slide-3"):
            page.keyboard.press("ArrowRight")
            expect(page.locator(f"#{expected}")).to_have_class("slide is-current")
            assert page.eval_on_selector(f"#{expected} img", "i => i.naturalWidth") > 0
    finally:
        page.context.set_offline(False)


def test_the_qr_code_reads_back_as_the_works_address(open_tab, live: Live):
    tab = open_tab(1280)
    page = tab.page
    page.goto(SHOW)
    href = page.get_attribute("#slide-1 .slide__qr", "href")
    shot = page.locator("#slide-1 .slide__qr svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)).convert("L"))
    assert [code.text for code in found] == [href + "?src=qr"]  # a visit from the screen
    assert href.startswith(live.url + "/fr/works/")


def test_without_javascript_the_slides_are_a_column_that_refreshes(open_tab):
    tab = open_tab(1280, javascript=False)
    page = tab.page
    page.goto(f"{SHOW}?interval=7")
    assert page.locator(".show__controls").is_hidden()
    first, second = page.locator("#slide-1").bounding_box(), page.locator("#slide-2").bounding_box()
    assert first["height"] == 900 and second["y"] == first["y"] + 900  # one screen each
    refresh = page.locator('meta[http-equiv="refresh"]')
    assert refresh.get_attribute("content") == f"7; url={SHOW}?interval=7&start=1"
