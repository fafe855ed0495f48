"""Check uploaded artworks, strip everything but the pixels, and encode the renditions.

An uploaded file can put its maker in prison (a GPS tag, a camera serial, an
editing history) and the upload form is open to hostile files.  So nothing of
the upload is ever published: every pixel is decoded once, copied into a fresh
image and encoded again with explicit settings.

Multi-frame files (animated GIF/WebP/PNG, MPO from 3-D and some phone cameras)
are accepted within limits, and their first frame is published as a still.

Phones' HEIC/HEIF (decoded by libheif through pillow-heif) and AVIF (Pillow's own
plugin, libavif) go through the same pass: only the primary image is decoded,
never a thumbnail, depth map or other auxiliary image.

The sizes a file declares are checked before its pixels are decoded, but a decoder can
still be made to build far more than it declares (a HEIF grid's canvas, an AV1 frame, a
JPEG of thousands of scans): the web app never runs process() itself but in a child
process held to hard memory, CPU and time limits (gallery/images/sandbox.py).

The modules, in the order a file meets them: sniff (what the header says, the limits),
decode (one decode, upright, sRGB, a fresh copy), encode (renditions, threads, encoders),
with settings (sizes and encoder settings, and their measurements) and results (what comes
back, or the refusal); phash (the 64-bit DCT hash), covering (solid rectangles), faces (the
optional face detector) and sandbox (the child process every upload is decoded in).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import BinaryIO

from PIL import Image, ImageFile, UnidentifiedImageError

from .covering import cover, cover_box
from .decode import _DECODER_ERRORS, _codec, _decode_large, register_codecs
from .encode import _master_sha256, _prompt_gil_handover, _renditions
from .phash import perceptual_hash
from .results import (
    DAMAGED,
    N_,
    TOO_COSTLY,
    TOO_MANY_FRAMES,
    TOO_MANY_PIXELS,
    UNSUPPORTED,
    InvalidImage,
    ProcessedImage,
    Rendition,
)
from .settings import ACCEPTED_FORMATS, ON_WHITE, SIZES, WEBP_SIZES, WEBP_SIZES_WITH_ALPHA
from .sniff import _check_limits, _gif_canvas, _looks_accepted, _seekable, _too_many_pixels

__all__ = [
    "ACCEPTED_FORMATS",
    "DAMAGED",
    "N_",
    "ON_WHITE",
    "SIZES",
    "TOO_COSTLY",
    "TOO_MANY_FRAMES",
    "TOO_MANY_PIXELS",
    "UNSUPPORTED",
    "WEBP_SIZES",
    "WEBP_SIZES_WITH_ALPHA",
    "InvalidImage",
    "ProcessedImage",
    "Rendition",
    "cover",
    "cover_box",
    "perceptual_hash",
    "process",
]

logger = logging.getLogger(__name__)


def process(
    fp: BinaryIO,
    *,
    max_pixels: int = 40_000_000,
    max_frames_area: int = 200_000_000,
    sizes: Mapping[str, int] = SIZES,
) -> ProcessedImage:
    """Check, decode once, clean and encode every rendition, or raise InvalidImage."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    register_codecs()
    caps = sorted(sizes.items(), key=lambda item: item[1], reverse=True)
    fp = _seekable(fp)
    with warnings.catch_warnings():
        # Pillow warns about corrupt metadata it then ignores; so do we.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _prompt_gil_handover():
                return _process(fp, max_pixels, max_frames_area, caps)
        except InvalidImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
            raise _too_many_pixels(max_pixels) from exc
        except UnidentifiedImageError as exc:
            raise InvalidImage(DAMAGED if _looks_accepted(fp) else UNSUPPORTED) from exc
        except _DECODER_ERRORS as exc:
            raise InvalidImage(DAMAGED) from exc
        except Exception as exc:
            # Hostile bytes must never turn into a server error, but a bug
            # hiding here should still be seen.
            logger.exception("unexpected failure while processing an uploaded image")
            raise InvalidImage(DAMAGED) from exc


def _process(fp: BinaryIO, max_pixels: int, max_frames_area: int, caps) -> ProcessedImage:
    head = fp.read(12)
    scanned = _gif_canvas(fp) if head[:4] == b"GIF8" else (0, 0, 0)
    with _codec():
        src = Image.open(fp, formats=ACCEPTED_FORMATS)
    try:
        frames = scanned[0] or getattr(src, "n_frames", 1)
        width, height = max(scanned[1], src.width), max(scanned[2], src.height)
        _check_limits(width, height, frames, max_pixels, max_frames_area)
        source_format = "JPEG" if src.format == "MPO" else src.format
        large, has_alpha = _decode_large(src, caps[0][1])
    finally:
        src.close()
    renditions = _renditions(large, has_alpha, caps)
    return ProcessedImage(
        source_format=source_format,
        width=large.width,
        height=large.height,
        has_alpha=has_alpha,
        animated=frames > 1,
        sha256=_master_sha256(renditions, caps),
        renditions=tuple(renditions),
        phash=perceptual_hash(renditions),
    )
