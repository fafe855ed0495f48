"""The pages of the print PDFs, laid out with reportlab: posters, sheets of wall labels,
flyers; the QR codes drawn from segno's matrix as vector squares."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from xml.sax.saxutils import escape

import segno
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer

from ..models.impact import qr_address
from . import fonts
from .sheets import PrisonerSheet, WorkSheet
from .text import Styles, blocks, demo_note, flyer_dates, flyer_status, label_story, x

SIZES = {"a4": A4, "a3": A3}
REGULAR, BOLD = "GallerySans", "GallerySans-Bold"
QR_BORDER = 2  # modules of white around the code, inside its square (4 is the norm's ideal)
GREY = (0.55, 0.55, 0.55)
# Images as binary streams: reportlab's default ASCII85 text encoding would make every
# embedded image a quarter larger.
rl_config.useA85 = 0


def poster(sheet: WorkSheet, size: str = "a4") -> bytes:
    """One page: the image as large as the page allows (landscape for a wide image), and
    the wall label under it."""
    return posters([sheet], size, title=sheet.title, subject=_("Poster"))


def posters(
    sheets: Iterable[WorkSheet], size: str = "a4", *, title: str, subject: str | None = None
) -> bytes:
    """A poster per work, one per page; a page saying there is nothing to print yet when
    there is none."""
    canvas, buffer = _canvas(SIZES[size], title, subject or _("Posters"))
    drawn = 0
    for sheet in sheets:
        _poster_page(canvas, sheet, size)
        drawn += 1
    if not drawn:
        _nothing_yet(canvas, SIZES[size])
    canvas.save()
    return buffer.getvalue()


LABEL_COLUMNS, LABEL_ROWS = 2, 4
SHEET_MARGIN = 10 * mm
LABEL_PADDING = 5 * mm


def labels_sheet(sheets: Iterable[WorkSheet], *, title: str) -> bytes:
    """Wall labels on A4, eight a page, each in a thin grey frame to cut along."""
    canvas, buffer = _canvas(A4, title, _("Wall labels"))
    width = (A4[0] - 2 * SHEET_MARGIN) / LABEL_COLUMNS
    height = (A4[1] - 2 * SHEET_MARGIN) / LABEL_ROWS
    count = 0
    for count, sheet in enumerate(sheets, start=1):
        slot = (count - 1) % (LABEL_COLUMNS * LABEL_ROWS)
        if slot == 0 and count > 1:
            canvas.showPage()
        left = SHEET_MARGIN + (slot % LABEL_COLUMNS) * width
        bottom = A4[1] - SHEET_MARGIN - (slot // LABEL_COLUMNS + 1) * height
        canvas.setStrokeColorRGB(*GREY)
        canvas.setLineWidth(0.3)
        canvas.setDash(2, 2)
        canvas.rect(left, bottom, width, height, stroke=1, fill=0)
        inner = (
            left + LABEL_PADDING,
            bottom + LABEL_PADDING,
            width - 2 * LABEL_PADDING,
            height - 2 * LABEL_PADDING,
        )
        _label(canvas, sheet, inner, scale=0.9, qr_side=30 * mm)
    if count:
        canvas.showPage()
    else:
        _nothing_yet(canvas, A4)
    canvas.save()
    return buffer.getvalue()


def flyer(sheet: PrisonerSheet) -> bytes:
    """One A4 page: the name, where they are, the story's summary, how to write, and a QR
    code to the profile. Long texts are set smaller so that it stays one page."""
    canvas, buffer = _canvas(A4, sheet.name, _("Flyer"))
    margin, band = 18 * mm, 46 * mm
    width, height = A4
    styles = Styles(REGULAR, BOLD, 1.45)
    story: list[Flowable] = [Paragraph(x(sheet.name), styles.headline)]
    if sheet.native:
        story.append(Paragraph(x(sheet.native), styles.subtitle))
    story += [Paragraph(x(flyer_status(sheet)), styles.strong), Spacer(1, 4 * mm)]
    if sheet.summary:
        story += [Paragraph(x(sheet.summary), styles.lead), Spacer(1, 4 * mm)]
    story.append(Paragraph(x(_("How to write a letter")), styles.heading))
    if sheet.address:
        story += [
            Paragraph(x(_("Address:")), styles.body),
            Paragraph(x(sheet.address, folded=False).replace("\n", "<br/>"), styles.strong),
        ]
    story += blocks(sheet.guidance, styles)
    story.append(Paragraph(x(flyer_dates(sheet)), styles.small))
    if sheet.demo:
        story += [Spacer(1, 3 * mm), Paragraph(x(demo_note(profile=True)), styles.small)]
    top = margin + band
    frame = Frame(margin, top, width - 2 * margin, height - margin - top, 0, 0, 0, 0)
    frame.addFromList([KeepInFrame(width - 2 * margin, height - margin - top, story)], canvas)
    side = band - 6 * mm
    _qr(canvas, sheet.url, width - margin - side, margin, side)
    text_width = width - 2 * margin - side - 6 * mm
    foot = [
        Paragraph(x(_("Read the whole story, its sources and how to help:")), styles.body),
        Paragraph(escape(sheet.url), styles.strong),
        Paragraph(x(current_app.config["SITE_NAME"]), styles.small),
    ]
    Frame(margin, margin, text_width, side, 0, 0, 0, 0).addFromList(
        [KeepInFrame(text_width, side, foot, vAlign="BOTTOM")], canvas
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@lru_cache(maxsize=4)
def _register_fonts(folder: str | None) -> None:
    # Once per process and folder; fonts.FontsMissing (not cached) when they are absent.
    regular, bold = fonts.regular(folder), fonts.bold(folder)
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


def _canvas(
    pagesize: tuple[float, float],
    title: str,
    subject: str = "",
    *,
    lang: str | None = None,
    anonymous: bool = False,
) -> tuple[Canvas, io.BytesIO]:
    """A canvas with the fonts, in the reader's language unless `lang` says otherwise.
    `anonymous`: the properties name neither the gallery nor reportlab (a postcard, which
    a prison censor reads: only its title, in Cyrillic)."""
    _register_fonts(current_app.config["PRINT_FONT_DIR"])
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=pagesize,
        pageCompression=1,
        lang=lang or str(get_locale()),
        initialFontName=REGULAR,
    )
    canvas.setTitle(title)
    if anonymous:
        for setter in (canvas.setAuthor, canvas.setCreator, canvas.setSubject, canvas.setProducer):
            setter("")
    else:
        # What a reader's "document properties" show, instead of reportlab's "anonymous"
        # and "unspecified".
        canvas.setAuthor(current_app.config["SITE_NAME"])
        canvas.setSubject(subject)
        canvas.setCreator(current_app.config["SITE_NAME"])
    return canvas, buffer


@contextmanager
def _image_file(data: bytes) -> Iterator[str]:
    """The stored image as a file of its own for the length of one drawImage().

    ReportLab embeds a JPEG given by file name as it is, without decoding it; given the
    bytes (an ImageReader) it decodes the whole image first, only to name it (~35 ms for
    2400 x 1600 px).  The media store may be a bucket, so the bytes go to a temporary
    file, removed when the image is drawn (a public work's image: nothing private)."""
    suffix = ".jpg" if data[:3] == b"\xff\xd8\xff" else ".png"
    with tempfile.NamedTemporaryFile(prefix="poster-", suffix=suffix) as fp:
        fp.write(data)
        fp.flush()
        yield fp.name


def _poster_page(canvas: Canvas, sheet: WorkSheet, size: str) -> None:
    base = SIZES[size]
    page = landscape(base) if sheet.width > sheet.height else portrait(base)
    canvas.setPageSize(page)
    scale = base[0] / A4[0]  # 1 on A4, the square root of 2 on A3: the label grows with the page
    margin, label_height, gap = 12 * mm * scale, 46 * mm * scale, 6 * mm * scale
    box_width = page[0] - 2 * margin
    box_height = page[1] - 2 * margin - label_height - gap
    fit = min(box_width / sheet.width, box_height / sheet.height)
    width, height = sheet.width * fit, sheet.height * fit
    with _image_file(sheet.image.read()) as image:
        canvas.drawImage(
            image,
            margin + (box_width - width) / 2,
            margin + label_height + gap + (box_height - height) / 2,
            width,
            height,
            mask="auto",
        )
    _label(
        canvas,
        sheet,
        (margin, margin, box_width, label_height),
        scale=scale,
        qr_side=38 * mm * scale,
    )
    canvas.showPage()


def _label(
    canvas: Canvas,
    sheet: WorkSheet,
    box: tuple[float, float, float, float],
    *,
    scale: float,
    qr_side: float,
) -> None:
    """The wall label in a box: the texts on the left, the QR code on the right with what
    it opens and its address in small print under it."""
    left, bottom, width, height = box
    url_size = 6.5 * scale
    shrunk = url_size * width / max(canvas.stringWidth(sheet.url, REGULAR, url_size), width)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(REGULAR, shrunk)
    canvas.drawRightString(left + width, bottom, sheet.url)
    # What the code opens, under it: a passer-by may not guess.
    caption_style = ParagraphStyle(
        "qr-caption",
        fontName=REGULAR,
        fontSize=url_size,
        leading=url_size * 1.2,
        alignment=TA_CENTER,
    )
    caption = Paragraph(x(_("Scan to see this work and how to help")), caption_style)
    caption_height = caption.wrap(qr_side, height)[1] + url_size * 0.3
    caption.drawOn(canvas, left + width - qr_side, bottom + url_size * 1.6)
    side = min(qr_side, height - url_size * 1.6 - caption_height)
    _qr(
        canvas,
        sheet.url,
        left + width - (qr_side + side) / 2,
        bottom + url_size * 1.6 + caption_height,
        side,
    )
    text_width = width - qr_side - 4 * mm * scale
    story = label_story(sheet, Styles(REGULAR, BOLD, scale * 1.15))
    frame = Frame(left, bottom + url_size * 1.6, text_width, height - url_size * 1.6, 0, 0, 0, 0)
    frame.addFromList(
        [KeepInFrame(text_width, height - url_size * 1.6, story, vAlign="TOP")], canvas
    )


def _nothing_yet(canvas: Canvas, page: tuple[float, float]) -> None:
    canvas.setPageSize(portrait(page))
    styles = Styles(REGULAR, BOLD, 1.25)
    margin = 20 * mm
    story = [
        Paragraph(x(_("Nothing to print yet")), styles.headline),
        Paragraph(x(_("No work of this campaign can be printed yet.")), styles.lead),
    ]
    Frame(margin, margin, page[0] - 2 * margin, page[1] - 2 * margin).addFromList(story, canvas)
    canvas.showPage()


def _qr(canvas: Canvas, url: str, left: float, bottom: float, side: float) -> None:
    """A QR code of the page's address with ?src=qr (so a visit from paper is counted; the
    address printed beside it stays plain), as filled squares (each run of dark modules in
    a row is one rectangle)."""
    rows = [
        list(row)
        for row in segno.make(qr_address(url), error="m", micro=False).matrix_iter(
            scale=1, border=QR_BORDER
        )
    ]
    module = side / len(rows)
    path = canvas.beginPath()
    for i, row in enumerate(rows):
        y = bottom + side - (i + 1) * module
        j = 0
        while j < len(row):
            if not row[j]:
                j += 1
                continue
            start = j
            while j < len(row) and row[j]:
                j += 1
            path.rect(left + start * module, y, (j - start) * module, module)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
