"""What a file says of itself before a pixel is decoded: the signatures of the accepted
formats, the GIF canvas read from block headers, and the limits checked on those sizes.
No parser of its own beyond the GIF block walk: Pillow and the codecs read the rest.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

from .results import TOO_MANY_FRAMES, TOO_MANY_PIXELS, InvalidImage

# Signatures of the accepted formats: a file that starts like one of them but
# cannot be read is damaged, anything else is simply a format we do not take.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# HEIF and AVIF are ISO-BMFF files: an `ftyp` box first, whose major brand names the
# format.  These are the brands pillow-heif and Pillow's AVIF plugin take (HEVC stills
# and sequences, the generic MIAF brands, AV1 stills and sequences).
_ISOBMFF_BRANDS = frozenset(
    {
        b"heic",
        b"heix",
        b"heim",
        b"heis",
        b"hevc",
        b"hevx",
        b"hevm",
        b"hevs",
        b"mif1",
        b"msf1",
        b"avif",
        b"avis",
    }
)


def _seekable(fp: BinaryIO) -> BinaryIO:
    # Pillow and the GIF scan both seek; a pipe has to be buffered first.
    try:
        fp.seek(0)
    except (AttributeError, OSError):
        return io.BytesIO(fp.read())
    return fp


def _looks_accepted(fp: BinaryIO) -> bool:
    try:
        fp.seek(0)
        head = fp.read(12)
    except (AttributeError, OSError):
        return False
    return (
        head.startswith(_SIGNATURES)
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        or _is_isobmff(head)
    )


def _is_isobmff(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _ISOBMFF_BRANDS


def _too_many_pixels(max_pixels: int) -> InvalidImage:
    return InvalidImage(TOO_MANY_PIXELS, 413, megapixels=f"{max_pixels / 1_000_000:g}")


def _check_limits(
    width: int, height: int, frames: int, max_pixels: int, max_frames_area: int
) -> None:
    """Refuse from the header alone, before any pixel is decoded."""
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if frames > 1 and frames * width * height > max_frames_area:
        raise InvalidImage(TOO_MANY_FRAMES, 413)


def _gif_canvas(fp: BinaryIO) -> tuple[int, int, int]:
    """Count a GIF's frames and the canvas they need, reading block headers only."""
    # Pillow grows the canvas to fit any frame when it reaches that frame, so a
    # tiny GIF can declare a huge later frame; its header tells us up front.
    fp.seek(0)
    head = fp.read(13)
    if len(head) < 13:
        return 0, 0, 0  # too short to be a GIF; Pillow will say so
    width, height, flags = struct.unpack("<HHB", head[6:11])
    _skip_colour_table(fp, flags)
    frames = 0
    while (kind := fp.read(1)) in (b",", b"!"):
        if kind == b"!":
            fp.read(1)
        else:
            desc = fp.read(9)
            if len(desc) < 9:
                break
            x, y, w, h, flags = struct.unpack("<HHHHB", desc)
            width, height, frames = max(width, x + w), max(height, y + h), frames + 1
            _skip_colour_table(fp, flags)
            fp.read(1)  # LZW minimum code size
        while (n := fp.read(1)) and n[0]:
            fp.seek(n[0], io.SEEK_CUR)
    fp.seek(0)
    return frames, width, height


def _skip_colour_table(fp: BinaryIO, flags: int) -> None:
    if flags & 0x80:
        fp.seek(3 << ((flags & 7) + 1), io.SEEK_CUR)
