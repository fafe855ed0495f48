"""What the shared hostile test images must give, and how to check a published file is clean.

Used by the pipeline tests (test_images.py) and the upload tests (test_submit.py)."""

from __future__ import annotations

import io
import random
import struct

import pytest
from PIL import Image, ImageChops, ImageStat

from gallery import images
from gallery.images import InvalidImage, ProcessedImage, Rendition

# Expected outcome for every file of the shared hostile test folder, by the
# groups of its README.  A refused file maps to (status, reason).
UNSUPPORTED, DAMAGED = images.UNSUPPORTED, images.DAMAGED
TOO_LARGE = images.TOO_MANY_PIXELS % {"megapixels": "40"}
REFUSED = {
    "bombs": {
        "decompression_bomb.gif": (413, TOO_LARGE),
        "decompression_bomb_extents.gif": (413, TOO_LARGE),
        "png_decompression_dos.png": (400, DAMAGED),
        "zero_width.gif": (400, DAMAGED),
        "decompression_bomb.ico": (400, UNSUPPORTED),
    },
    "truncated": {
        "truncated_jpeg.jpg": (400, DAMAGED),
        "truncated_image.png": (400, DAMAGED),
        "truncated_end_chunk.png": (400, DAMAGED),
        "broken_data_stream.png": (400, DAMAGED),
        "broken.png": (400, DAMAGED),
    },
    "formats": {
        "crash-0c7e0e8e11ce787078f00b5b0ca409a167f070e0.tif": (400, UNSUPPORTED),
        "crash-465703f71a0f0094873a3e0e82c9f798161171b8.sgi": (400, UNSUPPORTED),
        "timeout-1ee28a249896e05b83840ae8140622de8e648ba9.psd": (400, UNSUPPORTED),
        "eps_timeout-d675703545fee17acab56e5fec644c19979175de.eps": (400, UNSUPPORTED),
    },
    # The primary image of this Ultra HDR sample is cut short in Pillow's copy.
    "broken metadata": {"ultrahdr.jpg": (400, DAMAGED)},
}
ACCEPTED = {
    "metadata": [
        "exif_gps.jpg",
        "empty_gps_ifd.jpg",
        "multiple_exif.jpg",
        "xmp_test.jpg",
        "iptc.jpg",
        "app13.jpg",
        "itxt_chunks.png",
        "multiple_comments.gif",
    ],
    "broken metadata": [
        "hopper_bad_exif.jpg",
        "invalid-exif.jpg",
        "exif-dpi-zerodivision.jpg",
        "exif_gps_typeerror.jpg",
        "truncated_exif_dpi.jpg",
        "junk_jpeg_header.jpg",
    ],
    "orientation": [
        *(f"hopper_orientation_{n}.jpg" for n in range(2, 9)),
        "hopper_orientation_6.webp",
        "orientation_rectangle.jpg",
        "exif_imagemagick_orientation.png",
        "xmp_tags_orientation.png",
    ],
    "colour": [
        "pil_sample_cmyk.jpg",
        "icc_profile_big.jpg",
        "icc-after-SOF.jpg",
        "icc_profile.png",
        "i_trns.png",
        "1_trns.png",
        "p_16.png",
        "tRNS_null_1x1.png",
        "transparent.gif",
        "l_trns.png",
    ],
    "animated": ["iss634.gif", "iss634.webp", "chi.gif", "apng_mode_16bit.png", "sugarshack.mpo"],
    "controls": ["hopper.jpg", "hopper.png", "hopper.gif", "hopper.webp"],
    # Listed as refused in the shared README, from before phones' formats were taken.
    "phone formats": ["avif_hopper.avif"],
}
TRANSPARENT = {"i_trns.png", "1_trns.png", "tRNS_null_1x1.png", "transparent.gif", "l_trns.png"}
ANIMATED = {*ACCEPTED["animated"], "multiple_comments.gif"}
ACCEPTED_FILES = [
    pytest.param(name, id=f"{group}:{name}") for group, names in ACCEPTED.items() for name in names
]
REFUSED_FILES = [
    pytest.param(name, status, reason, id=f"{group}:{name}")
    for group, files in REFUSED.items()
    for name, (status, reason) in files.items()
]

