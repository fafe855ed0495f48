"""The words of the print PDFs: paragraph styles at a scale, escaping for reportlab's
paragraph markup, what a wall label and a flyer say (in the reader's language, with the
pages' own phrases and date formats), and a profile's Markdown as paragraphs.

The Markdown goes through the same sanitiser as the pages (text.render_markdown) and is
then read back as blocks: paragraphs, list items with their bullets or numbers, headings;
bold, italics and struck text are kept, and a link's address is printed after its text
(paper has no links)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.sax.saxutils import escape

from flask_babel import format_decimal, get_locale, get_translations
from flask_babel import gettext as _
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from ..core.text import render_markdown
from ..core.typography import NBSP, NNBSP, language, typeset
from ..models import PrisonerStatus, labels
from ..models.labels import dateformat
from .sheets import PrisonerSheet, Standing, WorkSheet

# French "1er", "1re" (premier, première), set as print sets them: "1<super>er</super>".
_FIRST = re.compile(r"(?<![\w.,/=?#&-])1(er|re)\b")


def printed(text: str, *, folded: bool = True) -> str:
    """A plain text with the no-break spaces of the reader's language (typography.py),
    escaped for reportlab's paragraph markup.

    ReportLab breaks a line at U+202F (it is in paragraph._wsc, its list of white space;
    U+00A0 is not): the narrow no-break space is printed as U+00A0, a little wider, so
    that « never ends a line and » never starts one.

    `folded`: its newlines are spaces, as in any paragraph (an address keeps its lines)."""
    locale = get_locale()
    markup = escape(typeset(text, locale, folded=folded).replace(NNBSP, NBSP))
    if language(locale) == "fr":
        markup = _FIRST.sub(r"1<super>\1</super>", markup)
    return markup


x = printed  # the short name the layouts use


class Styles:
    """The paragraph styles of a document, every size multiplied by `scale`."""

    def __init__(self, regular: str, bold: str, scale: float = 1.0):
        def style(
            name: str, size: float, font: str = regular, after: float = 0.25, **kw: object
        ) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=font,
                bulletFontName=regular,
                fontSize=size * scale,
                leading=size * scale * 1.25,
                spaceAfter=size * scale * after,
                **kw,
            )

        self.headline = style("headline", 22, bold, 0.15)
        self.subtitle = style("subtitle", 13, after=0.6)
        self.title = style("title", 14, bold, 0.3)
        self.heading = style("heading", 12, bold, 0.4, spaceBefore=4 * scale)
        self.lead = style("lead", 10.5)
        self.body = style("body", 8.5)
        self.strong = style("strong", 8.5, bold)
        self.caption = style("caption", 7.5, bold, 0.1, spaceBefore=2 * scale)
        self.small = style("small", 6.5, spaceBefore=2 * scale)
        self.item = style("item", 8.5, leftIndent=10 * scale, bulletIndent=2 * scale)


# Sanitised HTML tags (text.ALLOWED_TAGS) and what reportlab calls them.
_INLINE = {"strong": "b", "em": "i", "del": "strike", "sup": "super", "sub": "sub"}
_BLOCKS = {"p", "li", "h2", "h3", "h4", "blockquote", "pre", "tr", "hr"}


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str | None]] = []  # (kind, markup, bullet)
        self.parts: list[str] = []
        self.open: list[str] = []  # inline tags open, to close and reopen across blocks
        self.lists: list[int | None] = []  # a counter per <ol>, None per <ul>
        self.kind, self.bullet = "p", None
        self.link: tuple[str, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self.flush()
            self.lists.append(0 if tag == "ol" else None)
        elif tag in _BLOCKS:
            self.flush()
            self.kind = (
                "h" if tag.startswith("h") and tag != "hr" else ("li" if tag == "li" else "p")
            )
            if tag == "li":
                counter = self.lists[-1] if self.lists else None
                if counter is None:
                    self.bullet = "•"
                else:
                    self.lists[-1] = counter + 1
                    self.bullet = f"{counter + 1}."
        elif tag in _INLINE:
            self.open.append(_INLINE[tag])
            self.parts.append(f"<{_INLINE[tag]}>")
        elif tag == "br":
            self.parts.append("<br/>")
        elif tag in ("td", "th") and self.parts:
            self.parts.append(" · ")
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS:
            self.flush()
        elif tag in _INLINE and _INLINE[tag] in self.open:
            name = _INLINE[tag]
            self.open.remove(name)
            self.parts.append(f"</{name}>")
        elif tag == "a" and self.link:
            href, start = self.link
            shown = href.removeprefix("mailto:")
            if shown and escape(shown) not in "".join(self.parts[start:]):
                self.parts.append(f" ({escape(shown)})")
            self.link = None

    def handle_data(self, data: str) -> None:
        self.parts.append(printed(data))

    def flush(self) -> None:
        closing = "".join(f"</{name}>" for name in reversed(self.open))
        markup = ("".join(self.parts) + closing).strip()
        if markup.replace("<br/>", "").strip():
            self.found.append((self.kind, markup, self.bullet))
        self.parts = [f"<{name}>" for name in self.open]
        self.kind, self.bullet = "p", None


def blocks(markdown: str | None, styles: Styles) -> list[Flowable]:
    """A Markdown text as paragraphs in the given styles."""
    if not markdown:
        return []
    parser = _Blocks()
    parser.feed(str(render_markdown(markdown)))
    parser.close()
    parser.flush()
    style = {"h": styles.heading, "li": styles.item, "p": styles.body}
    return [
        Paragraph(markup, style[kind], bulletText=bullet) for kind, markup, bullet in parser.found
    ]


def label_story(sheet: WorkSheet, styles: Styles) -> list[Flowable]:
    """The wall label's paragraphs: title, artist, licence, permission, prisoners, date."""
    story: list[Flowable] = [
        Paragraph(x(sheet.title), styles.title),
        Paragraph(x(_("by %(name)s", name=sheet.artist or _("Anonymous"))), styles.body),
        Paragraph(x(_("Licence: %(name)s", name=labels.licence_name(sheet.licence))), styles.body),
    ]
    if sheet.by_leave:
        # Only the artist can allow a reproduction: the moderators record their permission.
        story.append(
            Paragraph(
                x(_("Printed with the artist’s permission; all rights reserved.")), styles.strong
            )
        )
    if sheet.prisoners:
        story.append(Paragraph(x(_("In solidarity with")), styles.caption))
        story += [Paragraph(x(standing_line(p)), styles.body) for p in sheet.prisoners]
    story.append(
        Paragraph(
            x(_("Printed on %(date)s", date=dateformat(sheet.printed_on, "long"))), styles.small
        )
    )
    if sheet.demo:
        story.append(Paragraph(x(demo_note()), styles.small))
    return story


