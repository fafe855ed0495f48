"""Typography in a real browser (issue 23): on a phone, no line of a Russian page starts
with a dash. The lines are measured where the browser laid them out (a Range's client
rectangles over the text nodes), not guessed from the HTML."""

from __future__ import annotations

import pytest

from browser_helpers import BROWSER_MARKS, Live

pytestmark = BROWSER_MARKS

PAGES = [
    "/ru/",
    "/ru/works/{work}",
    "/ru/prisoners/azat-miftakhov",
    "/ru/campaigns/art-protest-paris-2025",
    "/ru/submit",
    "/ru/prisoners",
    "/ru/works",
]

# Every dash (em or en) of the visible text that follows another character of the same
# block: where it is, and whether it starts a line (its box is below the character before).
DASHES_JS = """() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "OPTION", "SELECT"]);
  const blockOf = (element) => {
    while (element && getComputedStyle(element).display.startsWith("inline")) element = element.parentElement;
    return element;
  };
  const box = (node, i) => {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const rects = range.getClientRects();
    return rects.length && rects[0].width > 0 ? rects[0] : null;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => skip.has(node.parentElement.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const dashes = [];
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (/\\s/.test(c)) continue;  // spaces, no-break ones too
      if ((c === "\\u2014" || c === "\\u2013") && last) {
        const here = box(node, i), before = box(last[0], last[1]);
        if (here && before && blockOf(node.parentElement) === blockOf(last[0].parentElement)) {
          const context = (last[0] === node ? "" : last[0].data.slice(-30)) + text.slice(0, i + 30);
          dashes.push({starts: here.top >= before.bottom - 1, context: context.replace(/\\s+/g, " ")});
        }
      }
      last = [node, i];
    }
  }
  return dashes;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_no_russian_line_starts_with_a_dash_on_a_phone(open_tab, live: Live, path):
    tab = open_tab(390)
    page = tab.page
    response = page.goto(path.format(work=live.work_id))
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "ru"
    dashes = page.evaluate(DASHES_JS)
    assert [d["context"] for d in dashes if d["starts"]] == []


def test_the_pages_have_dashes_to_measure(open_tab, live: Live):
    # The test above measures something: the Russian pages have dashes inside their lines,
    # on the profile and the campaign above all (their texts, the counter, the notes).
    tab = open_tab(390)
    counted = {}
    for path in PAGES:
        tab.page.goto(path.format(work=live.work_id))
        counted[path] = len(tab.page.evaluate(DASHES_JS))
    assert sum(counted.values()) >= 10, counted
    assert counted["/ru/submit"] >= 1, counted
