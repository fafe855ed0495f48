"""The 64-bit perceptual hash of a picture, for the moderators' near-duplicate hints.

The DCT hash (pHash): the picture in grey at 32 x 32 pixels (Pillow's Lanczos filter), its
2-D DCT-II, the 8 x 8 lowest frequencies, each bit 1 where the coefficient is above their
median.  The bits are imagehash's `phash`, in the same order (row by row, the first bit the
most significant of the 16 hex digits), so the hashes stored before it replaced imagehash
stay comparable; tests/unit/test_phash.py checks it against imagehash on the shared test images.
Plain Python: 8 x 32 cosines and about 10 000 multiplications, a millisecond or two.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PIL import Image

from .encode import on_white

if TYPE_CHECKING:
    from .results import Rendition

log = logging.getLogger(__name__)

SIDE = 32  # the grey thumbnail the transform reads
LOW = 8  # the frequencies kept on each axis: 8 x 8 = 64 bits

# cos(pi * k * (2n + 1) / 2N): DCT-II's basis, for the LOW lowest frequencies k.  scipy's
# unnormalised DCT doubles every coefficient, which changes no comparison with the median.
_COS = [[math.cos(math.pi * k * (2 * n + 1) / (2 * SIDE)) for n in range(SIDE)] for k in range(LOW)]


def dct_hash(im: Image.Image) -> str:
    """The picture's 64-bit DCT hash as 16 hex digits (imagehash's `str(phash(im))`)."""
    grey = im.convert("L").resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()  # one byte a pixel, row by row
    rows = [pixels[y * SIDE : (y + 1) * SIDE] for y in range(SIDE)]
    # Down the columns first (scipy's axis 0), then along the rows of what that gave.
    columns = [
        [sum(c * row[x] for c, row in zip(basis, rows)) for x in range(SIDE)] for basis in _COS
    ]
    low = [sum(c * v for c, v in zip(basis, line)) for line in columns for basis in _COS]
    ordered = sorted(low)
    median = (ordered[len(low) // 2 - 1] + ordered[len(low) // 2]) / 2
    bits = 0
    for value in low:
        bits = bits << 1 | (value > median)
    return f"{bits:016x}"


def perceptual_hash(renditions: Iterable[Rendition]) -> str | None:
    """The picture's 64-bit DCT hash (imagehash's pHash bits), as 16 hex digits, read from
    the smallest JPEG or PNG rendition already encoded (a 400 px thumbnail, decoded in grey
    at a quarter of its size), transparent parts laid on white as a visitor sees them.

    Two copies of one picture, re-encoded, resized, slightly cropped or recoloured, differ
    in a few of the 64 bits; unrelated pictures in about half (see the README)."""
    try:
        smallest = min(
            (r for r in renditions if r.format in ("jpeg", "png")), key=lambda r: r.width * r.height
        )
        with Image.open(io.BytesIO(smallest.data)) as im:
            im.draft("L", (64, 64))  # JPEG: libjpeg decodes straight to small and grey
            return dct_hash(on_white(im.convert("LA" if "A" in im.mode else "L")))
    except Exception:  # noqa: BLE001 - a hint for moderators must never cost an upload
        log.exception("could not compute the perceptual hash of an upload")
        return None
