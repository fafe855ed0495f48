"""Solidarity postcards (issue 25), laid out with reportlab: one A6 card (front, then
back, for duplex printing), four A6 cards on an A4 sheet with crop marks (the fronts, then
the backs placed so that printing on both sides, flipped on the long edge, puts each back
behind its front), and a campaign's table sheet: a cover page in the reader's language,
then its cards four to a sheet.

A card goes to a Russian prison and through its censor: the front is the work alone, full
bleed; the back is in Russian Cyrillic only. Never on a card: a web address, a QR code,
an organisation's name, a Latin letter, an address the profile does not publish. The
card PDFs' properties say nothing in Latin letters either (their title is in Cyrillic);
only the campaign sheet's cover page names the gallery."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer

from .documents import BOLD, REGULAR, _canvas, _image_file
from .fronts import CARD_MM, card_front
from .sheets import Postcard, PostcardBack
from .text import Styles, x

A6 = (CARD_MM[0] * mm, CARD_MM[1] * mm)
LAYOUTS = (1, 4)
BACK_MARGIN = 8 * mm
RULE_GAP = 8 * mm
MARK = 6 * mm  # the length of a crop mark, from the sheet's edge
FAINT = (0.45, 0.45, 0.45)
RULE = (0.7, 0.7, 0.7)
# The sheet's margin above and below the two rows of cards (A4 is 1 mm taller than two A6).
SHEET_TOP = (A4[1] - 2 * A6[1]) / 2


def postcard_pdf(card: Postcard, *, layout: int = 1, grey: bool = False) -> bytes:
    """layout=1: an A6 page of the front, then one of the back. layout=4: an A4 sheet of
    four fronts, then one of four backs."""
    canvas, _buffer = _canvas(
        A6 if layout == 1 else A4, f"Открытка — {card.back.name}", lang="ru", anonymous=True
    )
    front = card_front(card.front.read(), grey)
    if layout == 1:
        draw_front(canvas, front, (0, 0))
        canvas.showPage()
        _back(canvas, card.back, (0, 0))
        canvas.showPage()
    else:
        _sheets(canvas, [(front, card.back)] * 4)
    return canvas.getpdfdata()


def postcards_sheet(
    cards: Sequence[Postcard], *, title: str, site: str, url: str, grey: bool = False
) -> bytes:
    """A campaign's table sheet: an A4 cover page in the reader's language (how to write
    and post the cards; the only page naming the gallery), then the cards four to a sheet,
    fronts then backs. Without any card, the cover says there is none yet."""
    canvas, _buffer = _canvas(A4, title, lang="ru", anonymous=True)
    _cover(canvas, title, site, url, len(cards))
    fronts: dict[str, bytes] = {}
    drawn = []
    for card in cards:
        key = card.front.key + "/" + card.front.filename
        if key not in fronts:
            fronts[key] = card_front(card.front.read(), grey)
        drawn.append((fronts[key], card.back))
    _sheets(canvas, drawn)
    return canvas.getpdfdata()


def _slots() -> list[tuple[float, float]]:
    """The bottom-left corners of the four cards on an A4 sheet, left to right, top down."""
    return [
        (column * A6[0], SHEET_TOP + (1 - row) * A6[1]) for row in range(2) for column in range(2)
    ]


def _sheets(canvas: Canvas, cards: Sequence[tuple[bytes, PostcardBack]]) -> None:
    """Four cards a sheet: their fronts, then their backs, each back in the mirrored column
    (a sheet flipped on its long edge turns left into right)."""
    slots = _slots()
    for start in range(0, len(cards), 4):
        batch = cards[start : start + 4]
        canvas.setPageSize(A4)
        for slot, (front, _unused) in zip(slots, batch, strict=False):
            draw_front(canvas, front, slot)
        _crop_marks(canvas)
        canvas.showPage()
        canvas.setPageSize(A4)
        for index, (_unused, back) in enumerate(batch):
            column, row = index % 2, index // 2
            _back(canvas, back, slots[row * 2 + (1 - column)])
        _crop_marks(canvas)
        canvas.showPage()


def draw_front(canvas: Canvas, front: bytes, corner: tuple[float, float]) -> None:
    """A card's front (fronts.card_front: already at the card's proportions) covering the
    A6 card whose bottom-left corner is `corner`; shared with the letter batches."""
    with _image_file(front) as image:
        canvas.drawImage(image, corner[0], corner[1], A6[0], A6[1])


def _back(canvas: Canvas, back: PostcardBack, corner: tuple[float, float]) -> None:
    """The name (Кому), the address when published, the ways to start, lines to write on."""
    left, bottom = corner[0] + BACK_MARGIN, corner[1] + BACK_MARGIN
    width = A6[0] - 2 * BACK_MARGIN
    y = corner[1] + A6[1] - BACK_MARGIN
    canvas.setFillColorRGB(*FAINT)
    canvas.setFont(REGULAR, 7.5)
    y -= 7.5
    canvas.drawString(left, y, "Кому:")
    size = _fitted(canvas, back.name, BOLD, 14, width)
    y -= size * 1.25
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(BOLD, size)
    canvas.drawString(left, y, back.name)
    for line in (back.address or "").splitlines():
        if line.strip():
            y -= 10
            canvas.setFont(REGULAR, _fitted(canvas, line.strip(), REGULAR, 8, width))
            canvas.drawString(left, y, line.strip())
    y -= 6 * mm
    canvas.setFillColorRGB(*FAINT)
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(left, y, "Можно начать так:")
    for starter in back.starters:
        y -= 11
        line = f"— {starter}"
        canvas.setFont(REGULAR, _fitted(canvas, line, REGULAR, 8.5, width - 3 * mm))
        canvas.drawString(left + 3 * mm, y, line)
    canvas.setStrokeColorRGB(*RULE)
    canvas.setLineWidth(0.4)
    y -= RULE_GAP
    while y >= bottom:
        canvas.line(left, y, left + width, y)
        y -= RULE_GAP
    canvas.setFillColorRGB(0, 0, 0)


def _fitted(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The font size, at most `size`, at which one line of text fits in `width`."""
    return min(size, size * width / max(canvas.stringWidth(text, font, size), 1))


