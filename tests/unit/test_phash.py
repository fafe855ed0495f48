"""The gallery's own DCT hash (gallery/images/phash.py) gives imagehash's `phash` bits, so
the hashes stored while imagehash made them stay comparable with new ones.

imagehash is a test dependency only: it is the reference here.  Where the two differ, the
picture is one whose low frequencies tie with their median (uniform or tiny pictures): there
imagehash's own bits are floating-point noise, and the test checks that this is the case."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest
from PIL import Image

from gallery.images.phash import dct_hash as phash

imagehash = pytest.importorskip("imagehash")
numpy = pytest.importorskip("numpy")
fftpack = pytest.importorskip("scipy.fftpack")

BENCH_PHOTOS = Path(__file__).resolve().parents[2] / "benchmarks" / "photos"


def decodable(folder: Path) -> list[tuple[str, Image.Image]]:
    """Every picture in folder that Pillow opens and decodes (its first frame)."""
    out = []
    for path in sorted(folder.iterdir()):
        try:
            with warnings.catch_warnings(), Image.open(path) as im:
                warnings.simplefilter("ignore")
                im.load()
                out.append((path.name, im.copy()))
        except Exception:  # noqa: BLE001 - the hostile files are meant to fail
            continue
    return out


def noise(count: int) -> list[tuple[str, Image.Image]]:
    rng = random.Random(1)
    return [
        (f"noise {i}", Image.frombytes("L", (64, 48), rng.randbytes(64 * 48))) for i in range(count)
    ]


def tied(im: Image.Image) -> int:
    """How many of the 64 coefficients imagehash compares lie within rounding of their median."""
    grey = numpy.asarray(im.convert("L").resize((32, 32), Image.Resampling.LANCZOS), dtype=float)
    low = fftpack.dct(fftpack.dct(grey, axis=0), axis=1)[:8, :8]
    scale = max(1.0, float(numpy.abs(low).max()))
    return int((numpy.abs(low - numpy.median(low)) <= 1e-9 * scale).sum())


def compare(pictures: list[tuple[str, Image.Image]]) -> tuple[int, list[tuple[str, int, int]]]:
    """(how many hashes are identical, [(name, Hamming distance, ties)] of the others)."""
    same, others = 0, []
    for name, im in pictures:
        ours, theirs = phash(im), str(imagehash.phash(im))
        assert len(ours) == 16 and int(ours, 16) >= 0
        if ours == theirs:
            same += 1
        else:
            others.append((name, (int(ours, 16) ^ int(theirs, 16)).bit_count(), tied(im)))
    return same, others


def test_same_bits_as_imagehash_on_the_shared_images(testdata_dir):
    pictures = decodable(testdata_dir) + noise(200)
    same, others = compare(pictures)
    print(
        f"\nphash: {same} of {len(pictures)} identical; the others "
        f"(max Hamming distance {max((d for _, d, _ in others), default=0)}): {others}"
    )
    assert len(pictures) >= 240 and same >= len(pictures) - 10
    # Every difference is a picture whose coefficients tie with the median.
    assert all(ties >= 2 for _name, _distance, ties in others), others


def test_same_bits_on_ordinary_pictures():
    """Photos and drawings never tie: every bit is the same (no test data needed)."""
    rng = random.Random(3)
    pictures = []
    for i in range(20):
        im = Image.linear_gradient("L").resize((300 + 10 * i, 200)).convert("RGB")
        im.paste(
            (rng.randrange(256), rng.randrange(256), rng.randrange(256)),
            (rng.randrange(100), rng.randrange(100), 150 + rng.randrange(100), 150),
        )
        pictures.append((f"drawing {i}", im))
    same, others = compare(pictures)
    assert (same, others) == (20, [])


@pytest.mark.skipif(not BENCH_PHOTOS.is_dir(), reason="no benchmark photos in benchmarks/photos")
def test_same_bits_on_the_bench_photos():
    pictures = decodable(BENCH_PHOTOS)
    same, others = compare(pictures)
    assert others == [] and same == len(pictures)


def test_bit_order_is_imagehashs():
    """A gradient and its mirror differ in the sign of their odd horizontal frequencies: the
    bits that flip sit where imagehash puts them (row by row, the first bit the highest)."""
    gradient = Image.linear_gradient("L").rotate(90).resize((64, 64))
    gradient.paste(40, (5, 10, 30, 20))  # a shape off the centre: no coefficient ties
    mirror = gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    assert phash(gradient) == str(imagehash.phash(gradient))
    assert phash(mirror) == str(imagehash.phash(mirror))
    assert phash(gradient) != phash(mirror)
