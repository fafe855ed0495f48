"""Phones' formats through the pipeline: HEIC/HEIF (pillow-heif, libheif) and AVIF (Pillow's
own plugin, libavif).

Every file is made here, with pillow-heif's HEVC encoder and Pillow's AVIF encoder, and the
hostile ones by editing their boxes: no binary fixture is kept. What they must give is what
the other formats give (test_images.py): fresh pixels only, upright, in sRGB, within the
pixel cap checked before anything is decoded, and nothing but InvalidImage on bad bytes.
Files that make a decoder build more than they declare are test_sandbox.py's."""

from __future__ import annotations

import io
import re
import struct

import pillow_heif
import pytest
from PIL import AvifImagePlugin, ExifTags, Image, ImageCms
from sqlalchemy import select

from gallery import images
from gallery.extensions import db
from gallery.media import media_store as store
from gallery.models import Work, WorkStatus
from helpers import encode, form_data, post
from imagecheck import (
    DAMAGED,
    TOO_LARGE,
    UNSUPPORTED,
    assert_clean,
    assert_clean_bytes,
    layout,
    mean_abs_diff,
    mutations,
    opened,
    refused,
    rendition,
    unexpected_failures,
)

FORMATS = ["HEIF", "AVIF"]
LAYOUT = layout("jpeg")
# How to store a picture so that EXIF orientation n shows it upright (the inverse of n).
STORED_AS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def upright() -> Image.Image:
    """A picture that looks different under each of the eight orientations."""
    im = Image.new("RGB", (96, 64), (255, 255, 255))
    im.paste((220, 30, 30), (0, 0, 48, 32))  # red, top left
    im.paste((30, 160, 30), (48, 0, 96, 16))  # a green strip, top right
    im.paste((30, 30, 200), (0, 48, 24, 64))  # blue, bottom left
    return im


def save(im: Image.Image, fmt: str, **params) -> bytes:
    """The picture as a phone would send it: HEIC from x265, AVIF from libavif."""
    return encode(im, fmt, quality=90, **params)


def exif_entry(tag: int, value: int, order: str = "<") -> bytes:
    """An IFD entry of one SHORT (Pillow writes EXIF little-endian, libheif big-endian)."""
    return struct.pack(f"{order}HHIHH", tag, 3, 1, value, 0)


def retag(data: bytes, old: tuple[int, int], new: tuple[int, int]) -> bytes:
    """The file with the EXIF entry `old` (tag, value), if any, made into `new`."""
    for order in "<>":
        data = data.replace(exif_entry(*old, order), exif_entry(*new, order))
    return data


def oriented(fmt: str, stored: Image.Image, *, boxes: int = 1, exif: int = 1) -> bytes:
    """stored, saved with the irot/imir boxes of orientation `boxes` and an EXIF Orientation
    tag of `exif`: what the two say can differ, as in a badly edited file."""
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "PhoneMaker"
    tags[ExifTags.Base.ResolutionUnit] = 2  # a SHORT the encoders keep, made into the tag below
    if boxes != 1:
        tags[ExifTags.Base.Orientation] = boxes  # the encoders write this as irot/imir
    data = save(stored, fmt, exif=tags.tobytes())
    assert (b"irot" in data or b"imir" in data) == (boxes != 1)
    # pillow-heif keeps the tag it turned into boxes (libavif drops it): set it to 1, then
    # the placeholder becomes the tag asked for.
    data = retag(data, (0x0112, boxes), (0x0112, 1))
    assert sum(data.count(exif_entry(0x0128, 2, order)) for order in "<>") == 1
    return retag(data, (0x0128, 2), (0x0112, exif))


def patch_box(data: bytes, kind: bytes, payload: bytes, at: int = 4, nth: int = 0) -> bytes:
    """The file with `payload` written `at` bytes into the contents of its nth `kind` box."""
    start = [m.start() for m in re.finditer(re.escape(kind), data)][nth] + 4 + at
    return data[:start] + payload + data[start + len(payload) :]


def pixels(result: images.ProcessedImage, size: str = "large") -> Image.Image:
    return opened(rendition(result, size)).convert("RGB")


# ---- accepted, clean, upright, in colour


