"""A work's page in a real browser (issue 25): the image opens large in a dialog that has a
name, Esc closes it and gives the focus back to the image's link; without JavaScript the
image is a plain link to the large rendition; previous and next follow the list the
visitor came from (here the demo prisoner's works, from his profile)."""

from __future__ import annotations

from browser_helpers import BROWSER_MARKS, expect, wait_for_image

pytestmark = BROWSER_MARKS

PROFILE = "/prisoners/azat-miftakhov"


def first_work_from_profile(page) -> str:
    page.goto(PROFILE)
    link = page.locator("section[aria-labelledby=works] a.card__link").first
    href = link.get_attribute("href")
    assert href is not None and "from=prisoner" in href
    link.click()
    page.wait_for_url("**/works/**")
    return page.locator("h1").inner_text()


def test_the_image_opens_in_a_dialog_that_esc_closes(open_tab):
    tab = open_tab(1280)
    page = tab.page
    first_work_from_profile(page)
    title = page.locator("h1 > span").first.inner_text()
    zoom = page.locator("a.work__zoom").first
    dialog = page.get_by_role("dialog", name=title)
    expect(dialog).to_be_hidden()
    zoom.click()
    expect(dialog).to_be_visible()
    assert page.url.count("/media/") == 0  # the link did not navigate
    wait_for_image(page, "#work-zoom img")
    large = page.eval_on_selector("#work-zoom img", "img => [img.src, img.alt]")
    shown = page.eval_on_selector(".work__figure img", "img => img.alt")
    assert large == [page.eval_on_selector("a.work__zoom", "a => a.href"), shown] and shown
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(zoom).to_be_focused()
    # By keyboard alone: Enter on the focused link opens it again; the Close button closes.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # the Close button has the focus
    expect(dialog).to_be_hidden()
    expect(zoom).to_be_focused()
    tab.assert_clean()


def test_without_javascript_the_image_is_a_link_to_the_large_one(open_tab):
    tab = open_tab(390, javascript=False)
    page = tab.page
    first_work_from_profile(page)
    page.locator("a.work__zoom").first.click()
    page.wait_for_url("**/media/**")
    assert page.evaluate("document.contentType").startswith("image/")


def test_next_and_previous_follow_the_profiles_list(open_tab):
    tab = open_tab(390)
    page = tab.page
    first = first_work_from_profile(page)
    expect(page.locator("a[rel=prev]")).to_have_count(0)  # the newest of his works
    page.locator("a[rel=next]").click()
    page.wait_for_function("t => document.querySelector('h1').innerText !== t", arg=first)
    second = page.locator("h1").inner_text()
    assert second != first and "from=prisoner" in page.url
    page.locator("a[rel=prev]").click()
    page.wait_for_function("t => document.querySelector('h1').innerText === t", arg=first)
    page.get_by_role("link", name="Back to the list").click()
    page.wait_for_url("**/works?prisoner=azat-miftakhov")
    tab.assert_clean()
