"""Markdown that cannot inject script, slugs for names in any script, and day counts that
respect time zones."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from slugify import slugify as _transliterated_slug

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li",
    "ol", "p", "pre", "strong", "ul", "del", "sup", "sub", "table", "thead",
    "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
# What slugify() makes, plus the "-2", "-3" that keep prisoner and campaign slugs unique.
SLUG_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")


# CommonMark (markdown-it-py: no recursion, so "- - - …" cannot exhaust the stack as it
# did with Python-Markdown), tables and ~~strike~~, nesting capped: lists and quotes
# deeper than this stay text.  Raw HTML passes to nh3, which keeps only harmless tags.
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "maxNesting": 20}).enable(["table", "strikethrough"])


@lru_cache(maxsize=512)
def render_markdown(source: str | None) -> Markup:
    """Markdown to HTML with only harmless tags, attributes and link schemes left.

    Worst cases cost tens of milliseconds (5,000 "[" about 90 ms): an artist's
    description is rendered once, when it is saved (Work.description_html), never while a
    page is drawn."""
    if not source:
        return Markup("")
    html = _MARKDOWN.render(source).strip()
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


# Characters no one types on purpose, which can hide or reverse what a text says: C0
# controls but tab and newline, DEL and C1 controls; bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069: a title that reads backwards); zero-width
# spaces, word joiners and byte-order marks.  Zero-width (non-)joiners (U+200C, U+200D)
# stay: Persian, Indic scripts and emoji sequences need them.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
    "\u200b\u2060\u2061-\u2064\ufeff\u180e]"
)


def clean_text(value: object) -> object:
    """A typed text in NFC, line ends as \\n, without hidden controls (anything else is
    returned as it is): every form field passes through it (web/forms.py GalleryForm)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _HIDDEN.sub("", unicodedata.normalize("NFC", value))


def slugify(text: str, *, max_length: int = 60) -> str:
    """A lower-case ASCII slug, transliterated from any script ("" if nothing is left).

    "Азат Мифтахов" gives "azat-miftakhov", "Café" gives "cafe", "中文" gives "zhong-wen";
    only a text without any letter or digit ("✊", "!!!") gives "". python-slugify does
    the work (NFKC, text-unidecode's transliteration, then [a-z0-9-] only), so the same
    name always gives the same slug, on every machine."""
    return _transliterated_slug(text, max_length=max_length, word_boundary=True)


def is_slug(value: str, *, max_length: int = 80) -> bool:
    """True for a string slugify() could have made (checked before any lookup)."""
    return 0 < len(value) <= max_length and SLUG_RE.match(value) is not None


def today_in(timezone: str | None, now: datetime | None = None) -> date:
    """The calendar date right now in the given zone (UTC if the zone is unknown)."""
    moment = now or datetime.now(UTC)
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return moment.astimezone(zone).date()


def days_between(start: date, end: date) -> int:
    """Whole days from start to end (0 on the day itself; never negative)."""
    return max((end - start).days, 0)