@pytest.mark.parametrize("fmt", FORMATS)
def test_phone_format_is_accepted_and_published_clean(fmt):
    result = images.process(io.BytesIO(save(upright(), fmt)))
    assert result.source_format == fmt
    assert [(r.size, r.format) for r in result.renditions] == LAYOUT
    for r in result.renditions:
        assert_clean(r)
    assert (result.width, result.height) == (96, 64)
    assert not result.has_alpha and not result.animated
    assert mean_abs_diff(pixels(result), upright()) < 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_exif_gps_xmp_and_icc_vanish(fmt):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ProtestCam"
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-0451-XYZ"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 45.0, 21.5)
    gps[ExifTags.GPS.GPSAreaInformation] = "HIDEOUT-AREA"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:li>SECRET-NAME</rdf:li></x:xmpmeta>'
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = save(upright(), fmt, exif=exif.tobytes(), xmp=xmp, icc_profile=srgb)
    with Image.open(io.BytesIO(data)) as source:  # else this test could not fail
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"xmp", "icc_profile"} <= set(source.info)
    secrets = (b"SERIAL-0451-XYZ", b"ProtestCam", b"HIDEOUT-AREA", b"SECRET-NAME", srgb[:128])
    assert all(secret in data for secret in secrets)
    for r in images.process(io.BytesIO(data)).renditions:
        assert_clean(r)
        for secret in secrets:
            assert secret not in r.data


@pytest.mark.parametrize("fmt", FORMATS)
def test_bytes_appended_after_the_last_box_vanish(fmt):
    tail = b"PK\x03\x04SECRET-NAME.txt" + bytes(64)
    for r in images.process(io.BytesIO(save(upright(), fmt) + tail)).renditions:
        assert_clean(r)
        assert b"SECRET-NAME" not in r.data and b"PK\x03\x04" not in r.data


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", FORMATS)
def test_orientation_boxes_and_exif_turn_it_upright_once(fmt, orientation):
    """A phone writes both: irot/imir boxes and the same EXIF tag. Applied once, not twice."""
    stored = upright().transpose(STORED_AS[orientation]) if orientation > 1 else upright()
    data = oriented(fmt, stored, boxes=orientation, exif=orientation)
    result = images.process(io.BytesIO(data))
    assert (result.width, result.height) == (96, 64)
    assert mean_abs_diff(pixels(result), upright()) < 8


@pytest.mark.parametrize("orientation", [2, 5, 6])
@pytest.mark.parametrize("fmt", FORMATS)
def test_orientation_boxes_alone_turn_it_upright(fmt, orientation):
    stored = upright().transpose(STORED_AS[orientation])
    result = images.process(io.BytesIO(oriented(fmt, stored, boxes=orientation)))
    assert (result.width, result.height) == (96, 64)
    assert mean_abs_diff(pixels(result), upright()) < 8


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_exif_orientation_without_boxes_is_not_applied(fmt):
    """In HEIF and AVIF only the boxes rotate (what phones, libheif, libavif and browsers
    do): a lone EXIF tag is informative, so the picture is published as the file shows it."""
    data = oriented(fmt, upright(), exif=6)
    with Image.open(io.BytesIO(data)) as source:  # else this test could not fail
        assert source.info["original_orientation" if fmt == "HEIF" else "exif"]
    assert any(exif_entry(0x0112, 6, order) in data for order in "<>")
    result = images.process(io.BytesIO(data))
    assert (result.width, result.height) == (96, 64)
    assert mean_abs_diff(pixels(result), upright()) < 8


def test_an_avif_xmp_orientation_is_not_applied():
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
        b'tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
    )
    data = save(upright(), "AVIF", xmp=xmp)
    with Image.open(io.BytesIO(data)) as source:
        assert source.getexif()[ExifTags.Base.Orientation] == 6  # what Pillow alone would do
    result = images.process(io.BytesIO(data))
    assert (result.width, result.height) == (96, 64)


@pytest.mark.parametrize("fmt", FORMATS)
def test_icc_profile_is_converted_to_srgb(fmt, testdata_dir):
    # "ColorMatch RGB" is wider than sRGB: the same numbers look duller in sRGB.
    with Image.open(testdata_dir / "xmp_tags_orientation.png") as source:
        profile = source.info["icc_profile"]
    stored = upright()
    result = images.process(io.BytesIO(save(stored, fmt, icc_profile=profile)))
    expected = ImageCms.profileToProfile(
        stored, ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB")
    )
    assert mean_abs_diff(pixels(result), stored) > 5
    assert mean_abs_diff(pixels(result), expected) < 4


