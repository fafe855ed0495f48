"""The upload image pipeline: what it accepts, what it refuses, and what it leaves behind."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import subprocess
import warnings

import pytest
from PIL import (
    EpsImagePlugin,
    ExifTags,
    Image,
    ImageChops,
    ImageCms,
    ImageFile,
    ImageStat,
    JpegImagePlugin,
    PngImagePlugin,
)

from gallery import images
from gallery.images import InvalidImage, ProcessedImage, Rendition
from gallery.images.encode import _resize_in_bands
from helpers import encode
from imagecheck import (
    ACCEPTED,
    ACCEPTED_FILES,
    ANIMATED,
    DAMAGED,
    REFUSED,
    REFUSED_FILES,
    TOO_LARGE,
    TRANSPARENT,
    UNSUPPORTED,
    assert_clean,
    layout,
    mean_abs_diff,
    mutations,
    opened,
    refused,
    rendition,
    unexpected_failures,
)


@pytest.fixture(scope="session")
def shared(testdata_dir):
    """Process a shared test file once per session and return the result."""
    cache: dict[str, ProcessedImage] = {}

    def run(name: str) -> ProcessedImage:
        if name not in cache:
            with (testdata_dir / name).open("rb") as fp:
                cache[name] = images.process(fp)
        return cache[name]

    return run


def read(path) -> Image.Image:
    """A shared file's pixels as RGB, with the file closed again."""
    with Image.open(path) as im:
        return im.convert("RGB")


def test_table_covers_every_shared_file(testdata_dir):
    listed = {n for files in REFUSED.values() for n in files}
    listed |= {n for names in ACCEPTED.values() for n in names}
    present = {p.name for p in testdata_dir.iterdir() if p.suffix.lower() not in {".md", ".pillow"}}
    assert listed == present


@pytest.mark.parametrize("name", ACCEPTED_FILES)
def test_shared_file_is_accepted_clean(shared, name):
    result = shared(name)
    fallback = "png" if result.has_alpha else "jpeg"
    assert [(r.size, r.format) for r in result.renditions] == layout(fallback)
    for r in result.renditions:
        assert_clean(r)
    assert result.source_format in {"JPEG", "PNG", "GIF", "WEBP", "AVIF"}
    assert result.has_alpha == (name in TRANSPARENT)
    assert result.animated == (name in ANIMATED)
    assert result.sha256 == hashlib.sha256(rendition(result, "large").data).hexdigest()
    large = result.renditions[0]
    assert (result.width, result.height) == (large.width, large.height)


@pytest.mark.parametrize(("name", "status", "reason"), REFUSED_FILES)
def test_shared_file_is_refused(testdata_dir, name, status, reason):
    error = refused((testdata_dir / name).read_bytes())
    assert (error.status, error.reason) == (status, reason)


ORIENTED = [f"hopper_orientation_{n}.jpg" for n in range(2, 9)] + ["hopper_orientation_6.webp"]


@pytest.mark.parametrize("name", ORIENTED)
def test_exif_orientation_is_applied(shared, testdata_dir, name):
    upright = read(testdata_dir / "hopper.jpg")
    stored = read(testdata_dir / name)
    large = opened(rendition(shared(name), "large"))
    assert mean_abs_diff(stored, upright) > 40  # else this test could not fail
    assert mean_abs_diff(large, upright) < 10


@pytest.mark.parametrize("name", ["exif_imagemagick_orientation.png", "xmp_tags_orientation.png"])
def test_png_exif_and_xmp_orientation_is_applied(shared, testdata_dir, name):
    stored = read(testdata_dir / name)
    large = opened(rendition(shared(name), "large"))
    assert mean_abs_diff(large, stored.rotate(180)) < mean_abs_diff(large, stored) / 2


def test_orientation_swaps_width_and_height(shared):
    result = shared("orientation_rectangle.jpg")
    assert (result.width, result.height) == (1, 2)
    assert {(r.width, r.height) for r in result.renditions} == {(1, 2)}


