"""Check uploaded artworks, strip everything but the pixels, and encode the renditions.

An uploaded file can put its maker in prison (a GPS tag, a camera serial, an
editing history) and the upload form is open to hostile files.  So nothing of
the upload is ever published: every pixel is decoded once, copied into a fresh
image and encoded again with explicit settings.

Multi-frame files (animated GIF/WebP/PNG, MPO from 3-D and some phone cameras)
are accepted within limits, and their first frame is published as a still.
"""
from __future__ import annotations

import hashlib
import io
import logging
import struct
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

from PIL import Image, ImageCms, ImageFile, ImageMath, UnidentifiedImageError

logger = logging.getLogger(__name__)

SIZES = {"large": 2560, "display": 1600, "share": 1200, "thumb": 400}
# Sizes made in one format only: the share preview is the JPEG that Open Graph readers
# (Telegram, Mastodon, messengers) all take, about 1200 px wide, on white where the
# artwork is transparent.
SINGLE_FORMAT = {"share": "jpeg"}
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")



def N_(message: str) -> str:
    """Marks a message for translation (extracted by Babel) without translating it here."""
    return message


UNSUPPORTED = N_("This file type is not supported. Please upload a JPEG, PNG, GIF or WebP image.")
DAMAGED = N_(
    "This file is damaged or incomplete. "
    "Please export it again as JPEG, PNG, GIF or WebP and retry."
)
TOO_MANY_PIXELS = N_(
    "This image is too large: at most %(megapixels)s megapixels are accepted. "
    "Please reduce its size and retry."
)
TOO_MANY_FRAMES = N_(
    "This animation is too large to process. "
    "Please upload a single still image or a shorter animation."
)

# Signatures of the accepted formats: a file that starts like one of them but
# cannot be read is damaged, anything else is simply a format we do not take.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")

# Failures Pillow's decoders and metadata parsers raise on hostile input.
_DECODER_ERRORS = (
    OSError, SyntaxError, ValueError, EOFError, struct.error, TypeError,
    ZeroDivisionError, IndexError, KeyError, ImageCms.PyCMSError,
)

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
# about 75 % of the bytes.  Method 1 is as good as 0 and 5-25 % smaller (most
# on flat artwork) for a fifth more time; method 4 is 5 % smaller again but
# costs 3x, which only the thumbnail can afford.  The large WebP is the
# slowest step and the least viewed size, so it gets method 0.  Progressive
# JPEG costs 6x and optimize 2.5x at 2560 px for 3-8 % fewer bytes, so only
# the small sizes get optimize.
_WEBP = {"large": {"quality": 80, "method": 0}, "display": {"quality": 80, "method": 1}}
_WEBP_DEFAULT = {"quality": 80, "method": 4}
_JPEG = {"large": {"quality": 85}}
_JPEG_DEFAULT = {"quality": 85, "optimize": True}
# The PNG fallback is for the few browsers without WebP: zlib level 3 is 3x
# faster than 6 at 2560 px for 15-20 % more bytes.
_PNG = {"large": {"compress_level": 3}}
_PNG_DEFAULT = {"compress_level": 6}
# HAMMING costs what BILINEAR does (half of LANCZOS) and keeps more detail; it
# is enough for the first, mild reduction.  reducing_gap lets Pillow
# box-reduce large factors before filtering, at no visible cost.
_RESAMPLE = {"large": Image.Resampling.HAMMING, "display": Image.Resampling.BICUBIC}
_RESAMPLE_DEFAULT = Image.Resampling.LANCZOS
_REDUCING_GAP = 2.0
# From this many output pixels, the first resize (the slowest, before any thread is busy)
# runs as two bands on two threads: on a 24 MP photo it goes from ~65 ms to ~30 ms.
_BAND_MIN_PIXELS = 1_000_000

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_PROFILE_SPACE = {"RGB": "RGB ", "L": "GRAY", "CMYK": "CMYK"}


