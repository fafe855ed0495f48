"""Markdown that cannot inject script, slugs for names in any script, and day counts that
respect time zones."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from cmarkgfm import cmark
from markupsafe import Markup
from slugify import slugify as _transliterated_slug

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
    "del",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
# What slugify() makes, plus the "-2", "-3" that keep prisoner and campaign slugs unique.
SLUG_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")


# GitHub's CommonMark (cmark-gfm, through cmarkgfm): written in C to run in time linear in
# its input, whatever the input (5,000 "[" take about 1 ms; markdown-it-py took 60 to
# 150 ms, Python-Markdown 2.4 s).  Tables, ~~strike~~ and bare web addresses as links.
# Raw HTML passes through (CMARK_OPT_UNSAFE) to the depth cap and then to nh3, which keeps
# only harmless tags.
_CMARK_OPTIONS = cmark.Options.CMARK_OPT_UNSAFE | cmark.Options.CMARK_OPT_VALIDATE_UTF8
_CMARK_EXTENSIONS = ("table", "strikethrough", "autolink")
MAX_DEPTH = 20  # elements nested deeper than this lose their tags (their text stays)
_VOID = frozenset({"br", "hr", "img", "input", "wbr", "col", "area", "source"})


@lru_cache(maxsize=512)
def render_markdown(source: str | None) -> Markup:
    """Markdown to HTML with only harmless tags, attributes and link schemes left, and no
    element nested more than MAX_DEPTH deep ("> " 2,500 times is text in 20 quotes, not a
    tower of 2,500 a browser must lay out).  About a millisecond for the worst 5,000
    characters; an artist's description is still rendered once, when it is saved
    (Work.description_html), never while a page is drawn."""
    if not source:
        return Markup("")
    source = _NONCHARACTER_REFERENCE.sub(_reference, source)
    html = cmark.markdown_to_html_with_extensions(
        source, options=_CMARK_OPTIONS, extensions=list(_CMARK_EXTENSIONS)
    ).strip()
    clean = nh3.clean(
        _Flattened(html).html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


class _Flattened(HTMLParser):
    """The HTML again, without the start and end tags of elements deeper than MAX_DEPTH.
    What comes out still goes through nh3: this only counts and escapes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []
        self.feed(html)
        self.close()
        self.html = "".join(self.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.parts.append(self._tag(tag, attrs))
            return
        self.depth += 1
        if self.depth <= MAX_DEPTH:
            self.parts.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID or self.depth < MAX_DEPTH:
            self.parts.append(self._tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if 0 < self.depth <= MAX_DEPTH:
            self.parts.append(f"</{tag}>")
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        self.parts.append(escape(data, quote=False))

    @staticmethod
    def _tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        rendered = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs)
        return f"<{tag}{rendered}>"


# Unicode's 66 non-characters (U+FDD0-U+FDEF, and the last two code points of each of the
# 17 planes, U+FFFE, U+FFFF, U+1FFFE...): never text, and U+FFFE and U+FFFF are not allowed
# in XML at all (one in a title made every feed unreadable).
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
# Characters no one types on purpose, which can hide or reverse what a text says: C0
# controls but tab and newline, DEL and C1 controls; bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069: a title that reads backwards); zero-width
# spaces, word joiners and byte-order marks; non-characters.  Zero-width (non-)joiners
# (U+200C, U+200D) stay: Persian, Indic scripts and emoji sequences need them.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
    "\u200b\u2060\u2061-\u2064\ufeff\u180e" + NONCHARACTERS + "]"
)
# A numeric character reference to a non-character, in any spelling (&#xFFFF;, &#65535;,
# &#X0000fffe;): cmark-gfm writes U+FFFE and U+FFFF out as bytes its Python binding
# cannot decode (a 500 on every page showing the text), so they become U+FFFD, as cmark
# itself does for a reference to no character at all (&#0;, &#xD800;).  Longer numbers
# are past U+10FFFF, which cmark already turns into U+FFFD.
_NONCHARACTER_REFERENCE = re.compile("&#(?:[xX]0*(?P<hex>[0-9a-fA-F]{1,6})|0*(?P<dec>[0-9]{1,7}));")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _reference(match: re.Match[str]) -> str:
    code = int(match["hex"], 16) if match["hex"] else int(match["dec"])
    return "\ufffd" if _is_noncharacter(code) and code <= 0x10FFFF else match[0]


# What XML 1.0 allows (https://www.w3.org/TR/xml/#charsets); anything else makes a feed
# or a sitemap unreadable as a whole.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """text without the characters XML 1.0 forbids (controls, surrogates, U+FFFE, U+FFFF)."""
    return _NOT_XML.sub("", text)


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