# Things that must never reach a published file.
FORBIDDEN_BYTES = [
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap",
    b"Photoshop 3.0",
    b"8BIM",
    b"tEXt",
    b"iTXt",
    b"zTXt",
    b"eXIf",
    b"iCCP",
    b"ICC_PROFILE",
    b"XML:com.adobe.xmp",
    b"<x:xmpmeta",
]
# What Pillow reports for any file it reads back, from the format itself.
ALLOWED_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",  # JPEG
    "loop",
    "background",
    "timestamp",
    "duration",  # WebP
}
PNG_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


def chunks(data: bytes, start: int, header: str) -> list[bytes]:
    """Chunk types of a PNG (header ">I4s", after the 8-byte signature) or RIFF ("<4sI")."""
    types, pos = [], start
    while pos < len(data):
        if header == ">I4s":
            length, kind = struct.unpack_from(header, data, pos)
            pos += 12 + length
        else:
            kind, length = struct.unpack_from(header, data, pos)
            pos += 8 + length + (length & 1)
        types.append(kind)
    assert pos == len(data), "bytes after the last chunk"
    return types


def assert_clean(r: Rendition) -> None:
    """Nothing but pixels: no metadata of any kind, nothing after the image's end."""
    assert_clean_bytes(r.data, r.format, (r.width, r.height))


def assert_clean_bytes(data: bytes, fmt: str, size: tuple[int, int] | None = None) -> None:
    """As assert_clean, for a stored file's bytes ("jpeg", "png" or "webp")."""
    for marker in FORBIDDEN_BYTES:
        assert marker not in data, marker
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        assert im.format == {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt]
        assert set(im.info) <= ALLOWED_INFO, im.info
        assert not im.getexif()
        if size is not None:
            assert im.size == size
    if fmt == "jpeg":
        assert data.endswith(b"\xff\xd9")
        assert data.count(b"\xff\xd8") == 1, "an embedded thumbnail or second image"
    elif fmt == "png":
        assert set(chunks(data, 8, ">I4s")) <= PNG_CHUNKS
    else:
        assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
        assert set(chunks(data, 12, "<4sI")) <= WEBP_CHUNKS


# ---- reading what the pipeline gave (shared by test_images.py and test_heif.py) ----


def opened(rendition: Rendition) -> Image.Image:
    im = Image.open(io.BytesIO(rendition.data))
    im.load()
    return im


def rendition(result: ProcessedImage, size: str, fmt: str | None = None) -> Rendition:
    matches = [r for r in result.renditions if r.size == size and (fmt is None or r.format == fmt)]
    return matches[-1]  # the fallback when no format is asked for


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def refused(data: bytes, **kwargs) -> InvalidImage:
    with pytest.raises(InvalidImage) as caught:
        images.process(io.BytesIO(data), **kwargs)
    return caught.value


def layout(fallback: str) -> list[tuple[str, str]]:
    """The files of an upload, in order: the large size only as JPEG (PNG with
    transparency), the display size too but for a WebP with transparency, the share size
    as WebP and JPEG (always: on white), the thumbnail as WebP and fallback."""
    display = [("display", "webp")] if fallback == "png" else []
    return [
        ("large", fallback),
        *display,
        ("display", fallback),
        ("share", "webp"),
        ("share", "jpeg"),
        ("thumb", "webp"),
        ("thumb", fallback),
    ]


def mutations(data: bytes, count: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    out = [data[:n] for n in rnd.sample(range(len(data)), min(count // 2, len(data)))]
    while len(out) < count:
        mutated = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            mutated[rnd.randrange(len(mutated))] = rnd.randrange(256)
        out.append(bytes(mutated))
    return out


UNEXPECTED = "unexpected failure while processing an uploaded image"  # what process() logs


def unexpected_failures(caplog) -> list[str]:
    """The exceptions process() did not foresee: it wraps them as DAMAGED, and logs them."""
    return [
        r.exc_text or repr(r.exc_info)
        for r in caplog.records
        if r.name == images.__name__ and r.getMessage() == UNEXPECTED
    ]