class InvalidImage(Exception):
    """A refused file: .reason tells the uploader politely what to do; .status is 400 or 413.

    .template and .params let a caller translate the reason before filling it in."""

    def __init__(self, template: str, status: int = 400, **params: str):
        self.template = template
        self.params = params
        self.reason = template % params if params else template
        self.status = status
        super().__init__(self.reason)


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
        """Stored file name, e.g. "display.webp" or "thumb.jpg"."""
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
    scanned = _gif_canvas(fp) if fp.read(4) == b"GIF8" else (0, 0, 0)
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
    fallback = renditions[1].data
    return ProcessedImage(
        source_format=source_format,
        width=large.width,
        height=large.height,
        has_alpha=has_alpha,
        animated=frames > 1,
        sha256=hashlib.sha256(fallback).hexdigest(),
        renditions=tuple(renditions),
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
    return head.startswith(_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


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
        # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding: far less work
        # and memory; draft never goes below the size asked for.
        src.draft(None, target)
    src.load()
    orientation = _orientation(src)
    icc = src.info.get("icc_profile")
    im, has_alpha = _opaque_if_possible(_eight_bit(src))
    im = _fit(im, cap, _RESAMPLE.get("large", _RESAMPLE_DEFAULT), bands=2)
    if orientation in _TRANSPOSE:
        im = im.transpose(_TRANSPOSE[orientation])
    im = _to_srgb(im, icc)
    if has_alpha:
        # Colour under fully transparent pixels is invisible but kept by PNG:
        # premultiplying zeroes it, so nothing "erased" survives.
        im = im.convert(im.mode[:-1] + "a").convert(im.mode)
    return _fresh(im), has_alpha


def _orientation(im: Image.Image) -> int:
    """EXIF (or XMP) orientation, or 1 when the metadata cannot be trusted."""
    try:
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


def _fit(im: Image.Image, cap: int, resample: Image.Resampling, bands: int = 1) -> Image.Image:
    """Shrink so the long edge is at most cap; never enlarge."""
    size = _fit_size(im.size, cap)
    if size == im.size:
        return im
    if bands > 1 and im.height / size[1] < _REDUCING_GAP and size[0] * size[1] >= _BAND_MIN_PIXELS:
        return _resize_in_bands(im, size, resample, bands)
    return im.resize(size, resample, reducing_gap=_REDUCING_GAP)


def _resize_in_bands(
    im: Image.Image, size: tuple[int, int], resample: Image.Resampling, bands: int
) -> Image.Image:
    """Resize horizontal bands on parallel threads (Pillow lets go of the GIL to resample)."""
    # Each band's box is given in source coordinates and the filter still reads the rows
    # just outside it, so the bands meet without a seam (at most 1 in 255 of rounding).
    # Only without a reducing_gap pre-reduction, which would cut the image at the box.
    width, height = size
    scale = im.height / height
    edges = [height * i // bands for i in range(bands + 1)]
    jobs = [((width, b - a), (0, a * scale, im.width, b * scale)) for a, b in zip(edges, edges[1:])]
    with ThreadPoolExecutor(max_workers=bands) as pool:
        parts = list(pool.map(lambda job: im.resize(job[0], resample, box=job[1]), jobs))
    out = Image.new(im.mode, size)
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
    out = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB")
    if alpha is not None:
        out.putalpha(alpha)
    return out


def _fresh(im: Image.Image) -> Image.Image:
    """Copy the pixels alone: no info, EXIF, palette or profile can follow."""
    clean = Image.new(im.mode, im.size)
    clean.paste(im)
    return clean


def _renditions(large: Image.Image, has_alpha: bool, caps) -> list[Rendition]:
    """Encode every size, each derived from the previous one rather than the source."""
    # WebP encoding and resizing release the GIL, so helper threads encode the
    # WebP files while this thread resizes and writes the fallbacks.  Each
    # thread saves its own Image object, as save() sets attributes on it.
    webp_mode = "RGBA" if has_alpha else "RGB"
    with ThreadPoolExecutor(max_workers=2) as pool:
        pairs = []
        im = large
        for name, cap in caps:
            im = _fit(im, cap, _RESAMPLE.get(name, _RESAMPLE_DEFAULT))
            if name in SINGLE_FORMAT:
                pairs.append((None, _encode(_on_white(im), name, "jpeg", _JPEG_DEFAULT)))
                continue
            webp = im.copy() if im.mode == webp_mode else im.convert(webp_mode)  # WebP has no grey
            job = pool.submit(_encode, webp, name, "webp", _WEBP.get(name, _WEBP_DEFAULT))
            pairs.append((job, _encode_fallback(im, name, has_alpha)))
        return [r for job, other in pairs for r in ((job.result(), other) if job else (other,))]


def _on_white(im: Image.Image) -> Image.Image:
    """The image as JPEG can hold it: transparent parts laid on white."""
    if im.mode not in ("LA", "RGBA"):
        return im
    out = Image.new(im.mode[:-1], im.size, 255 if im.mode == "LA" else (255, 255, 255))
    out.paste(im, mask=im.getchannel("A"))
    return out


def _encode_fallback(im: Image.Image, name: str, has_alpha: bool) -> Rendition:
    if has_alpha:
        return _encode(im, name, "png", _PNG.get(name, _PNG_DEFAULT))
    return _encode(im, name, "jpeg", _JPEG.get(name, _JPEG_DEFAULT))


def _encode(im: Image.Image, name: str, fmt: str, params: Mapping) -> Rendition:
    # Only explicit arguments: im.info is empty, so Pillow has nothing to copy.
    buf = io.BytesIO()
    im.save(buf, fmt.upper(), **params)
    return Rendition(name, fmt, im.width, im.height, buf.getvalue())
