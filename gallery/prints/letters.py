"""The letter desk's print files (issue 25): a prisoner's next batch, ready to copy by hand
or to post, as a PDF and as plain text for e-letter services; and the archive of the
letters sent to him, kept for after his release.

A batch goes to a Russian prison and through its censor, so its pages carry Russian
Cyrillic only: the recipient's name, the date, the translation. Never the writer's
original, their e-mail, a web address, a QR code or an organisation's name, and the PDF's
properties name nobody (documents._canvas(anonymous=True)). A letter with a chosen work
is an A6 card, its front drawn exactly as a postcard's (postcards.draw_front); without
one, it is an A5 sheet.

The archive is for the organisers and, one day, for him: each letter as written (any
script), its signature and the Russian translation that was sent, after a cover page in
the reader's language. Letters are hostile input: every text is escaped before it
becomes a reportlab Paragraph, so `<b>` prints as those three characters.

The builders take plain values (BatchLetter, ArchivedLetter) that the views fill in from
the verbs' reads: this layer opens no sealed text and reads no request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date as babel_format_date
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer

from ..core.typography import NBSP, NNBSP, typeset
from .documents import BOLD, REGULAR, _canvas
from .fronts import card_front
from .postcards import A6, BACK_MARGIN, draw_front
from .sheets import Postcard
from .text import Styles, x

# The translation on a card's back starts at CARD_SIZE points and shrinks, CARD_STEP at a
# time, down to CARD_FLOOR (still easy to copy by hand); below that it goes on over an
# extra back-only page rather than getting smaller.
CARD_SIZE, CARD_FLOOR, CARD_STEP = 10.0, 7.0, 0.5
SHEET_SIZE = 11.0
SHEET_MARGIN = 15 * mm
ARCHIVE_MARGIN = 20 * mm
SEPARATOR = "-" * 40  # between two letters of the text export: no letter of any script


@dataclass(frozen=True)
class BatchLetter:
    """One letter of a batch as it is printed: to whom (in Cyrillic), the day it was
    written, the Russian translation, and the card whose front it goes on (None: an A5
    sheet)."""

    name: str
    written_on: date
    translation: str
    card: Postcard | None


@dataclass(frozen=True)
class ArchivedLetter:
    """One sent letter as the archive keeps it; `translation` None when it can no longer
    be opened (sealed under an earlier SECRET_KEY), like an empty `body`."""

    sent_on: date
    body: str
    signature: str
    translation: str | None


def russian(text: str) -> str:
    """A Russian text as paragraph markup: Russian no-break spaces whatever the reader's
    language, escaped, its line breaks kept (a letter's lines are the writer's)."""
    spaced = typeset(text.strip(), "ru").replace(NNBSP, NBSP)
    return escape(spaced).replace("\n", "<br/>")


def as_written(text: str) -> str:
    """A writer's text as paragraph markup: escaped, its lines kept, nothing else changed."""
    return escape(text.strip()).replace("\n", "<br/>")


# ---- the batch ----


def batch_pdf(letters: Sequence[BatchLetter], *, title: str) -> bytes:
    """The batch in the letters' order: a card letter as its front then its back (and an
    extra back when the translation does not fit at CARD_FLOOR), any other as A5 pages.
    `title` (in Cyrillic) is the only property the PDF has."""
    canvas, _buffer = _canvas(A5, title, lang="ru", anonymous=True)
    fronts: dict[str, bytes] = {}
    for letter in letters:
        if letter.card is None:
            _sheet(canvas, letter)
            continue
        image = letter.card.front
        key = f"{image.key}/{image.filename}"
        if key not in fronts:
            fronts[key] = card_front(image.read(), False)
        canvas.setPageSize(A6)
        draw_front(canvas, fronts[key], (0, 0))
        canvas.showPage()
        _card_back(canvas, letter)
    return canvas.getpdfdata()


def batch_text(letters: Sequence[BatchLetter]) -> str:
    """The batch for e-letter services: for each letter the name, the translation and a
    separator line; nothing else."""
    parts = [
        f"{letter.name}\n\n{letter.translation.strip()}\n\n{SEPARATOR}\n" for letter in letters
    ]
    return "\n".join(parts)


