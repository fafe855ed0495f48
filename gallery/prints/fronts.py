"""The front of a solidarity postcard (issue 25) as an image: the work's largest
rendition laid on white when it has transparency, grey when asked, cropped centrally to
cover the card; for the PDF at print resolution, and as a JPEG sized for the e-letter
services (which print in black and white). Pillow only: no reportlab here."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from ..images.encode import jpeg_bytes, on_white

CARD_MM = (105, 148)  # A6, portrait
PRINT_DPI = 300
# A6 at 300 dpi: the largest front a card embeds (a smaller image is never enlarged).
PRINT_PIXELS = (round(CARD_MM[0] / 25.4 * PRINT_DPI), round(CARD_MM[1] / 25.4 * PRINT_DPI))
# The front as an image for e-letter services: 1200 px wide at the A6 proportions.
JPEG_PIXELS = (1200, round(1200 * CARD_MM[1] / CARD_MM[0]))  # 1200 x 1691
TONES = ("colour", "grey")


def _opened(data: bytes, grey: bool) -> Image.Image:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if im.mode in ("P", "PA"):
            im = im.convert("RGBA")
        return on_white(im).convert("L" if grey else "RGB")


def _covering(im: Image.Image, ratio: float) -> Image.Image:
    """The largest centred part of im with width / height == ratio."""
    width, height = im.size
    if width / height > ratio:
        new_width = max(1, round(height * ratio))
        left = (width - new_width) // 2
        return im.crop((left, 0, left + new_width, height))
    new_height = max(1, round(width / ratio))
    top = (height - new_height) // 2
    return im.crop((0, top, width, top + new_height))


def card_front(data: bytes, grey: bool) -> bytes:
    """The front as a JPEG for the PDF, portrait like the card: a wide work is turned a
    quarter (the card is then held sideways) and cropped centrally to cover the card, at
    most 300 dpi."""
    im = _opened(data, grey)
    if im.width > im.height:
        im = im.transpose(Image.Transpose.ROTATE_90)
    im = _covering(im, CARD_MM[0] / CARD_MM[1])
    if im.width > PRINT_PIXELS[0]:
        im = im.resize(PRINT_PIXELS, Image.Resampling.LANCZOS)
    return jpeg_bytes(im, quality=92)


def letter_image(data: bytes, grey: bool) -> bytes:
    """The front as a JPEG for e-letter services: JPEG_PIXELS (turned for a wide work, so
    it stays upright), covered and cropped centrally; no metadata."""
    im = _opened(data, grey)
    size = JPEG_PIXELS if im.height >= im.width else (JPEG_PIXELS[1], JPEG_PIXELS[0])
    im = ImageOps.fit(im, size, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return jpeg_bytes(im)