def _days(days: int) -> str:
    # As the pages write it ("2 650 jours"): flask_babel's ngettext would put in the bare number.
    return get_translations().ngettext("%(num)s day", "%(num)s days", days) % {
        "num": format_decimal(days)
    }


def standing_line(person: Standing) -> str:
    """A prisoner on a label, with the days in prison while they are there."""
    name = f"{person.name} ({person.native})" if person.native else person.name
    if person.since is None or person.days is None:
        return name
    # One sentence, so that each language says it its own way (no capital after a dash).
    return _(
        "%(name)s, in prison since %(date)s: %(days)s",
        name=name,
        date=dateformat(person.since, "long"),
        days=_days(person.days),
    )


def flyer_status(sheet: PrisonerSheet) -> str:
    """What the profile page's counter says (macro days_counter), or the status alone."""
    if sheet.days is not None and sheet.detained_on is not None:
        if sheet.status == PrisonerStatus.IMPRISONED:
            since = _("In prison since %(date)s:", date=dateformat(sheet.detained_on, "long"))
            return f"{since} {_days(sheet.days)}"
        if sheet.released_on is not None:
            held = _(
                "Held from %(start)s to %(end)s:",
                start=dateformat(sheet.detained_on, "long"),
                end=dateformat(sheet.released_on, "long"),
            )
            return f"{held} {_days(sheet.days)} {_('behind bars')}"
    return str(labels.PRISONER_STATUSES[sheet.status])


def flyer_dates(sheet: PrisonerSheet) -> str:
    """When the facts were last checked (as the profile page says it), and the printing
    day: a flyer is read long after, and a case moves on."""
    if sheet.verified_on is not None:
        checked = _("Facts last verified on %(date)s.", date=dateformat(sheet.verified_on, "long"))
    else:
        checked = _("These facts have not yet been verified by our moderators.")
    if sheet.printed_on is None:
        return checked
    return f"{checked} {_('Printed on %(date)s', date=dateformat(sheet.printed_on, 'long'))}"


def demo_note(profile: bool = False) -> str:
    """What marks demo content on paper, as the pages' badge does: one sentence, for a
    work's poster or label, or for a profile's flyer (which prints no work)."""
    if profile:
        return _("Demo profile: its facts have not been checked by the moderators.")
    return _("Demonstration material: this is not a real work and not a verified profile.")