def _crop_marks(canvas: Canvas) -> None:
    """Where to cut: short lines at the sheet's edges on the cut between the columns and
    the one between the rows, black on a thin white halo so they show on an image."""
    middle_x, middle_y = A6[0], SHEET_TOP + A6[1]
    width, height = A4
    marks = [
        (middle_x, 0, middle_x, MARK),
        (middle_x, height - MARK, middle_x, height),
        (0, middle_y, MARK, middle_y),
        (width - MARK, middle_y, width, middle_y),
    ]
    for colour, line_width in (((1, 1, 1), 1.2), ((0, 0, 0), 0.3)):
        canvas.setStrokeColorRGB(*colour)
        canvas.setLineWidth(line_width)
        for mark in marks:
            canvas.line(*mark)


def _cover(canvas: Canvas, title: str, site: str, url: str, count: int) -> None:
    """The table sheet's first page, in the reader's language."""
    canvas.setPageSize(A4)
    styles = Styles(REGULAR, BOLD, 1.2)
    margin = 20 * mm
    story = [
        Paragraph(x(_("Solidarity postcards")), styles.headline),
        Paragraph(x(title), styles.subtitle),
    ]
    if count:
        story.append(
            Paragraph(
                x(
                    ngettext(
                        "%(num)s card to print, four to a sheet.",
                        "%(num)s cards to print, four to a sheet.",
                        count,
                    )
                ),
                styles.lead,
            )
        )
        steps = [
            _(
                "Print the following pages on both sides, flipping on the long edge, at "
                "actual size (no scaling), on thick paper if you can. Cut along the marks."
            ),
            _(
                "Write by hand, in Russian: a few warm, personal lines. The back suggests "
                "ways to start. Letters in other languages are often stopped."
            ),
            _(
                "Do not write about the war, the case, politics or prison conditions, and no "
                "foreign words: the censor stops such cards, and they can harm the prisoner."
            ),
            _(
                "Sign with your first name. Never add a web address, a QR code or the name "
                "of an organisation to a card."
            ),
            _(
                "Post the cards in an envelope to the address on the prisoner’s profile, or "
                "give them to the organisers, who know where letters arrive."
            ),
        ]
        story.append(Paragraph(x(_("How to write and post the cards")), styles.heading))
        story += [Paragraph(x(step), styles.item, bulletText="•") for step in steps]
    else:
        story.append(
            Paragraph(x(_("No work of this campaign can be sent as a postcard yet.")), styles.lead)
        )
    story += [Spacer(1, 6 * mm), Paragraph(x(site), styles.strong), Paragraph(x(url), styles.body)]
    box = (A4[0] - 2 * margin, A4[1] - 2 * margin)
    Frame(margin, margin, *box, 0, 0, 0, 0).addFromList([KeepInFrame(*box, story)], canvas)
    canvas.showPage()
