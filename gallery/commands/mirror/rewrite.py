"""The rewriting of export-static: every link of a copied page (href, src, srcset, action,
poster, data-*, a refresh) or stylesheet (`url()`, `@import`) made relative to the copy, or
aimed at the primary site; the notice at the top of each page; the language chooser."""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .files import Target

TAG = re.compile(r"<[a-zA-Z][^<>]*>")
ATTRIBUTE = re.compile(r"""(\s)([a-zA-Z][\w:.-]*)(\s*=\s*)(?:"([^"]*)"|'([^']*)')""")
MAIN_OPEN = re.compile(r"<main\b[^>]*>")
BODY_OPEN = re.compile(r"<body\b[^>]*>")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
# <meta http-equiv="refresh" content="12;url=/fr/show?start=1"> (the slideshow without script)
REFRESH_TAG = re.compile(r"""http-equiv\s*=\s*["']?refresh""", re.IGNORECASE)
REFRESH = re.compile(r"(\s*\d+\s*[;,]\s*url\s*=\s*)(\S.*?)\s*\Z", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "poster"}
SRCSET_ATTRIBUTES = {"srcset", "imagesrcset"}


def _language_of(path: str, languages: tuple[str, ...]) -> str | None:
    first = path.lstrip("/").partition("/")[0]
    return first if first in languages else None


class Rewriter:
    """The rewriting half of an export, mixed into the crawl: it uses the crawl's
    addresses (public_url, netloc, languages, default_language, app) and its
    _resolve_once and _enqueue."""

    def _relative(self, target: Target, here: str, fragment: str) -> str:
        start = posixpath.dirname(here) or "."
        link = quote(posixpath.relpath(target.file, start), safe="/-._~")
        return link + (f"#{fragment}" if fragment else "")

    def _link(self, raw: str, page: Target, lang: str | None, *, form: bool = False) -> str:
        """What a link of an exported file becomes: relative to a copied file, absolute on
        PUBLIC_URL for what needs the server, or left as it was (other sites, mailto:)."""
        value = html.unescape(raw)
        if not value or value.startswith(("#", "data:", "mailto:", "tel:")):
            return raw
        if urlsplit(value).scheme or value.startswith("//"):
            return raw  # canonical, hreflang, og: name the primary site on purpose
        base = self.public_url + page.url
        parts = urlsplit(urljoin(base, value))
        target = self._resolve_once(value, base, lang)
        if form and target is not None and not target.search:
            target = None  # a form the server answers (the search is in the copy)
        if target is not None:
            target = self._enqueue(target, page.url) or target
            if not target.search:
                return self._relative(target, page.file, parts.fragment)
            # The copy's search page, with the words the link searched for.
            words = [(k, v) for k, v in parse_qsl(parts.query) if k == "q"][:1]
            link = self._relative(target, page.file, "")
            return link + ("?" + html.escape(urlencode(words)) if words else "")
        if parts.netloc != self.netloc:
            return raw
        return html.escape(parts.geturl())  # a server page: its address on the primary site

    # ---- rewriting what was fetched ----

    def _page(self, target: Target, text: str) -> str:
        lang = _language_of(target.path, self.languages) or self.default_language

        def attribute(match: re.Match[str], tag: str, refresh: bool) -> str:
            space, name, equals, double, single = match.groups()
            value, quote_char = (double, '"') if double is not None else (single, "'")
            lower = name.lower()
            if lower in SRCSET_ATTRIBUTES:
                value = self._srcset(value, target, lang)
            elif refresh and lower == "content" and (moved := REFRESH.match(value)):
                value = moved.group(1) + self._link(moved.group(2), target, lang)
            elif lower in URL_ATTRIBUTES or (lower.startswith("data-") and value.startswith("/")):
                value = self._link(value, target, lang, form=(tag == "form" and lower == "action"))
            return f"{space}{name}{equals}{quote_char}{value}{quote_char}"

        def tag(match: re.Match[str]) -> str:
            text = match.group(0)
            name = re.match(r"<([a-zA-Z][\w-]*)", text).group(1).lower()  # type: ignore[union-attr]
            refresh = name == "meta" and REFRESH_TAG.search(text) is not None
            return ATTRIBUTE.sub(lambda m: attribute(m, name, refresh), text)

        text = TAG.sub(tag, text)
        where = MAIN_OPEN.search(text) or BODY_OPEN.search(text)
        if where is None:
            return text
        return text[: where.end()] + self._note(lang, target) + text[where.end() :]

    def _srcset(self, value: str, page: Target, lang: str) -> str:
        out = []
        for candidate in html.unescape(value).split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            if url:
                link = html.unescape(self._link(html.escape(url), page, lang))
                out.append(f"{link} {descriptor.strip()}".strip())
        return html.escape(", ".join(out))

    def _stylesheet(self, target: Target, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            raw = match.group(2) if match.group(2) is not None else match.group(4)
            link = html.unescape(self._link(html.escape(raw.strip()), target, None))
            if link == raw.strip():
                return match.group(0)
            if match.group(4) is not None:
                return f'@import "{link}"'
            return f'url("{link}")'

        return CSS_URL.sub(replace, text)

    def _note(self, lang: str, page: Target | None) -> str:
        """The notice at the top of each page: this is a copy, forms lead to the gallery."""
        onion = self.app.config["ONION_URL"]
        with force_locale(lang):
            if onion:
                text = _(
                    "This is a copy of the gallery. Its search works here; forms (sending a "
                    "work, reporting a work) open the gallery's own site at %(url)s, or at "
                    "%(onion)s over Tor."
                )
            else:
                text = _(
                    "This is a copy of the gallery. Its search works here; forms (sending a "
                    "work, reporting a work) open the gallery's own site at %(url)s."
                )
        link = Markup('<a href="%s">%s</a>')
        here = page.url if page is not None else "/"
        values = {"url": link % (self.public_url + here, self.public_url)}
        if onion:
            values["onion"] = link % (onion.rstrip("/") + here, onion.rstrip("/"))
        return str(
            Markup('<div class="wrap"><p class="notice notice--mirror" role="note">%s</p></div>')
            % (escape(text) % values)
        )

    def _language_chooser(self) -> str:
        """DEST/index.html: sends to the English home page; names the others in their own words."""
        with force_locale(self.default_language):
            title = _("Art Protest")
        items = "".join(
            Markup('<li><a href="%s/index.html" lang="%s" hreflang="%s">%s</a></li>')
            % (code, code, code, Locale.parse(code).get_display_name(code).capitalize())
            for code in self.languages
        )
        return str(
            Markup(
                '<!doctype html>\n<html lang="%s">\n<head>\n<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                '<meta http-equiv="refresh" content="0; url=%s/index.html">\n<title>%s</title>\n'
                '<link rel="stylesheet" href="static/css/gallery.css">\n</head>\n<body>\n'
                '<main class="wrap section">\n%s<h1>%s</h1>\n<ul>%s</ul>\n</main>\n</body>\n</html>\n'
            )
            % (
                self.default_language,
                self.default_language,
                title,
                Markup(self._note(self.default_language, None)),
                title,
                Markup(items),
            )
        )