def test_adobe_cmyk_is_not_inverted(shared):
    # The sample is red in the top left corner and black in the bottom right.
    large = opened(rendition(shared("pil_sample_cmyk.jpg"), "large")).convert("RGB")
    r, g, b = large.getpixel((0, 0))
    assert r > 200 and g < 80 and b < 80
    assert sum(large.getpixel((large.width - 1, large.height - 1))) < 60


def test_icc_profile_is_converted_to_srgb(shared, testdata_dir):
    # "ColorMatch RGB" is wider than sRGB: the same numbers look duller in sRGB.
    with Image.open(testdata_dir / "xmp_tags_orientation.png") as source:
        stored = source.convert("RGB").rotate(180)
        profile = io.BytesIO(source.info["icc_profile"])
    large = opened(rendition(shared("xmp_tags_orientation.png"), "large"))
    assert mean_abs_diff(large, stored) > 5
    expected = ImageCms.profileToProfile(stored, profile, ImageCms.createProfile("sRGB"))
    assert mean_abs_diff(large, expected) < 3


def test_sixteen_bit_grey_is_scaled_not_clipped(shared):
    thumb = opened(rendition(shared("i_trns.png"), "thumb", "png"))
    grey, alpha = thumb.convert("LA").split()
    visible = ImageStat.Stat(grey, mask=alpha.point(lambda a: 255 if a else 0))
    assert visible.mean[0] < 128  # clipping 16-bit values at 255 makes it white
    assert alpha.getextrema() == (0, 255)


def test_sixteen_bit_mid_grey_stays_mid_grey():
    row = struct.pack("<20H", *[1000] * 20) + struct.pack("<20H", *[128 * 257] * 20)
    im = Image.frombytes("I;16", (40, 20), row * 20)  # transparent left half, mid grey right
    result = images.process(io.BytesIO(encode(im, "PNG", transparency=1000)))
    assert result.has_alpha
    thumb = opened(rendition(result, "thumb", "png")).convert("LA")
    assert thumb.getpixel((30, 10)) == (128, 255)
    assert thumb.getpixel((10, 10))[1] == 0


@pytest.mark.parametrize("name", sorted(TRANSPARENT))
def test_transparency_is_kept(shared, name):
    result = shared(name)
    for r in result.renditions:
        im = opened(r)
        if (r.size, r.format) == ("share", "jpeg"):  # the link preview is a JPEG on white
            assert im.format == "JPEG" and not im.has_transparency_data
            continue
        assert im.has_transparency_data
        assert im.convert("RGBA").getchannel("A").getextrema()[0] == 0


def test_opaque_alpha_channel_is_dropped():
    data = encode(Image.new("RGBA", (20, 10), (10, 200, 30, 255)), "PNG")
    result = images.process(io.BytesIO(data))
    assert not result.has_alpha
    assert [(r.size, r.format) for r in result.renditions] == layout("jpeg")
    assert opened(rendition(result, "share", "webp")).mode == "RGB"
    assert opened(rendition(result, "thumb", "webp")).mode == "RGB"
    assert opened(rendition(result, "large", "jpeg")).mode == "RGB"


def test_colour_hidden_under_full_transparency_is_erased():
    im = Image.new("RGBA", (20, 10), (255, 0, 0, 0))  # "erased", yet still red
    im.paste((0, 0, 255, 255), (0, 0, 10, 10))
    result = images.process(io.BytesIO(encode(im, "PNG")))
    large = opened(rendition(result, "large", "png"))
    assert large.getpixel((15, 5)) == (0, 0, 0, 0)
    assert large.getpixel((5, 5)) == (0, 0, 255, 255)


