"""Time and measure the upload image pipeline against a naive one.

Usage: python benchmarks/bench_pipeline.py [--runs 5]

Generates photo-like baseline JPEGs (24 MP and 40 MP, fixed seed) in a
temporary folder, then runs each pipeline in its own subprocess so that the
peak resident memory (ru_maxrss, which sees Pillow's C allocations) of one
does not hide the other.  Linux carries ru_maxrss over fork and exec, so the
parent never touches pixels itself: generation runs in a subprocess too.
Then the phones' formats: one 12 MP photo as JPEG, HEIC and AVIF, our pipeline on each.
Takes about two minutes (making the HEIC is a quarter of it).
"""
from __future__ import annotations

import argparse
import io
import os
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = {"24 MP": (6000, 4000), "40 MP": (7740, 5160)}
PHONE = ("12 MP", (4000, 3000))
# The same picture as each format a phone sends.  HEIC as iPhones write it, 512 px tiles
# under a grid (x265 at its fastest preset, so that making the file takes seconds, not
# minutes); AVIF as one AV1 image (libavif at speed 8).  The qualities give files of about
# the size phones make of such a picture.
PHONE_FORMATS = {
    "JPEG": ("JPEG", {"quality": 90}),
    "HEIC": ("HEIF", {"quality": 60, "tile_size": 512, "enc_params": {"preset": "ultrafast"}}),
    "AVIF": ("AVIF", {"quality": 60, "speed": 8}),
}
SEED = 20240601


def photo(width: int, height: int, seed: int = SEED):
    """A picture that compresses like a photo: soft shapes, texture and grain."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    base = Image.new("RGB", (width // 40, height // 40))
    draw = ImageDraw.Draw(base)
    for _ in range(80):
        x, y, r = rnd.randrange(base.width), rnd.randrange(base.height), rnd.randrange(2, 25)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(3))
    base = base.resize((width, height), Image.Resampling.BICUBIC)
    # effect_noise draws from C's rand(); seeding it is not possible, so the
    # grain differs between runs while its statistics (and the file size) do not.
    bands = [Image.effect_noise((width // 3, height // 3), 40) for _ in range(3)]
    texture = Image.merge("RGB", bands)
    texture = texture.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 30).convert("RGB")
    return Image.blend(Image.blend(base, texture, 0.3), grain, 0.12)


def naive(data: bytes) -> None:
    """What a first version would do: decode in full, then thumbnail each size from it."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as im:
        upright = ImageOps.exif_transpose(im)
        for edge in (1600, 400):
            copy = upright.copy()
            copy.thumbnail((edge, edge))
            copy.save(io.BytesIO(), "JPEG", quality=85)


def ours(data: bytes) -> None:
    """The project's pipeline, as the upload view calls it."""
    from gallery import images

    images.process(io.BytesIO(data))


def child(pipeline: str, path: str, runs: int) -> None:
    """Run one pipeline in this fresh process and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    from PIL import Image  # noqa: F401  (imported before measuring idle memory)
    from gallery import images  # noqa: F401

    data = Path(path).read_bytes()
    idle_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    func = {"naive": naive, "ours": ours}[pipeline]
    func(data)  # warm-up: plugin imports, first-call allocations
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(data)
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ms": statistics.median(times) * 1000, "peak_mb": peak_kb / 1024,
                      "idle_mb": idle_kb / 1024, "input_mb": len(data) / 1e6}))


def run_child(*args: str) -> str:
    command = [sys.executable, __file__, *args]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return out.stdout


def measure(pipeline: str, path: Path, runs: int) -> dict:
    return json.loads(run_child("--child", pipeline, str(path), "--runs", str(runs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("PIPELINE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, metavar=("PATH", "W", "H"), help=argparse.SUPPRESS)
    parser.add_argument("--generate-phone", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.runs)
        return
    if args.generate:
        path, width, height = args.generate
        photo(int(width), int(height)).save(path, "JPEG", quality=90)
        return
    if args.generate_phone:
        generate_phone(Path(args.generate_phone))
        return
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        print(f"{'image':8} {'file MB':>8} {'pipeline':9} {'median ms':>10} "
              f"{'peak RSS MB':>12} {'above idle MB':>14}")
        for label, size in IMAGES.items():
            path = Path(tmp) / f"{label.replace(' ', '')}.jpg"
            run_child("--generate", str(path), *map(str, size))
            rows = {name: measure(name, path, args.runs) for name in ("naive", "ours")}
            for name, row in rows.items():
                print(f"{label:8} {row['input_mb']:8.1f} {name:9} {row['ms']:10.0f} "
                      f"{row['peak_mb']:12.0f} {row['peak_mb'] - row['idle_mb']:14.0f}")
            print(f"{label:8} {'':8} {'ratio':9} {rows['ours']['ms'] / rows['naive']['ms']:10.2f}"
                  "   (ours / naive; must be <= 0.75, aim 0.5)")
        phone_formats(Path(tmp), args.runs)


def generate_phone(folder: Path) -> None:
    """The 12 MP photo in each of PHONE_FORMATS, as folder/12MP.<name>."""
    sys.path.insert(0, str(ROOT))
    from gallery import images  # noqa: F401  (registers pillow-heif's HEIF plugin)

    picture = photo(*PHONE[1])
    for name, (fmt, params) in PHONE_FORMATS.items():
        picture.save(folder / f"12MP.{name.lower()}", fmt, **params)


def phone_formats(folder: Path, runs: int) -> None:
    """Our pipeline on the same 12 MP photo as JPEG, HEIC and AVIF, against the JPEG."""
    label, (width, height) = PHONE
    print(f"\nThe same {label} photo ({width} x {height}) in the formats phones send, our pipeline:")
    print(f"{'format':8} {'file MB':>8} {'median ms':>10} {'/ JPEG':>7} {'peak RSS MB':>12} "
          f"{'above idle MB':>14}")
    run_child("--generate-phone", str(folder))
    rows = {name: measure("ours", folder / f"12MP.{name.lower()}", runs) for name in PHONE_FORMATS}
    for name, row in rows.items():
        print(f"{name:8} {row['input_mb']:8.1f} {row['ms']:10.0f} {row['ms'] / rows['JPEG']['ms']:7.2f} "
              f"{row['peak_mb']:12.0f} {row['peak_mb'] - row['idle_mb']:14.0f}")
    print("Load average (1/5/15 min) after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
