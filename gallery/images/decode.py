"""Decode the first frame once: scaled decoding, orientation, 16-bit and palette modes,
ICC profile to sRGB, and a fresh copy that carries nothing but the pixels.

HEIC/HEIF is decoded by libheif through pillow-heif, AVIF by Pillow's own plugin (libavif):
only the primary image, never a thumbnail, depth map or other auxiliary image.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import AvifImagePlugin, Image, ImageCms, ImageMath

from .encode import _fit, _fit_size
from .settings import _DRAFT_FLOOR

# Each decoder gets two threads, as the rest of the pipeline: libheif decodes a phone's
# 512 px tiles in parallel, dav1d the tiles of an AV1 frame.  pillow-heif is told never to
# read thumbnails (its draft() would otherwise decode one instead of the picture: a phone's
# thumbnail can show what an edit cropped away), depth maps or auxiliary images.
_DECODE_THREADS = 2
AvifImagePlugin.DEFAULT_MAX_THREADS = _DECODE_THREADS
_heif_registered = False


def register_codecs() -> None:
    """Load libheif (pillow-heif) and register it with Pillow, once per process.  Only the
    processes that decode uploads call it (images.process: the sandbox's children and
    their fork server); a web worker, which never decodes an artist's file, does not carry
    the library (about 8 MB of its memory and 40 ms of its start)."""
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener(
            thumbnails=False, depth_images=False, aux_images=False, decode_threads=_DECODE_THREADS
        )
        _heif_registered = True


# Failures Pillow's decoders and metadata parsers raise on hostile input.
_DECODER_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    TypeError,
    ZeroDivisionError,
    IndexError,
    KeyError,
    ImageCms.PyCMSError,
)


class _CodecError(OSError):
    """libheif or libavif refused the data (they raise RuntimeError: damage, their own limits)."""


@contextmanager
def _codec() -> Iterator[None]:
    try:
        yield
    except RuntimeError as exc:
        if str(exc).startswith("Memory allocation error"):
            # libheif could not allocate what the file asks for (in the sandbox: past its
            # address-space limit): a picture larger than it says, not a damaged one.
            raise MemoryError(str(exc)) from exc
        raise _CodecError(str(exc)) from exc


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_PROFILE_SPACE = {"RGB": "RGB ", "L": "GRAY", "CMYK": "CMYK"}


def _decode_large(src: Image.Image, cap: int) -> tuple[Image.Image, bool]:
    """Decode the first frame and return it upright, in sRGB, within cap, as a fresh image."""
    target = _fit_size(src.size, cap)
    if src.format in ("JPEG", "MPO") and target != src.size:
        # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding: far less work and memory.
        # draft never goes below the size asked for, here 3/4 of the cap: a 12 MP photo
        # (4000 x 3000) decodes at half size, 2000 px, which becomes the large size as it
        # is, four times faster than a full decode and a resize to 2560 px.
        src.draft(None, _fit_size(src.size, math.ceil(cap * _DRAFT_FLOOR)))
    with _codec():
        src.load()
    orientation = _orientation(src)
    icc = src.info.get("icc_profile")
    im, has_alpha = _opaque_if_possible(_eight_bit(src))
    im = _fit(im, cap, "large", bands=2)
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
    im = _to_srgb(im, icc)
    if has_alpha:
        # Colour under fully transparent pixels is invisible but kept by PNG:
        # premultiplying zeroes it, so nothing "erased" survives.
        im = im.convert(im.mode[:-1] + "a").convert(im.mode)
    return _fresh(im), has_alpha


def _orientation(im: Image.Image) -> int:
    """EXIF (or XMP) orientation, or 1 when the metadata cannot be trusted.

    In HEIF and AVIF the rotation and mirror are the irot and imir boxes, which those
    formats make the only authority (an EXIF orientation there is informative, and XMP's
    too).  libheif applies them while decoding, so HEIF pixels arrive upright and any EXIF
    tag is left alone.  Pillow's AVIF plugin leaves the pixels as stored and writes the
    boxes' orientation into the EXIF it hands over, in place of the file's own tag: for
    AVIF that tag alone is read, never XMP's.  Either way it is applied exactly once."""
    if im.format == "HEIF":
        return 1
    try:
        if im.format == "AVIF":
            exif = Image.Exif()
            exif.load(im.info.get("exif") or b"")
            return int(exif.get(0x0112, 1))
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # any parser failure on hostile metadata: keep the pixels as stored
        return 1


def _eight_bit(im: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, LA, RGB, RGBA or CMYK with 8 bits a channel."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        return _sixteen_to_eight(im)
    if im.mode in ("L", "RGB", "CMYK") and "transparency" not in im.info:
        return im
    if im.mode in ("LA", "RGBA"):
        return im
    if im.mode in ("1", "L"):
        return im.convert("LA" if "transparency" in im.info else "L")
    return im.convert("RGBA" if im.has_transparency_data else "RGB")


def _sixteen_to_eight(im: Image.Image) -> Image.Image:
    # Pillow's own I;16 -> L and -> LA conversions clip at 255 before anything
    # else, which turns a normal 16-bit picture white and loses its tRNS
    # colour; scale the full 0..65535 range and build the mask from it instead.
    wide = im.convert("I")
    grey = wide.point(lambda v: v / 257 + 0.5).convert("L")
    transparent = im.info.get("transparency")
    if isinstance(transparent, int):
        grey.putalpha(
            ImageMath.lambda_eval(
                lambda e: e["convert"](e["notequal"](e["im"], transparent) * 255, "L"), im=wide
            )
        )
    return grey


def _opaque_if_possible(im: Image.Image) -> tuple[Image.Image, bool]:
    """Drop an alpha channel that hides nothing; report whether one remains."""
    if im.mode not in ("LA", "RGBA"):
        return im, False
    if im.getextrema()[-1][0] == 255:
        return im.convert(im.mode[:-1]), False
    return im, True


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB with the embedded profile; without a usable one, assume sRGB."""
    if icc:
        try:
            converted = _apply_profile(im, ImageCms.ImageCmsProfile(io.BytesIO(icc)))
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken profile should not cost the artist the upload
        if converted is not None:
            return converted
    return im.convert("RGB") if im.mode == "CMYK" else im


def _apply_profile(im: Image.Image, profile: ImageCms.ImageCmsProfile) -> Image.Image | None:
    alpha = im.getchannel("A") if im.mode in ("LA", "RGBA") else None
    colour = im.convert(im.mode[:-1]) if alpha is not None else im
    if profile.profile.xcolor_space != _PROFILE_SPACE.get(colour.mode):
        return None
    if colour.mode == "RGB" and "srgb" in (profile.profile.profile_description or "").lower():
        # Already sRGB (most cameras and phones say so): a conversion would change
        # nothing visible and costs 20-40 ms of a 2 MP upload.
        return im
    out = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB")
    if alpha is not None:
        out.putalpha(alpha)
    return out


def _fresh(im: Image.Image) -> Image.Image:
    """Copy the pixels alone: no info, EXIF, palette or profile can follow."""
    clean = Image.new(im.mode, im.size, None)  # no fill: the paste covers every pixel
    clean.paste(im)
    return clean