def test_multi_frame_files_publish_the_first_frame(shared):
    assert shared("sugarshack.mpo").source_format == "JPEG"
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    result = images.process(io.BytesIO(data))
    assert result.animated
    assert opened(rendition(result, "large")).convert("RGB").getpixel((32, 24))[0] > 200


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Hello, this is just some text.\n" * 10, id="text"),
        pytest.param(b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body>", id="html"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>",
            id="svg",
        ),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="pdf"),
        pytest.param(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", id="eps"),
        pytest.param(b"", id="empty"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="zip"),
    ],
)
def test_non_images_are_refused(data):
    error = refused(data)
    assert (error.status, error.reason) == (400, UNSUPPORTED)
    assert "JPEG, PNG, GIF, WebP, HEIC or AVIF" in error.reason


def test_other_image_formats_are_refused_by_content():
    for fmt in ("TIFF", "BMP", "ICO", "PPM"):
        assert refused(encode(Image.new("RGB", (8, 8)), fmt)).reason == UNSUPPORTED


REFUSED_EPS = "eps_timeout-d675703545fee17acab56e5fec644c19979175de.eps"


@pytest.mark.parametrize("source", ["shared", "generated"])
def test_eps_never_starts_ghostscript(monkeypatch, testdata_dir, source):
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise AssertionError("must not be reached")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", spy)
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", spy)
    for name in ("Popen", "run", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, spy)
    if source == "shared":
        data = (testdata_dir / REFUSED_EPS).read_bytes()
    else:
        data = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n0 0 moveto 10 10 lineto\n"
    assert refused(data).status == 400
    assert calls == []


def test_huge_dimensions_are_refused_before_decoding(monkeypatch):
    data = encode(Image.new("1", (8000, 8000)), "PNG")  # 64 MP in a few kB
    loads = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self))
    error = refused(data)
    assert (error.status, error.reason) == (413, TOO_LARGE)
    assert loads == []


def test_max_pixels_limit_is_inclusive():
    data = encode(Image.new("RGB", (100, 50), "teal"), "PNG")
    assert images.process(io.BytesIO(data), max_pixels=5000).width == 100
    error = refused(data, max_pixels=4999)
    assert error.status == 413
    assert "0.004999 megapixels" in error.reason


def test_pillow_bomb_warning_and_error_become_413(monkeypatch):
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)  # warning above this, error above twice
    assert refused(data, max_pixels=10**6).status == 413
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4000)
    assert refused(data, max_pixels=10**6).status == 413


