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
"""
from __future__ import annotations

import hashlib
import io
import logging
import math
import os
import struct
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import imagehash
import pillow_heif
from PIL import AvifImagePlugin, Image, ImageCms, ImageFile, ImageMath, UnidentifiedImageError

from ..core.errors import InvalidInput
from ..core.i18n import N_

logger = logging.getLogger(__name__)

SIZES = {"large": 2560, "display": 1600, "share": 1200, "thumb": 400}
# The sizes that get a WebP twin beside their JPEG (PNG with transparency).  Phones (most
# visitors, more so after a share) fetch the share size, 1200 px: a 390 px wide screen of
# density 3 needs 1170; its WebP is 35-45 % smaller than the JPEG, and it takes a third of
# the time of the 1600 px WebP that pages offered before, which alone took ~50 ms of one
# core, more than the naive pipeline's whole work on a 2 MP upload
# (benchmarks/bench_pipeline.py).  The display size (1600 px, wide screens) is a JPEG: a
# desktop fetches 55-70 % more bytes than with a WebP, on a wired or Wi-Fi network; with
# transparency, whose other file is a lossless PNG several times larger, it keeps its
# WebP.  The large size, the stored master that covers and print PDFs start from, is only
# the JPEG (the PNG).  Pages offer each size once, in WebP where there is one
# (web/templating.srcset).
WEBP_SIZES = frozenset({"share", "thumb"})
WEBP_SIZES_WITH_ALPHA = WEBP_SIZES | {"display"}
# The share size is also the picture of link previews (Open Graph: Telegram, Mastodon,
# messengers), which all take a JPEG: its JPEG is laid on white where the artwork is
# transparent, and its WebP keeps the transparency for pages.
ON_WHITE = frozenset({"share"})
# AVIF before HEIF: both plugins claim the generic "mif1" brand, and only Pillow's decodes AV1.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "HEIF")

# Each decoder gets two threads, as the rest of the pipeline: libheif decodes a phone's
# 512 px tiles in parallel, dav1d the tiles of an AV1 frame.  pillow-heif is told never to
# read thumbnails (its draft() would otherwise decode one instead of the picture: a phone's
# thumbnail can show what an edit cropped away), depth maps or auxiliary images.
_DECODE_THREADS = 2
pillow_heif.register_heif_opener(
    thumbnails=False, depth_images=False, aux_images=False, decode_threads=_DECODE_THREADS
)
AvifImagePlugin.DEFAULT_MAX_THREADS = _DECODE_THREADS




UNSUPPORTED = N_(
    "This file type is not supported. Please upload a JPEG, PNG, GIF, WebP, HEIC or AVIF image."
)
DAMAGED = N_(
    "This file is damaged or incomplete. "
    "Please export it again as JPEG, PNG, GIF, WebP, HEIC or AVIF and retry."
)
TOO_MANY_PIXELS = N_(
    "This image is too large: at most %(megapixels)s megapixels are accepted. "
    "Please reduce its size and retry."
)
TOO_COSTLY = N_(
    "This image needs more memory or time to open than the gallery gives one picture. "
    "Please export it again as an ordinary JPEG, PNG or WebP and retry."
)
TOO_MANY_FRAMES = N_(
    "This animation is too large to process. "
    "Please upload a single still image or a shorter animation."
)

# Signatures of the accepted formats: a file that starts like one of them but
# cannot be read is damaged, anything else is simply a format we do not take.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# HEIF and AVIF are ISO-BMFF files: an `ftyp` box first, whose major brand names the
# format.  These are the brands pillow-heif and Pillow's AVIF plugin take (HEVC stills
# and sequences, the generic MIAF brands, AV1 stills and sequences).
_ISOBMFF_BRANDS = frozenset({
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
    b"mif1", b"msf1", b"avif", b"avis",
})

# Failures Pillow's decoders and metadata parsers raise on hostile input.
_DECODER_ERRORS = (
    OSError, SyntaxError, ValueError, EOFError, struct.error, TypeError,
    ZeroDivisionError, IndexError, KeyError, ImageCms.PyCMSError,
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

# Settings measured with benchmarks/bench_pipeline.py on a 24 MP photo and on
# the shared test photos.  WebP q80 comes within 1 dB PSNR of JPEG q85 at
# 55-75 % of the bytes.  Method 1 is as good as 0 and 5-25 % smaller (most
# on flat artwork) for a fifth more time; method 4 is 5 % smaller again but
# costs 2-4x; the thumbnail takes 2, within 3 % of 4's bytes for 40 % of its time
# (3.5 ms against 8 at 400 px).  Progressive JPEG costs 6x and
# optimize 2.5x at 1200 px and up for 3-8 % fewer bytes, so only the thumbnail
# gets optimize.
_WEBP = {"thumb": {"quality": 80, "method": 2}}
_WEBP_DEFAULT = {"quality": 80, "method": 1}
_JPEG = {"thumb": {"quality": 85, "optimize": True}}
_JPEG_DEFAULT = {"quality": 85}
# The PNG fallback is for the few browsers without WebP: zlib level 3 is 3x
# faster than 6 at 2560 px for 15-20 % more bytes.
_PNG = {"large": {"compress_level": 3}}
_PNG_DEFAULT = {"compress_level": 6}
# HAMMING costs what BILINEAR does (half of BICUBIC, a third of LANCZOS) and keeps more
# detail; it is enough for the mild reductions (1.6x from the large size to the display
# size, 1.33x from there to the share size), which took 30-40 ms each with BICUBIC or
# LANCZOS on a 2 MP upload.  The thumbnail, a stronger reduction, keeps LANCZOS' sharpness.  Before
# filtering, whole k x k blocks are averaged while at least the reducing gap times the
# final size remains (Pillow's reducing_gap): 2.0 is indistinguishable from the full
# filter; the thumbnail's 1.5 halves its cost (a 4x reduction: 8 ms instead of 16); the
# large size's 1.1 takes a 24 MP WebP or PNG to half size in one cheap pass before the
# filter (a third of the time).
_RESAMPLE = {
    "large": Image.Resampling.HAMMING,
    "display": Image.Resampling.HAMMING,
    "share": Image.Resampling.HAMMING,
}
_RESAMPLE_DEFAULT = Image.Resampling.LANCZOS
_REDUCING_GAP = {"large": 1.1, "thumb": 1.5}
# The display size keeps a picture at most a quarter larger than its cap (up to 2000 px)
# as it is, like one smaller than the cap: the large copy then serves wide screens at that
# size too.  So mild a reduction (1800 to 1600 px) was the longest step of a 2 MP upload,
# ~35 ms of CPU, for a fifth fewer bytes on a wide screen.
_KEEP_WITHIN = {"display": 1.25}
_REDUCING_GAP_DEFAULT = 2.0
# The large size of a JPEG may be as small as this share of its cap, when libjpeg's scaled
# decoding gets there (see _decode_large): 1920 px of 2560, still more than a 1600 px
# display size, for a third of the upload's time on 12 MP photos.
_DRAFT_FLOOR = 0.75
# From this many output pixels, a resize runs as two bands on two threads, before any
# encode starts (on a 24 MP photo the display size goes from ~65 ms to ~30 ms); smaller
# sizes are resized on a helper thread, beside the encodes.
_BAND_MIN_PIXELS = 500_000

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_PROFILE_SPACE = {"RGB": "RGB ", "L": "GRAY", "CMYK": "CMYK"}


class InvalidImage(InvalidInput):
    """A refused file: .reason tells the uploader politely what to do; .status is 400 or 413.

    .template and .params let a caller translate the reason before filling it in."""

    public = True

    def __init__(self, template: str, status: int = 400, **params: str):
        super().__init__(template, **params)
        self.reason = str(self)
        self.status = status


@dataclass(frozen=True)
class Rendition:
    """One encoded size of an artwork."""

    size: str
    format: str
    width: int
    height: int
    data: bytes = field(repr=False)

    @property
    def filename(self) -> str:
        """Stored file name, e.g. "share.webp" or "thumb.jpg"."""
        return f"{self.size}.{'jpg' if self.format == 'jpeg' else self.format}"


@dataclass(frozen=True)
class ProcessedImage:
    """The cleaned artwork: its facts and every rendition."""

    source_format: str
    width: int
    height: int
    has_alpha: bool
    animated: bool
    sha256: str
    renditions: tuple[Rendition, ...]
    # 64-bit perceptual hash (16 hex digits) of the smallest rendition, for the moderators'
    # near-duplicate hints; None when it could not be computed (the upload still goes on).
    phash: str | None = None


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


def perceptual_hash(renditions: Iterable[Rendition]) -> str | None:
    """imagehash's pHash of the picture, as 16 hex digits, read from the smallest JPEG or PNG
    rendition already encoded (a 400 px thumbnail, decoded in grey at a quarter of its size:
    about a millisecond), transparent parts laid on white as a visitor sees them.

    Two copies of one picture, re-encoded, resized, slightly cropped or recoloured, differ
    in a few of the 64 bits; unrelated pictures in about half (see the README)."""
    try:
        smallest = min((r for r in renditions if r.format in ("jpeg", "png")),
                       key=lambda r: r.width * r.height)  # fmt: skip
        with Image.open(io.BytesIO(smallest.data)) as im:
            im.draft("L", (64, 64))  # JPEG: libjpeg decodes straight to small and grey
            return str(imagehash.phash(_on_white(im.convert("LA" if "A" in im.mode else "L"))))
    except Exception:  # noqa: BLE001 - a hint for moderators must never cost an upload
        logger.exception("could not compute the perceptual hash of an upload")
        return None


@contextmanager
def _prompt_gil_handover() -> Iterator[None]:
    """Let threads take turns on the GIL every 0.5 ms instead of 5 while images are made.

    Pillow's resizes and its WebP and PNG encoders let go of the GIL, but its JPEG encoder
    keeps it: a thread that finished a resize then waits up to the switch interval for the
    JPEG thread to hand over, 5 ms each time by default (10-15 % of a 2 MP upload).  Only
    a speed setting, so concurrent uploads in one process may leave it at 0.5 ms."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, 0.0005))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


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
        grey.putalpha(ImageMath.lambda_eval(
            lambda e: e["convert"](e["notequal"](e["im"], transparent) * 255, "L"), im=wide
        ))
    return grey