@pytest.mark.parametrize("bits", [10, 12])
def test_high_bit_depth_heif_comes_out_eight_bit(bits):
    colour = (0x4000, 0x8000, 0xC000)  # a quarter, a half and three quarters of full scale
    heif = pillow_heif.from_bytes("RGB;16", (48, 32), struct.pack("<3H", *colour) * 48 * 32)
    buf = io.BytesIO()
    heif.save(buf, quality=95, bit_depth=bits)
    data = buf.getvalue()
    assert (
        pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=False).info["bit_depth"] == bits
    )
    large = pixels(images.process(io.BytesIO(data)))
    assert all(abs(got - want) <= 3 for got, want in zip(large.getpixel((24, 16)), (64, 128, 191)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_transparency_is_kept_and_erased_colour_is_gone(fmt):
    im = upright().convert("RGBA")
    im.paste((255, 0, 0, 0), (48, 32, 96, 64))  # "erased" bottom right, yet still red
    result = images.process(io.BytesIO(save(im, fmt)))
    assert result.has_alpha
    large = opened(rendition(result, "large", "png")).convert("RGBA")
    assert large.getchannel("A").getextrema() == (0, 255)
    assert large.getpixel((80, 50)) == (0, 0, 0, 0)
    assert large.getpixel((10, 10))[3] == 255
    assert opened(rendition(result, "share")).convert("RGB").getpixel((80, 50)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("fmt", "old", "new"),
    [
        pytest.param("HEIF", b"auxid:1", b"auxid:2", id="heif-depth"),
        pytest.param("HEIF", b"auxl", b"thmb", id="heif-thumbnail"),
        pytest.param("AVIF", b"auxiliary:alpha", b"auxiliary:depth", id="avif-depth"),
        pytest.param("AVIF", b"auxl", b"thmb", id="avif-thumbnail"),
    ],
)
def test_depth_maps_and_thumbnails_are_ignored(fmt, old, new, monkeypatch):
    """The alpha plane of a file, relabelled as its depth map or as its thumbnail (a grey
    picture unlike the colour one): only the primary image is ever decoded."""
    im = upright().convert("RGBA")
    im.putalpha(Image.linear_gradient("L").resize(im.size))
    data = save(im, fmt)
    assert data.count(old) == 1
    data = data.replace(old, new)
    if fmt == "HEIF":  # else this test could not fail: libheif does see a depth map, a thumbnail
        with monkeypatch.context() as patched:
            patched.setattr(pillow_heif.options, "DEPTH_IMAGES", True)
            patched.setattr(pillow_heif.options, "THUMBNAILS", True)
            info = pillow_heif.open_heif(io.BytesIO(data)).info
        assert info["depth_images" if new == b"auxid:2" else "thumbnails"]
    result = images.process(io.BytesIO(data))
    assert not result.has_alpha  # the plane is no longer the image's alpha
    assert mean_abs_diff(pixels(result), upright()) < 6


# ---- hostile files


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_files_are_damaged(fmt):
    data = save(upright(), fmt)
    ftyp = struct.unpack(">I", data[:4])[0]
    for cut in (len(data) // 2, ftyp, ftyp + 8, len(data) - 1):
        error = refused(data[:cut])
        assert (error.status, error.reason) == (400, DAMAGED), cut


def test_other_iso_media_files_are_unsupported():
    mp4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
    assert refused(mp4).reason == UNSUPPORTED
    assert refused(b"\x00\x00\x00\x18ftypheic" + bytes(40)).reason == DAMAGED


@pytest.fixture
def nothing_decoded(monkeypatch):
    """Records any attempt to decode the pixels: a file refused from its declared size
    never gets that far."""
    decoded: list = []
    monkeypatch.setattr(images, "_decode_large", lambda *a, **k: decoded.append(a))
    return decoded


@pytest.mark.parametrize(
    ("fmt", "declared", "outcome"),
    [
        ("HEIF", (8000, 6000), (413, TOO_LARGE)),
        ("HEIF", (100_000, 100_000), (413, TOO_LARGE)),
        ("HEIF", (2**32 - 1, 2**32 - 1), (400, DAMAGED)),  # beyond libheif's own limit
        ("AVIF", (8000, 6000), (413, TOO_LARGE)),
        ("AVIF", (100_000, 100_000), (400, DAMAGED)),  # beyond libavif's own limit
        ("AVIF", (2**32 - 1, 2**32 - 1), (400, DAMAGED)),
    ],
)
def test_huge_declared_size_is_refused_before_any_pixel_is_decoded(
    fmt, declared, outcome, nothing_decoded
):
    data = patch_box(save(upright(), fmt), b"ispe", struct.pack(">II", *declared))
    error = refused(data)
    assert (error.status, error.reason) == outcome
    assert nothing_decoded == []


def test_grid_canvas_larger_than_its_ispe_is_refused():
    """libheif decodes a grid at the size its grid data declares, then compares that with the
    grid's ispe: refused, and what it cost is bounded by the decode sandbox (test_sandbox.py)."""
    data = encode(Image.new("RGB", (2048, 2048), "grey"), "HEIF", quality=10, tile_size=512)
    grid_ispe = data.index(struct.pack(">II", 2048, 2048))
    data = data[:grid_ispe] + struct.pack(">II", 64, 64) + data[grid_ispe + 8 :]
    assert b"grid" in data
    error = refused(data, max_pixels=2048 * 2048 - 1)
    assert (error.status, error.reason) == (400, DAMAGED)


def test_av1_frame_larger_than_its_ispe_is_published_at_the_ispe_size():
    """libavif decodes an AV1 frame at the size its sequence header declares and scales it to
    the ispe: what is published is never larger than what the file declares."""
    big = Image.new("RGB", (1024, 1024), "grey")
    data = patch_box(encode(big, "AVIF", quality=0, speed=10), b"ispe", struct.pack(">II", 64, 64))
    result = images.process(io.BytesIO(data), max_pixels=1_000_000)
    assert (result.width, result.height) == (64, 64)
    # A sequence alone (its still image's meta box made into padding), whose sample entry
    # says 64 x 64: its first sample's sequence header says otherwise.
    frames = encode(big, "AVIF", save_all=True, append_images=[big], quality=0, speed=10)
    frames = frames.replace(b"meta", b"free", 1)
    entry = frames.index(b"av01", frames.index(b"stsd"))
    frames = frames[: entry + 28] + struct.pack(">HH", 64, 64) + frames[entry + 32 :]
    assert refused(frames, max_pixels=1_000_000).reason == DAMAGED


def test_grid_heic_like_a_phones_is_accepted():
    """iPhones write 512 px tiles under a grid: the tiles are put together, once."""
    im = Image.linear_gradient("L").resize((1100, 700)).convert("RGB")
    data = encode(im, "HEIF", quality=90, tile_size=512)
    assert b"grid" in data
    result = images.process(io.BytesIO(data))
    assert (result.width, result.height, result.animated) == (1100, 700, False)
    assert mean_abs_diff(pixels(result), im) < 4


def test_a_sequence_sample_entry_size_changes_nothing():
    frames = [Image.new("RGB", (64, 64), (i * 20, 0, 0)) for i in range(3)]
    data = encode(frames[0], "AVIF", save_all=True, append_images=frames[1:], speed=10)
    assert data[8:12] == b"avis"
    # The still image's ispe says 64 x 64; the track's sample entry now says 30000 x 30000:
    # the still image is what is decoded and published.
    entry = data.index(b"av01", data.index(b"stsd"))
    data = data[: entry + 28] + struct.pack(">HH", 30000, 30000) + data[entry + 32 :]
    result = images.process(io.BytesIO(data))
    assert (result.width, result.height) == (64, 64)


def many_images(count: int) -> bytes:
    """A HEIF of `count` top-level 64 px images, the first (the primary) red."""
    frames = [Image.new("RGB", (64, 64), "red")]
    frames += [Image.new("RGB", (64, 64), (0, 0, i % 256)) for i in range(1, count)]
    return encode(frames[0], "HEIF", save_all=True, append_images=frames[1:], quality=10)


def test_many_images_in_one_file_decode_the_primary_alone(monkeypatch):
    data = many_images(100)
    decoded = []
    real_load = pillow_heif.heif.BaseImage.load
    monkeypatch.setattr(
        pillow_heif.heif.BaseImage,
        "load",  # decodes once, on the first call
        lambda self: (self._data or decoded.append(self), real_load(self))[1],
    )
    result = images.process(io.BytesIO(data))
    assert result.animated and len(decoded) == 1  # 100 images listed, one decoded
    assert pixels(result).getpixel((32, 32))[0] > 200
    # Within the frames x area cap that animations have.
    assert refused(data, max_frames_area=100 * 64 * 64 - 1).reason == images.TOO_MANY_FRAMES


def test_more_items_than_libheif_allows_are_refused_from_the_header(nothing_decoded):
    data = save(upright(), "HEIF")
    for box, at, width in ((b"iinf", 4, ">H"), (b"iloc", 6, ">H")):
        error = refused(patch_box(data, box, struct.pack(width, 1001), at=at))  # libheif: 1000
        assert (error.status, error.reason) == (400, DAMAGED), box
    assert nothing_decoded == []


def test_a_long_avif_sequence_publishes_its_first_frame():
    frames = [Image.new("RGB", (64, 48), "lime")] + [Image.new("RGB", (64, 48), "blue")] * 199
    data = encode(frames[0], "AVIF", save_all=True, append_images=frames[1:], speed=10)
    result = images.process(io.BytesIO(data))
    assert result.animated and result.source_format == "AVIF"
    assert pixels(result).getpixel((32, 24))[1] > 200
    assert refused(data, max_frames_area=200 * 64 * 48 - 1).reason == images.TOO_MANY_FRAMES


@pytest.mark.parametrize("kind", ["plain", "alpha-rotated"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_copies_never_raise_anything_else(fmt, kind, caplog):
    if kind == "plain":
        data = save(upright(), fmt)
    else:
        im = upright().transpose(STORED_AS[6]).convert("RGBA")
        im.putalpha(200)
        tags = Image.Exif()
        tags[ExifTags.Base.Orientation] = 6
        data = save(im, fmt, exif=tags.tobytes())
    for i, mutated in enumerate(mutations(data, 120, seed=len(data))):
        try:
            result = images.process(io.BytesIO(mutated))
        except images.InvalidImage as error:
            assert error.status in (400, 413)
            assert error.reason in (UNSUPPORTED, DAMAGED, TOO_LARGE, images.TOO_MANY_FRAMES)
        else:
            assert len(result.renditions) == len(layout("png" if result.has_alpha else "jpeg")), i
    assert unexpected_failures(caplog) == []


def test_decoders_are_held_to_two_threads_and_no_thumbnails():
    assert pillow_heif.options.DECODE_THREADS == 2
    assert AvifImagePlugin.DEFAULT_MAX_THREADS == 2
    assert not (
        pillow_heif.options.THUMBNAILS
        or pillow_heif.options.DEPTH_IMAGES
        or pillow_heif.options.AUX_IMAGES
    )


# ---- through the real form


def test_heic_through_the_form_makes_a_clean_pending_work(app, client):
    exif = Image.Exif()
    exif[ExifTags.Base.BodySerialNumber] = "SERIAL-0451-XYZ"
    exif[ExifTags.Base.Orientation] = 6
    data = save(upright().transpose(STORED_AS[6]), "HEIF", exif=exif.tobytes())
    response = post(client, form_data(client, data, filename="IMG_0451.HEIC"))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/submissions/")
    db.session.commit()
    work = db.session.scalars(select(Work)).one()
    assert work.status == WorkStatus.PENDING
    assert (work.image_format, work.width, work.height) == ("HEIF", 96, 64)
    media = store(app)
    files = {
        name: media.path(work.image_key, name).read_bytes() for name in media.files(work.image_key)
    }
    assert len(files) == len(LAYOUT)
    for name, stored in files.items():
        assert_clean_bytes(stored, {"webp": "webp", "jpg": "jpeg"}[name.rpartition(".")[2]])
        assert b"SERIAL-0451-XYZ" not in stored
    assert "IMG_0451" not in repr({c.name: getattr(work, c.name) for c in Work.__table__.columns})


def test_huge_avif_through_the_form_is_413_and_leaves_nothing(app, client):
    data = patch_box(save(upright(), "AVIF"), b"ispe", struct.pack(">II", 9000, 9000))
    response = post(client, form_data(client, data, filename="huge.avif"))
    assert response.status_code == 413
    assert "at most 40 megapixels" in response.get_data(as_text=True)
    db.session.commit()
    assert db.session.scalars(select(Work)).all() == []
    assert not [p for p in store(app).root.rglob("*") if p.is_file()]
