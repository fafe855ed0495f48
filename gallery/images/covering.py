"""Covering what identifies someone: solid rectangles filled on a work's stored large image,
from which every rendition is derived again.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence

from PIL import Image

from .decode import _fresh
from .encode import _master_sha256, _prompt_gil_handover, _renditions
from .results import ProcessedImage
from .settings import SIZES


def cover(
    large: bytes,
    regions: Iterable[Sequence[float]],
    *,
    has_alpha: bool,
    sizes: Mapping[str, int] = SIZES,
) -> ProcessedImage:
    """Fill rectangles solid black on a work's stored large image and derive every
    rendition again from it, as process() does.

    `large` is the large file the pipeline stored (the lossless PNG when the work has
    transparency, else the JPEG); `regions` are [x, y, width, height] fractions of its width
    and height.  Each rectangle is filled on the large image itself, opaque (alpha 255),
    its edges rounded outward so the covered area is never smaller than asked, before
    anything is resized: no rendition can hold a pixel of what was under it.  A solid
    block, not a blur or a mosaic, which can be undone or recognised."""
    caps = sorted(sizes.items(), key=lambda item: item[1], reverse=True)
    with Image.open(io.BytesIO(large), formats=("PNG", "JPEG")) as src:
        src.load()
        source_format = src.format or "PNG"
        im = _fresh(src if src.mode in ("L", "LA", "RGB", "RGBA") else src.convert("RGBA"))
    if has_alpha and im.mode not in ("LA", "RGBA"):
        im = im.convert("RGBA")
    elif not has_alpha and im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    fill = (0,) * (len(im.getbands()) - (1 if has_alpha else 0)) + ((255,) if has_alpha else ())
    for region in regions:
        im.paste(fill, cover_box(region, im.size))
    with _prompt_gil_handover():
        renditions = _renditions(im, has_alpha, caps)
    return ProcessedImage(
        source_format=source_format,
        width=im.width,
        height=im.height,
        has_alpha=has_alpha,
        animated=False,
        sha256=_master_sha256(renditions, caps),
        renditions=tuple(renditions),
    )


def cover_box(region: Sequence[float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The pixels (left, top, right, bottom) a fractional [x, y, width, height] rectangle
    covers on an image of this size: edges rounded outward, at least one pixel, inside."""
    x, y, w, h = (float(v) for v in region)
    width, height = size
    # A millionth of a pixel of slack, so 0.1 + 0.2 (0.30000000000000004) of 1000 pixels
    # ends at pixel 300, not 301.
    left = min(width - 1, max(0, math.floor(x * width + 1e-6)))
    top = min(height - 1, max(0, math.floor(y * height + 1e-6)))
    right = max(left + 1, min(width, math.ceil((x + w) * width - 1e-6)))
    bottom = max(top + 1, min(height, math.ceil((y + h) * height - 1e-6)))
    return left, top, right, bottom