def test_frames_times_area_is_capped():
    frames = [Image.new("RGB", (100, 100), (i * 12, 0, 0)) for i in range(20)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert images.process(io.BytesIO(data), max_frames_area=200_000).animated
    error = refused(data, max_frames_area=199_999)
    assert (error.status, error.reason) == (413, images.TOO_MANY_FRAMES)


def test_gif_frame_reaching_past_the_canvas_counts_in_full():
    # A 10x10 GIF whose second frame claims to start at (60000, 60000).
    frame = bytes([0x2C]) + struct.pack("<HHHHB", 60000, 60000, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    data = encode(Image.new("P", (10, 10)), "GIF")
    error = refused(data[:-1] + frame + b";")
    assert error.status == 413


def test_gps_serial_and_exif_written_by_pillow_vanish():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ProtestCam"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-0451-XYZ"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (37.0, 37.0, 4.25)
    gps[ExifTags.GPS.GPSAreaInformation] = "HIDEOUT-AREA"
    data = encode(Image.new("RGB", (32, 32), "navy"), "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test can fail
    result = images.process(io.BytesIO(data))
    for r in result.renditions:
        assert_clean(r)
        for secret in (b"SERIAL-0451-XYZ", b"ProtestCam", b"HIDEOUT-AREA"):
            assert secret not in r.data


def secret_carriers() -> list:
    im = Image.new("RGB", (32, 24), "olive")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "SECRET-NAME")
    info.add_text("Comment", "SECRET-NAME " * 50, zip=True)
    info.add_itxt("Description", "SECRET-NAME", lang="en")
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:li>SECRET-NAME</rdf:li></x:xmpmeta>'
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "SECRET-NAME"
    return [
        pytest.param(encode(im, "JPEG", comment=b"SECRET-NAME"), id="jpeg-comment"),
        pytest.param(encode(im, "JPEG", icc_profile=srgb, xmp=xmp), id="jpeg-icc-xmp"),
        pytest.param(encode(im, "PNG", pnginfo=info, icc_profile=srgb), id="png-text-iccp"),
        pytest.param(encode(im, "PNG", exif=exif.tobytes()), id="png-exif"),
        pytest.param(
            encode(im, "WEBP", exif=exif.tobytes(), xmp=xmp, icc_profile=srgb), id="webp-meta"
        ),
        pytest.param(encode(im, "GIF", comment=b"SECRET-NAME"), id="gif-comment"),
        pytest.param(encode(im, "PNG") + b"PK\x03\x04SECRET-NAME.txt" + bytes(64), id="png-zip"),
        pytest.param(encode(im, "JPEG") + b"SECRET-NAME" * 20, id="jpeg-trailing-bytes"),
    ]


@pytest.mark.parametrize("data", secret_carriers())
def test_metadata_and_appended_bytes_vanish(data):
    assert b"SECRET-NAME" in data  # else the test could not fail
    result = images.process(io.BytesIO(data))
    for r in result.renditions:
        assert_clean(r)
        assert b"SECRET-NAME" not in r.data
        assert b"PK\x03\x04" not in r.data


def test_sizes_cascade_and_never_upscale():
    data = encode(Image.new("RGB", (3000, 1500), "orange"), "PNG")
    result = images.process(io.BytesIO(data))
    assert [(r.size, r.width, r.height) for r in result.renditions if r.format != "webp"] == [
        ("large", 2560, 1280),
        ("display", 1600, 800),
        ("share", 1200, 600),
        ("thumb", 400, 200),
    ]
    for r in result.renditions:  # every file has the size it says, and the picture's colour
        im = opened(r)
        assert im.size == (r.width, r.height), (r.size, r.format)
        assert all(
            abs(a - b) <= 6
            for a, b in zip(
                im.convert("RGB").getpixel((im.width // 2, im.height // 2)), (255, 165, 0)
            )
        ), (r.size, r.format)
    small = images.process(io.BytesIO(encode(Image.new("RGB", (300, 200)), "PNG")))
    assert {(r.width, r.height) for r in small.renditions} == {(300, 200)}


@pytest.mark.parametrize(
    ("width", "display"), [(2000, 2000), (1900, 1900), (2001, 1600), (2400, 1600)]
)
def test_display_keeps_a_picture_at_most_a_quarter_larger(width, display):
    """Up to 2000 px the display size is the picture as it is (the large copy's pixels);
    above, 1600 px. The share size is 1200 px either way."""
    data = encode(Image.new("RGB", (width, width * 2 // 3), "teal"), "JPEG")
    result = images.process(io.BytesIO(data))
    widths = {(r.size, r.format): r.width for r in result.renditions}
    assert widths == {
        ("large", "jpeg"): width,
        ("display", "jpeg"): display,
        ("share", "webp"): 1200,
        ("share", "jpeg"): 1200,
        ("thumb", "webp"): 400,
        ("thumb", "jpeg"): 400,
    }


def test_resizing_in_bands_leaves_no_seam():
    rng = random.Random(7)
    noisy = Image.frombytes(
        "RGB", (900, 601), bytes(rng.randrange(256) for _ in range(900 * 601 * 3))
    )
    whole = noisy.resize((640, 427), Image.Resampling.HAMMING)
    banded = _resize_in_bands(noisy, (640, 427), Image.Resampling.HAMMING, 2)
    assert banded.size == whole.size
    assert ImageChops.difference(whole, banded).getextrema() <= ((0, 1), (0, 1), (0, 1))


def test_jpeg_is_reduced_while_decoding(monkeypatch):
    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft
    monkeypatch.setattr(
        JpegImagePlugin.JpegImageFile,
        "draft",
        lambda self, mode, size: (drafts.append(size), real_draft(self, mode, size))[1],
    )
    data = encode(Image.new("RGB", (2000, 1000), "purple"), "JPEG")
    result = images.process(io.BytesIO(data), sizes={"large": 900, "display": 500, "thumb": 100})
    # The source, asked for at least 3/4 of the large size; the thumbnail, for the hash.
    assert drafts == [(675, 338), (64, 64)]
    sizes = [(r.width, r.height) for r in result.renditions if r.format != "webp"]
    assert sizes == [(900, 450), (500, 250), (100, 50)]  # decoded at 1000 x 500, then resized
    # A source under twice the large size decodes at half size, which is the large size
    # as it is (a 12 MP photo: 2000 px of 2560), never less than 3/4 of it.
    data = encode(Image.new("RGB", (1600, 800), "purple"), "JPEG")
    result = images.process(io.BytesIO(data), sizes={"large": 900, "display": 500, "thumb": 100})
    assert (result.width, result.height) == (800, 400)
    data = encode(Image.new("RGB", (1100, 550), "purple"), "JPEG")
    result = images.process(io.BytesIO(data), sizes={"large": 900, "display": 500, "thumb": 100})
    assert (result.width, result.height) == (900, 450)  # half size would be under 675


def test_rendition_filenames():
    assert Rendition("large", "webp", 1, 1, b"").filename == "large.webp"
    assert Rendition("thumb", "jpeg", 1, 1, b"").filename == "thumb.jpg"
    assert Rendition("display", "png", 1, 1, b"").filename == "display.png"
    assert "data" not in repr(Rendition("large", "webp", 1, 1, b"x" * 10))


def test_unseekable_stream_is_accepted():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    data = encode(Image.new("RGB", (20, 20), "red"), "GIF")
    assert images.process(Pipe(data)).source_format == "GIF"


def test_truncated_images_stay_refused(monkeypatch):
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        images.process(io.BytesIO(b""))


def test_warning_filters_are_restored():
    before = list(warnings.filters)
    images.process(io.BytesIO(encode(Image.new("RGB", (8, 8)), "PNG")))
    with pytest.raises(InvalidImage):
        images.process(io.BytesIO(b"nope"))
    assert warnings.filters == before


def test_an_unforeseen_exception_is_wrapped_and_logged(monkeypatch, caplog):
    class PipelineBug(Exception):
        """None of the decoders' errors (those are expected, and not logged)."""

    def bug(*args, **kwargs):
        raise PipelineBug("a bug in the pipeline")

    monkeypatch.setattr(images, "_process", bug)
    error = refused(encode(Image.new("RGB", (8, 8)), "PNG"))
    assert (error.status, error.reason) == (400, DAMAGED)
    (logged,) = unexpected_failures(caplog)
    assert "a bug in the pipeline" in logged


@pytest.mark.parametrize(
    "name", ["hopper.jpg", "hopper.png", "hopper.gif", "hopper.webp", "hopper_orientation_6.jpg"]
)
def test_damaged_copies_never_raise_anything_else(testdata_dir, name, caplog):
    """Only InvalidImage comes out by construction (anything else is wrapped): what matters
    is that each damage is one the pipeline foresaw, so nothing was logged as unexpected."""
    for i, data in enumerate(mutations((testdata_dir / name).read_bytes(), 60, seed=len(name))):
        try:
            result = images.process(io.BytesIO(data))
        except InvalidImage as error:
            assert error.status in (400, 413)
            assert error.reason in (UNSUPPORTED, DAMAGED, TOO_LARGE, images.TOO_MANY_FRAMES)
        else:
            assert len(result.renditions) == len(layout("jpeg")), i
    assert unexpected_failures(caplog) == []