def _paragraphs(text: str, style: object) -> list[Flowable]:
    """A Russian text as one Paragraph per block (blank lines apart)."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return [Paragraph(russian(block), style) for block in blocks]


def _height(story: Sequence[Flowable], width: float) -> float:
    """The height a story takes in a column `width` wide."""
    total = 0.0
    for flowable in story:
        total += flowable.wrap(width, 10_000)[1]
        total += flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _card_back(canvas: Canvas, letter: BatchLetter) -> None:
    """The back: "Кому:", the name, then the translation, in the largest size down to
    CARD_FLOOR at which everything fits; what still does not goes on back-only pages."""
    width, height = A6[0] - 2 * BACK_MARGIN, A6[1] - 2 * BACK_MARGIN
    size = CARD_SIZE
    while True:
        story = _card_story(letter, size)
        if size <= CARD_FLOOR or _height(story, width) <= height - 2:
            break
        size = max(CARD_FLOOR, size - CARD_STEP)
    _flow(canvas, story, A6, BACK_MARGIN)


def _card_story(letter: BatchLetter, size: float) -> list[Flowable]:
    styles = Styles(REGULAR, BOLD, size / 8.5)
    story: list[Flowable] = [
        Paragraph(russian("Кому:"), styles.small),
        Paragraph(russian(letter.name), styles.strong),
        Spacer(1, 2 * mm),
    ]
    return story + _paragraphs(letter.translation, styles.body)


def _sheet(canvas: Canvas, letter: BatchLetter) -> None:
    """An A5 sheet: the name, the day the letter was written (in Russian), the letter."""
    styles = Styles(REGULAR, BOLD, SHEET_SIZE / 8.5)
    written = babel_format_date(letter.written_on, "long", locale="ru")
    story: list[Flowable] = [
        Paragraph(russian("Кому:"), styles.small),
        Paragraph(russian(letter.name), styles.strong),
        Paragraph(russian(written), styles.small),
        Spacer(1, 4 * mm),
    ]
    _flow(canvas, story + _paragraphs(letter.translation, styles.body), A5, SHEET_MARGIN)


def _flow(canvas: Canvas, story: list[Flowable], page: tuple[float, float], margin: float) -> None:
    """Set a story on as many pages of this size as it needs, splitting a paragraph that
    reaches the foot of a page between its lines (Frame.addFromList would not split)."""
    while story:
        canvas.setPageSize(page)
        frame = Frame(margin, margin, page[0] - 2 * margin, page[1] - 2 * margin, 0, 0, 0, 0)
        drawn = _fill(frame, story, canvas)
        canvas.showPage()
        if not drawn:
            story.pop(0)  # taller than an empty page and unsplittable (never for text)


def _fill(frame: Frame, story: list[Flowable], canvas: Canvas) -> bool:
    """Draw from the front of the story until the frame is full; whether anything was."""
    drawn = False
    while story:
        if frame.add(story[0], canvas, trySplit=1):
            story.pop(0)
            drawn = True
            continue
        parts = frame.split(story[0], canvas)
        if len(parts) > 1 and frame.add(parts[0], canvas, trySplit=1):
            story[0:1] = parts[1:]
            drawn = True
        break
    return drawn


# ---- the archive ----


def archive_pdf(name: str, letters: Sequence[ArchivedLetter]) -> bytes:
    """A cover page in the reader's language (what this is, how many letters), then each
    letter from a new A4 page: the day it was sent, the text and signature as written,
    the Russian translation that was sent."""
    title = _("%(name)s: letters", name=name)
    canvas, _buffer = _canvas(A4, title, anonymous=True)
    styles = Styles(REGULAR, BOLD, 1.2)
    cover: list[Flowable] = [
        Paragraph(x(title), styles.headline),
        Paragraph(
            x(_("%(name)s: letters sent through the gallery, kept for after release.", name=name)),
            styles.lead,
        ),
        Paragraph(x(ngettext("%(num)s letter", "%(num)s letters", len(letters))), styles.lead),
    ]
    _flow(canvas, cover, A4, ARCHIVE_MARGIN)
    for letter in letters:
        _flow(canvas, _archived(letter, styles), A4, ARCHIVE_MARGIN)
    return canvas.getpdfdata()


def _archived(letter: ArchivedLetter, styles: Styles) -> list[Flowable]:
    gone = x(_("This text can no longer be read: it was sealed with an earlier key."))
    story: list[Flowable] = [
        Paragraph(x(_("Sent on %(date)s", date=format_date(letter.sent_on, "long"))), styles.title),
        Paragraph(x(_("As written")), styles.heading),
        Paragraph(as_written(letter.body) or gone, styles.lead),
    ]
    if letter.signature.strip():
        story.append(Paragraph("— " + as_written(letter.signature), styles.lead))
    story.append(Paragraph(x(_("In Russian, as sent")), styles.heading))
    if letter.translation and letter.translation.strip():
        story.append(Paragraph(russian(letter.translation), styles.lead))
    else:
        story.append(Paragraph(gone, styles.lead))
    return story
