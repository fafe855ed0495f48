"""Markdown sanitising and day counting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from gallery.core.text import days_between, render_markdown, today_in


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        '<a href="javascript&#58;alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<form action=https://evil.example><input name=q></form>",
        '<div onclick="alert(1)">hi</div>',
    ],
)
def test_markdown_cannot_carry_script(source: str) -> None:
    """What the browser would build from the HTML: no active element, no event handler, no
    style, no link or image to a script or data address (raw HTML is shown as text)."""
    found = Elements(str(render_markdown(source)))
    assert not {"script", "iframe", "svg", "form", "input", "img", "object", "embed"} & found.tags
    for tag, name, value in found.attributes:
        assert not name.startswith("on") and name != "style", (tag, name)
        if name in ("href", "src"):
            assert value.lower().strip().startswith(("http:", "https:", "mailto:")), (tag, value)


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []
        self.depth = self.deepest = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag not in ("br", "hr", "img", "input"):
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "hr", "img", "input"):
            self.depth -= 1


@pytest.mark.parametrize(
    "source",
    [
        "- " * 2500,
        "> " * 2500,
        "[" * 5000,
        "![" * 2500,
        "*a " * 1600,
        "1. " * 1600,
        "[[" * 2500 + "]]" * 2500,
        "|a" * 2500 + "\n" + "|-" * 2500,
        "> - " * 1250,
        "<blockquote>" * 2500 + "x",
        "*_" * 2500,
    ],
)
def test_hostile_markdown_is_rendered_not_crashed(source: str) -> None:
    """Python-Markdown recursed once per "- " and died of RecursionError (a 500)."""
    html = str(render_markdown(source))
    assert html.startswith("<")
    assert Elements(html).deepest <= 21  # nesting capped at 20: no tower of 2,500 lists


def test_markdown_keeps_ordinary_formatting() -> None:
    html = str(render_markdown("**bold** and [a link](https://example.org)\n\n- one\n- two"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "<li>one</li>" in html


def test_markdown_tables_strike_and_bare_addresses() -> None:
    html = str(
        render_markdown("~~gone~~ see https://example.org/a\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    )
    assert "<del>gone</del>" in html
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer">' in html
    assert "<td>1</td>" in html


def test_markdown_text_that_looks_like_html_stays_text() -> None:
    """Entities are read and written back escaped: the depth cap must not turn them into tags."""
    html = str(render_markdown("&lt;script&gt;alert(1)&lt;/script&gt; a < b & c"))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; a &lt; b &amp; c</p>"


def test_deep_nesting_keeps_the_text() -> None:
    html = str(render_markdown("> " * 30 + "deep words"))
    assert Elements(html).deepest == 20
    assert "deep words" in html


def test_markdown_empty() -> None:
    assert str(render_markdown(None)) == ""
    assert str(render_markdown("")) == ""


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2019, 2, 1), date(2019, 2, 1), 0),
        (date(2019, 2, 1), date(2019, 2, 2), 1),
        (date(2020, 2, 28), date(2020, 3, 1), 2),  # 2020 is a leap year
        (date(2019, 2, 28), date(2019, 3, 1), 1),
        (date(2019, 2, 1), date(2025, 9, 20), 2423),
        (date(2000, 1, 1), date(2001, 1, 1), 366),  # 2000 is a leap year (divisible by 400)
        (date(1900, 1, 1), date(1901, 1, 1), 365),  # 1900 is not
        (date(2025, 1, 2), date(2025, 1, 1), 0),  # never negative
    ],
)
def test_days_between(start: date, end: date, days: int) -> None:
    assert days_between(start, end) == days


def test_today_depends_on_the_prisoners_time_zone() -> None:
    # 22:30 UTC on 31 December is already 1 January in Moscow (UTC+3), not in New York.
    moment = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    assert today_in("Europe/Moscow", moment) == date(2026, 1, 1)
    assert today_in("UTC", moment) == date(2025, 12, 31)
    assert today_in("America/New_York", moment) == date(2025, 12, 31)
    assert today_in("Not/AZone", moment) == date(2025, 12, 31)
    assert today_in(None, moment) == date(2025, 12, 31)