def _opaque_if_possible(im: Image.Image) -> tuple[Image.Image, bool]:
    """Drop an alpha channel that hides nothing; report whether one remains."""
    if im.mode not in ("LA", "RGBA"):
        return im, False
    if im.getextrema()[-1][0] == 255:
        return im.convert(im.mode[:-1]), False
    return im, True


def _fit_size(size: tuple[int, int], cap: int) -> tuple[int, int]:
    width, height = size
    scale = cap / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _fit(im: Image.Image, cap: int, name: str, bands: int = 1) -> Image.Image:
    """Shrink so the long edge is at most cap, with the filter of that size; never enlarge,
    and leave a picture within _KEEP_WITHIN of the cap as it is."""
    size = _fit_size(im.size, cap)
    if size == im.size or max(im.size) <= cap * _KEEP_WITHIN.get(name, 1.0):
        return im
    resample = _RESAMPLE.get(name, _RESAMPLE_DEFAULT)
    # What reducing_gap does inside resize(), done first here so the rest can run in bands:
    # average k x k blocks, leaving at least `gap` times the final size to the filter.
    # The scale is read on the long edge: the short one's is off by its rounding (800 to
    # 267 px is 2.996x, which would lose the 2 x 2 step of a 3x reduction).
    scale = max(im.size) / max(size)
    factor = int(scale / _REDUCING_GAP.get(name, _REDUCING_GAP_DEFAULT))
    if factor >= 2:
        im = im.reduce(factor)
    if bands > 1 and size[0] * size[1] >= _BAND_MIN_PIXELS:
        return _resize_in_bands(im, size, resample, bands)
    return im.resize(size, resample)


def _resize_in_bands(
    im: Image.Image, size: tuple[int, int], resample: Image.Resampling, bands: int
) -> Image.Image:
    """Resize horizontal bands on parallel threads (Pillow lets go of the GIL to resample)."""
    # Each band's box is given in source coordinates and the filter still reads the rows
    # just outside it, so the bands meet without a seam (at most 1 in 255 of rounding).
    width, height = size
    scale = im.height / height
    edges = [height * i // bands for i in range(bands + 1)]
    jobs = [((width, b - a), (0, a * scale, im.width, b * scale)) for a, b in zip(edges, edges[1:])]
    parts = list(_pool().map(lambda job: im.resize(job[0], resample, box=job[1]), jobs))
    out = Image.new(im.mode, size, None)  # every pixel is pasted below
    for top, part in zip(edges, parts):
        out.paste(part, (0, top))
    return out


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


def _renditions(large: Image.Image, has_alpha: bool, caps) -> list[Rendition]:
    """Encode every size, largest first (in each size the WebP first): the large one as
    it is, each smaller one resized from the one above it.

    Pillow lets go of the GIL to resize and to encode (but for JPEG: see
    _prompt_gil_handover), so two threads share the work.  First the sizes of half a
    megapixel or more (display, share) are resized in turn, each in two bands on both
    threads; then the helpers take the WebPs (the slowest encodes) first, the smaller
    sizes (resize and encodes) and the other files.  No two jobs save the same Image
    object, as save() sets attributes on it; several may read one."""
    (large_name, _), *smaller = caps
    if not smaller:
        return [_encode(*task) for task in _encodings(large, large_name, has_alpha)]
    pool = _pool()
    made, source, small = {large_name: large}, large, []
    for name, cap in smaller:
        width, height = _fit_size(source.size, cap)
        if small or width * height < _BAND_MIN_PIXELS:
            small.append((name, cap))
        else:
            source = made[name] = _own(_fit(source, cap, name, bands=2), source)
    tasks = [task for name, im in made.items() for task in _encodings(im, name, has_alpha)]
    webps = [pool.submit(_encode, *task) for task in tasks if task[2] == "webp"]
    derived = [pool.submit(_derive, source, size, has_alpha) for size in small]
    files = webps + [pool.submit(_encode, *task) for task in tasks if task[2] != "webp"]
    done = [job.result() for job in files] + [r for job in derived for r in job.result()]
    order = [name for name, _ in caps]  # largest first; in each size the WebP first
    return sorted(done, key=lambda r: (order.index(r.size), r.format != "webp"))


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The process's two helper threads for resizing and encoding, started on first use
    (after gunicorn forks its workers: threads do not survive a fork, so a pool inherited
    from another process is replaced).  Starting threads for each upload cost 5-7 ms of a
    2 MP one.  No job waits for another job, so uploads sharing it only queue."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="images"))
        return _POOL[1]


def _derive(source: Image.Image, size: tuple[str, int], has_alpha: bool) -> list[Rendition]:
    """One smaller size, resized from source and encoded (on a helper thread)."""
    name, cap = size
    im = _own(_fit(source, cap, name), source)
    return [_encode(*task) for task in _encodings(im, name, has_alpha)]


def _own(im: Image.Image, source: Image.Image) -> Image.Image:
    """im, or a copy of it when resizing left it the very object another job saves."""
    return im.copy() if im is source else im


def _encodings(im: Image.Image, name: str, has_alpha: bool) -> list[tuple]:
    """The (image, size, format, settings) of each file of one size, the WebP first.  The
    WebP gets an Image of its own; the fallback is saved from im itself."""
    if name in ON_WHITE:
        fallback = (_on_white(im), name, "jpeg", _JPEG.get(name, _JPEG_DEFAULT))
    elif has_alpha:
        fallback = (im, name, "png", _PNG.get(name, _PNG_DEFAULT))
    else:
        fallback = (im, name, "jpeg", _JPEG.get(name, _JPEG_DEFAULT))
    if name not in (WEBP_SIZES_WITH_ALPHA if has_alpha else WEBP_SIZES):
        return [fallback]
    webp_mode = "RGBA" if has_alpha else "RGB"  # WebP has no grey
    webp = im.copy() if im.mode == webp_mode else im.convert(webp_mode)
    return [(webp, name, "webp", _WEBP.get(name, _WEBP_DEFAULT)), fallback]


def _master_sha256(renditions: Sequence[Rendition], caps) -> str:
    """The SHA-256 of the largest size's file: the master the store keeps (JPEG or PNG)."""
    largest = caps[0][0]
    return hashlib.sha256(next(r.data for r in renditions if r.size == largest)).hexdigest()


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


def _on_white(im: Image.Image) -> Image.Image:
    """The image as JPEG can hold it: transparent parts laid on white."""
    if im.mode not in ("LA", "RGBA"):
        return im
    out = Image.new(im.mode[:-1], im.size, 255 if im.mode == "LA" else (255, 255, 255))
    out.paste(im, mask=im.getchannel("A"))
    return out


def _encode(im: Image.Image, name: str, fmt: str, params: Mapping) -> Rendition:
    # Only explicit arguments: im.info is empty, so Pillow has nothing to copy.
    buf = io.BytesIO()
    im.save(buf, fmt.upper(), **params)
    return Rendition(name, fmt, im.width, im.height, buf.getvalue())
