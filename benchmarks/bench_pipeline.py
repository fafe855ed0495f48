"""Time and measure the upload image pipeline against a naive one (and pyvips, if installed).

Usage: python benchmarks/bench_pipeline.py [--runs 5] [--only SUBSTRING]

Inputs, made with a fixed seed in a temporary folder (nothing is written into the
repository), two generator subprocesses at a time:

  * photographs: photo-like pictures (soft shapes, texture and grain) at 2, 4, 12, 24
    and 40 MP (1800x1200, 2448x1632, 4242x2828, 6000x4000, 7740x5160), baseline JPEG q90;
  * flat art, as most posters and drawings are: smooth gradients, large flat-colour
    shapes, hard edges, thin lines and text-like strokes, no grain; fully deterministic;
    2, 4, 12 and 24 MP, baseline JPEG q90;
  * other formats: the 12 MP flat art as PNG, the 24 MP photo as progressive JPEG q90
    and as WebP q90;
  * the formats phones send: one 12 MP (4000x3000) photo as JPEG q90, HEIC and AVIF.

Naive, ours and ours in the decode sandbox (a child process per upload, as the upload
view runs it: the "child ms" column) are timed side by side in one fresh subprocess per
input: one warm-up each, then --runs rounds of one run of each, in turns (naive first in
one round, last in the next), so a drift of this shared machine's speed (seen here: 25 % between two
children a minute apart) falls on both alike; the figures are the medians.  Our memory
is measured in a fresh subprocess of its own (one warm-up, one run), so that the peak
resident memory (ru_maxrss, which sees Pillow's C allocations) of the other pipeline does
not hide ours; pyvips, when installed, runs in one too.  Linux carries ru_maxrss over
fork and exec, so the parent never touches pixels itself.  The table gives, per input,
naive and our median wall ms, their ratio against the issue's target (<= 0.5 at 24 MP,
<= 0.75 at 12 MP, <= 1.0 at every other size) and our peak memory above the child's idle
(target <= 150 MB).  The naive pipeline is the reference the issue's figures were
taken with: keep it as it is.

Then, in a separate one-shot pass (timers cost time, so never inside the timed runs),
where our time goes: PIL's decode, resize, save, convert, paste, copy, transpose and
ImageCms.profileToProfile are wrapped with timers in the child, without touching
gallery/images.py, and a table per input lists each step's summed ms and calls.

Exit status 0 when everything ran, whatever the verdicts; 1 when something broke.
Takes about two and a half minutes on 2 cores (5 runs each, every input, with pyvips).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ".venv/bin/python benchmarks/bench_pipeline.py"
SEED = 20240601

# 3:2 sizes, by megapixels.
SIZES = {2: (1800, 1200), 4: (2448, 1632), 12: (4242, 2828), 24: (6000, 4000), 40: (7740, 5160)}
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
JPEG_Q90 = ("JPEG", {"quality": 90})

# The issue's targets, ours / naive wall clock in the same run, by megapixels.
RATIO_TARGETS = {24: 0.5, 12: 0.75}
RATIO_TARGET_DEFAULT = 1.0  # never slower than naive, from 2 MP up
TARGET_ABOVE_IDLE_MB = 150

# Making the pictures: what each generator subprocess writes, from one picture each (so
# the progressive JPEG and the WebP hold the same photo as the 24 MP JPEG, and the PNG the
# same flat art as the 12 MP JPEG).  Slowest first: they run two at a time.
JOBS: dict[str, tuple[str, tuple[int, int], tuple[tuple[str, str, dict], ...]]] = {
    "phone": (
        "photo",
        PHONE[1],
        tuple(
            (f"phone.{name.lower()}", fmt, params) for name, (fmt, params) in PHONE_FORMATS.items()
        ),
    ),
    "photo-40": ("photo", SIZES[40], (("40mp-photo.jpg", *JPEG_Q90),)),
    "photo-24": (
        "photo",
        SIZES[24],
        (
            ("24mp-photo.jpg", *JPEG_Q90),
            ("24mp-photo-progressive.jpg", "JPEG", {"quality": 90, "progressive": True}),
            ("24mp-photo.webp", "WEBP", {"quality": 90}),
        ),
    ),
    "photo-12": ("photo", SIZES[12], (("12mp-photo.jpg", *JPEG_Q90),)),
    "flat-24": ("flat", SIZES[24], (("24mp-flat.jpg", *JPEG_Q90),)),
    "flat-12": ("flat", SIZES[12], (("12mp-flat.jpg", *JPEG_Q90), ("12mp-flat.png", "PNG", {}))),
    "photo-4": ("photo", SIZES[4], (("4mp-photo.jpg", *JPEG_Q90),)),
    "flat-4": ("flat", SIZES[4], (("4mp-flat.jpg", *JPEG_Q90),)),
    "photo-2": ("photo", SIZES[2], (("2mp-photo.jpg", *JPEG_Q90),)),
    "flat-2": ("flat", SIZES[2], (("2mp-flat.jpg", *JPEG_Q90),)),
}
GENERATE_PARALLEL = 2
GENERATE_TIMEOUT_S = 300
CHILD_TIMEOUT_S = 300


@dataclass(frozen=True)
class Input:
    label: str
    section: str
    job: str
    file: str
    megapixels: int
    size: tuple[int, int]

    @property
    def target(self) -> float:
        return RATIO_TARGETS.get(self.megapixels, RATIO_TARGET_DEFAULT)


SECTIONS = {
    "photo": "photographs: soft shapes, texture and grain; baseline JPEG q90",
    "flat": "flat art (posters, drawings): gradients, flat shapes, lines, text; JPEG q90",
    "formats": "other formats",
    "phone": f"the formats phones send: one {PHONE[0]} photo ({PHONE[1][0]}x{PHONE[1][1]})",
}
INPUTS = (
    *(
        Input(f"{mp} MP photo", "photo", f"photo-{mp}", f"{mp}mp-photo.jpg", mp, SIZES[mp])
        for mp in (2, 4, 12, 24, 40)
    ),
    *(
        Input(f"{mp} MP flat", "flat", f"flat-{mp}", f"{mp}mp-flat.jpg", mp, SIZES[mp])
        for mp in (2, 4, 12, 24)
    ),
    Input("12 MP flat, PNG", "formats", "flat-12", "12mp-flat.png", 12, SIZES[12]),
    Input(
        "24 MP photo, progressive JPEG",
        "formats",
        "photo-24",
        "24mp-photo-progressive.jpg",
        24,
        SIZES[24],
    ),
    Input("24 MP photo, WebP q90", "formats", "photo-24", "24mp-photo.webp", 24, SIZES[24]),
    *(
        Input(f"{PHONE[0]} phone {name}", "phone", "phone", f"phone.{name.lower()}", 12, PHONE[1])
        for name in PHONE_FORMATS
    ),
)


class Broken(Exception):
    """Something that should not fail did."""


# --------------------------------------------------------------------------- the pictures


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


def flat(width: int, height: int, seed: int = SEED):
    """A picture that compresses like most posters and drawings: a smooth gradient ground,
    large flat-colour shapes (some outlined, two filled with gradients of their own),
    hatching and thin lines, a headline and small print; no grain.

    Deterministic: every choice comes from the seeded generator and the drawing is
    Pillow's own (its bundled font for the text), so a given Pillow makes the same pixels
    each time.  Positions and strokes are fractions of the image, so every size shows
    the same picture."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    rnd = random.Random(seed)

    def colour() -> tuple[int, int, int]:
        return rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)

    def point() -> tuple[float, float]:
        return rnd.uniform(-0.1, 1.1) * width, rnd.uniform(-0.1, 1.1) * height

    unit = min(width, height) / 1000  # stroke widths and type sizes scale with the picture
    size = (width, height)
    # The ground: a diagonal ramp between two colours.
    down = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    across = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90)
    ramp = ImageChops.add(down, across.resize(size, Image.Resampling.BICUBIC), scale=2)
    im = Image.composite(Image.new("RGB", size, colour()), Image.new("RGB", size, colour()), ramp)
    draw = ImageDraw.Draw(im)
    for _ in range(14):
        kind = rnd.choice(("polygon", "ellipse", "rectangle"))
        outline = colour() if rnd.random() < 0.4 else None
        line = max(1, round(unit * rnd.uniform(2, 6)))
        if kind == "polygon":
            corners = [point() for _ in range(rnd.randrange(3, 7))]
            draw.polygon(corners, fill=colour(), outline=outline, width=line)
        else:
            (x0, y0), (x1, y1) = point(), point()
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            getattr(draw, kind)(box, fill=colour(), outline=outline, width=line)
    for _ in range(2):  # discs shaded by a radial gradient
        r = rnd.uniform(0.12, 0.25) * min(width, height)
        cx, cy = rnd.uniform(0.2, 0.8) * width, rnd.uniform(0.2, 0.8) * height
        left, top = round(cx - r), round(cy - r)
        disc = (round(2 * r), round(2 * r))
        glow = Image.radial_gradient("L").resize(disc, Image.Resampling.BICUBIC)
        fill = Image.composite(
            Image.new("RGB", disc, colour()), Image.new("RGB", disc, colour()), glow
        )
        mask = Image.new("L", disc)
        ImageDraw.Draw(mask).ellipse((0, 0, disc[0] - 1, disc[1] - 1), fill=255)
        im.paste(fill, (left, top), mask)
    # Hatching over a region, then long thin strokes of one and two pixels.
    x0, y0 = rnd.uniform(0.05, 0.5) * width, rnd.uniform(0.05, 0.5) * height
    hatch_width, hatch_height, step, ink = 0.4 * width, 0.35 * height, 12 * unit, colour()
    for i in range(int(hatch_width // step)):
        x = x0 + i * step
        draw.line(
            (x, y0, x + hatch_height * 0.3, y0 + hatch_height), fill=ink, width=max(1, round(unit))
        )
    for _ in range(14):
        stroke = rnd.choice((1, 1, 2, max(1, round(2 * unit))))
        draw.line((point(), point()), fill=colour(), width=stroke)
    # Text-like strokes: an outlined headline and lines of small print.
    headline = ImageFont.load_default(size=max(8, round(110 * unit)))
    small = ImageFont.load_default(size=max(8, round(22 * unit)))
    draw.text(
        (0.06 * width, 0.08 * height),
        "FREEDOM TO DRAW",
        font=headline,
        fill=colour(),
        stroke_width=max(1, round(3 * unit)),
        stroke_fill=colour(),
    )
    letters, ink = "abcdefghijklmnopqrstuvwxyz", colour()
    for row in range(12):
        words = " ".join(
            "".join(rnd.choice(letters) for _ in range(rnd.randrange(2, 9)))
            for _ in range(rnd.randrange(6, 12))
        )
        draw.text((0.06 * width, (0.7 + row * 0.022) * height), words, font=small, fill=ink)
    return im


def generate_job(name: str, folder: Path) -> None:
    """Make one of JOBS: draw its picture once, save it in each of its files."""
    kind, (width, height), files = JOBS[name]
    if any(fmt == "HEIF" for _, fmt, _ in files):
        sys.path.insert(0, str(ROOT))
        from gallery.images.decode import register_codecs

        register_codecs()  # pillow-heif's HEIF plugin, to write the HEIC files
    picture = {"photo": photo, "flat": flat}[kind](width, height)
    for filename, fmt, params in files:
        picture.save(folder / filename, fmt, **params)


# --------------------------------------------------------------------------- the pipelines


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
    """The project's pipeline, in this process."""
    from gallery import images

    images.process(io.BytesIO(data))


def sandboxed(data: bytes) -> None:
    """The project's pipeline as the upload view calls it: in a child process with the
    default limits (gallery/images/sandbox.py), the file sent in and the encoded sizes sent back."""
    from gallery.images import sandbox

    sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())


def vips_plan(data: bytes) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """What ours makes of this file: each long edge (2560, 1600, 1200, 400, never more than
    the picture's) and the formats written at it, read from one run of our pipeline."""
    from gallery import images

    plan: dict[int, list[str]] = {}
    for rendition in images.process(io.BytesIO(data)).renditions:
        plan.setdefault(max(rendition.width, rendition.height), []).append(rendition.format)
    return tuple((edge, tuple(formats)) for edge, formats in plan.items())


def vips(data: bytes, plan: tuple[tuple[int, tuple[str, ...]], ...]) -> None:
    """libvips' way to the same files as ours: each size straight from the upload with
    thumbnail_buffer (shrink-on-load, auto-rotation), then WebP q80, JPEG q85 (PNG where
    ours writes one) as ours does; libvips picks its own encoder efforts."""
    import pyvips

    for edge, formats in plan:
        im = pyvips.Image.thumbnail_buffer(data, edge, height=edge, size="down")
        if len(formats) > 1:  # a shrink-on-load image streams once: keep it for the second file
            im = im.copy_memory()
        for fmt in formats:
            if fmt == "webp":
                im.webpsave_buffer(Q=80)
            elif fmt == "png":
                im.pngsave_buffer()
            else:
                im.jpegsave_buffer(Q=85)


PIPELINES = {"naive": naive, "ours": ours, "sandboxed": sandboxed, "vips": vips}
# What libvips says of a format its build cannot decode (the binary wheel's libheif has no
# HEVC decoder): the table shows "no codec" for it rather than a broken run.
VIPS_LACKS = "has not been built in"


def paired_child(path: str, runs: int) -> None:
    """Time naive, ours and ours in the decode sandbox in turns in this fresh process and
    print their medians as JSON."""
    sys.path.insert(0, str(ROOT))
    from gallery.images.decode import register_codecs

    register_codecs()  # the HEIF plugin, for naive too
    data = Path(path).read_bytes()
    times: dict[str, list[float]] = {"naive": [], "ours": [], "sandboxed": []}
    for name in times:
        PIPELINES[name](data)  # warm-up: plugin imports, first-call allocations, threads
    for i in range(runs):
        for name, ms in one_turn(data, reverse=i % 2 == 1).items():
            times[name].append(ms)
    print(json.dumps({name: statistics.median(t) for name, t in times.items()}))


def one_turn(data: bytes, reverse: bool) -> dict[str, float]:
    """naive, ours and ours in the decode sandbox, once each in turns (the other way
    round when reverse): ms of each."""
    times = {}
    for name in ("sandboxed", "ours", "naive") if reverse else ("naive", "ours", "sandboxed"):
        start = time.perf_counter()
        PIPELINES[name](data)
        times[name] = (time.perf_counter() - start) * 1000
    return times


def serve_child(paths: list[str]) -> None:
    """For bench_upload.py, which times each input's pipelines right after its upload, so
    that both see the machine in the same minute: load the files, warm every pipeline up
    on each, print "ready"; then for each line read (a file's index), time naive, ours and
    ours in the decode sandbox once each (in turns, alternating the order) and print their
    ms as JSON, until the input ends."""
    sys.path.insert(0, str(ROOT))
    from gallery.images.decode import register_codecs

    register_codecs()
    files = [Path(path).read_bytes() for path in paths]
    for data in files:
        for name in ("naive", "ours", "sandboxed"):
            PIPELINES[name](data)
    print("ready", flush=True)
    for turn, line in enumerate(sys.stdin):
        print(json.dumps(one_turn(files[int(line)], reverse=turn % 2 == 1)), flush=True)


def child(pipeline: str, path: str, runs: int) -> None:
    """Run one pipeline in this fresh process and print its figures as JSON."""
    sys.path.insert(0, str(ROOT))
    from PIL import Image  # noqa: F401  (imported before measuring idle memory)

    from gallery import images  # noqa: F401
    from gallery.images.decode import register_codecs

    register_codecs()  # the HEIF plugin, for naive too
    if pipeline == "vips":
        import pyvips  # noqa: F401
    data = Path(path).read_bytes()
    func = PIPELINES[pipeline]
    if pipeline == "vips":  # ours runs once first (its memory counts in idle) to tell the sizes
        func = functools.partial(vips, plan=vips_plan(data))
    idle_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    func(data)  # warm-up: plugin imports, first-call allocations
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(data)
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "ms": statistics.median(times) * 1000,
                "peak_mb": peak_kb / 1024,
                "idle_mb": idle_kb / 1024,
                "input_mb": len(data) / 1e6,
            }
        )
    )


# --------------------------------------------------------------------------- where the time goes


def install_step_timers(events: list) -> None:
    """Wrap PIL's pixel work with timers appending (step, self ms, thread, start s) to events.

    A wrapped call inside another (a decode inside convert, a copy inside a same-mode
    convert) is recorded on its own, and its time taken out of the outer call's: each
    millisecond counts once, per thread.  A load() with nothing left to decode is not
    recorded."""
    from PIL import Image, ImageCms

    local = threading.local()

    def timed(describe):
        def decorate(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                stack = local.__dict__.setdefault("stack", [])  # [step, nested s] per call
                try:
                    step = describe(*args, **kwargs)
                except Exception:  # noqa: BLE001 - an unforeseen call: time it all the same
                    step = f"{func.__name__} (other)"
                if step is None or (stack and step[:6] == stack[-1][0][:6] == "decode"):
                    # nothing to decode, or a decoder's load() calling its base class's
                    return func(*args, **kwargs)
                stack.append([step, 0.0])
                start = time.perf_counter()
                try:
                    return func(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - start
                    nested = stack.pop()[1]
                    if stack:
                        stack[-1][1] += elapsed
                    main = threading.current_thread() is threading.main_thread()
                    thread = "main" if main else "helper"
                    events.append((step, (elapsed - nested) * 1000, thread, start))

            return wrapper

        return decorate

    def dims(im) -> str:
        return f"{im.width}x{im.height}"

    def describe_load(im, *args, **kwargs):
        if getattr(im, "_im", None) is not None and not getattr(im, "tile", None):
            return None  # already decoded: nothing to time
        return f"decode {im.format or '?'} to {dims(im)}"

    def describe_resize(im, size, resample=None, box=None, reducing_gap=None):
        name = Image.Resampling(resample).name if resample is not None else "default"
        if box is not None and tuple(box) != (0, 0, im.width, im.height):
            # One band of a resize split across threads: the bands of one resize share a row.
            return f"resize {dims(im)} to {size[0]} wide {name}, in bands"
        return f"resize {dims(im)} to {size[0]}x{size[1]} {name}"

    def describe_save(im, fp, format=None, **params):
        fmt = format or Path(str(getattr(fp, "name", fp))).suffix.lstrip(".")
        return f"encode {str(fmt).upper()} {dims(im)}"

    def describe_convert(im, mode=None, *args, **kwargs):
        return f"convert {im.mode} to {mode or im.mode} {dims(im)}"

    def describe_paste(self, im, box=None, mask=None):
        if not hasattr(im, "size"):
            what = "colour"
        else:
            what = "whole" if im.size == self.size else "part"  # part: a band, a region
        return f"paste {what} into {dims(self)}" + (" with mask" if mask is not None else "")

    def describe_copy(im):
        return f"copy {im.mode} {dims(im)}"

    def describe_transpose(im, method):
        return f"transpose {Image.Transpose(method).name} {dims(im)}"

    def describe_profile(im, *args, **kwargs):
        return f"ICC profileToProfile {dims(im)}"

    Image.init()  # import every plugin, so each decoder's own load() is wrapped too
    classes, todo = set(), [Image.Image]
    while todo:
        cls = todo.pop()
        if cls not in classes:
            classes.add(cls)
            todo.extend(cls.__subclasses__())
    for cls in classes:
        if "load" in cls.__dict__:
            cls.load = timed(describe_load)(cls.__dict__["load"])
    for name, describe in (
        ("resize", describe_resize),
        ("save", describe_save),
        ("convert", describe_convert),
        ("paste", describe_paste),
        ("copy", describe_copy),
        ("transpose", describe_transpose),
    ):
        setattr(Image.Image, name, timed(describe)(getattr(Image.Image, name)))
    ImageCms.profileToProfile = timed(describe_profile)(ImageCms.profileToProfile)


STEP_KINDS = ("decode", "resize", "encode", "convert", "paste", "copy", "transpose", "ICC")
KIND_NAMES = {"ICC": "ICC profileToProfile"}
QUICK_STEP_MS = 0.5  # steps below this are counted on one line, not listed


def steps_child(path: str) -> None:
    """One warm-up of our pipeline, then one run with the step timers: print JSON."""
    sys.path.insert(0, str(ROOT))
    from gallery import images  # noqa: F401

    data = Path(path).read_bytes()
    ours(data)  # warm-up, without timers
    events: list = []
    install_step_timers(events)
    start = time.perf_counter()
    ours(data)
    wall = time.perf_counter() - start
    events = [(step, ms, thread, at - start) for step, ms, thread, at in events]
    print(json.dumps({"wall_ms": wall * 1000, "events": events}))


def report_steps(item: Input, result: dict) -> None:
    steps: dict[str, dict] = {}
    busy = {"main": 0.0, "helper": 0.0}
    kinds = dict.fromkeys(STEP_KINDS, 0.0)
    encodes: dict[str, float] = {}
    for step, ms, thread, _at in sorted(result["events"], key=lambda e: e[3]):
        row = steps.setdefault(step, {"ms": 0.0, "calls": 0, "threads": set()})
        row["ms"] += ms
        row["calls"] += 1
        row["threads"].add(thread)
        busy[thread] += ms
        kind = step.split()[0]
        kinds[kind] += ms
        if kind == "encode":
            encodes[step.split()[1]] = encodes.get(step.split()[1], 0.0) + ms
    wall = result["wall_ms"]
    print(
        f"\n{item.label} ({item.size[0]}x{item.size[1]}): wall {wall:.0f} ms.  Timed steps: "
        f"{busy['main']:.0f} ms on the main thread, {busy['helper']:.0f} ms on helpers\n"
        f"  (the main thread's other {max(0.0, wall - busy['main']):.0f} ms: waiting for "
        f"helpers, hashing, Python)"
    )
    shown = {step: row for step, row in steps.items() if row["ms"] >= QUICK_STEP_MS}
    quick = [row for step, row in steps.items() if step not in shown]
    width = max([len(s) for s in shown] + [4])
    print(f"  {'step':{width}} {'calls':>5} {'sum ms':>7}  thread")
    for step, row in shown.items():
        threads = "both" if len(row["threads"]) > 1 else next(iter(row["threads"]))
        print(f"  {step:{width}} {row['calls']:5d} {row['ms']:7.1f}  {threads}")
    if quick:
        calls, ms = sum(r["calls"] for r in quick), sum(r["ms"] for r in quick)
        print(
            f"  + {len(quick)} more steps under {QUICK_STEP_MS} ms each "
            f"({calls} calls, {ms:.1f} ms in all)"
        )
    parts = []
    for kind, ms in kinds.items():
        if ms:
            detail = ", ".join(f"{fmt} {m:.0f}" for fmt, m in encodes.items())
            parts.append(f"{kind} {ms:.0f}" + (f" ({detail})" if kind == "encode" else ""))
    print(f"  by kind, ms: {', '.join(parts)}")
    unused = [k for k, v in kinds.items() if not v and not any(s.startswith(k) for s in steps)]
    if unused:
        print(f"  not called: {', '.join(KIND_NAMES.get(k, k) for k in unused)}")


# --------------------------------------------------------------------------- the parent


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # nothing into the repository


def run_child(*args: str, timeout: float = CHILD_TIMEOUT_S) -> str:
    command = [sys.executable, __file__, *args]
    try:
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=child_env()
        )
    except subprocess.TimeoutExpired as exc:
        raise Broken(f"{' '.join(args[:2])}: no answer within {timeout:.0f} s") from exc
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise Broken(f"{' '.join(args[:3])} exited with {out.returncode}: {tail}")
    return out.stdout


def measure(pipeline: str, path: Path, runs: int) -> dict:
    return json.loads(run_child("--child", pipeline, str(path), "--runs", str(runs)))


def generate(folder: Path, jobs: list[str]) -> dict[str, str]:
    """Run the generator jobs, GENERATE_PARALLEL at a time; the failed ones and why."""
    pending, running, failed = [j for j in JOBS if j in jobs], {}, {}
    while pending or running:
        while pending and len(running) < GENERATE_PARALLEL:
            name = pending.pop(0)
            log = open(folder / f"generate-{name}.log", "wb")  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                [sys.executable, __file__, "--generate-job", name, str(folder)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env(),
            )
            running[name] = (proc, log, time.monotonic())
        time.sleep(0.05)
        for name, (proc, log, started) in list(running.items()):
            if proc.poll() is None and time.monotonic() - started < GENERATE_TIMEOUT_S:
                continue
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                failed[name] = f"took over {GENERATE_TIMEOUT_S} s"
            elif proc.returncode != 0:
                lines = (folder / f"generate-{name}.log").read_text(errors="replace").splitlines()
                failed[name] = f"exited with {proc.returncode}: {(lines or [''])[-1]}"
            elif missing := [f for f, _, _ in JOBS[name][2] if not (folder / f).is_file()]:
                failed[name] = f"did not write {', '.join(missing)}"
            log.close()
            del running[name]
    return failed


def pyvips_installed() -> bool:
    """Whether `import pyvips` succeeds, asked of a subprocess (the parent stays small)."""
    out = subprocess.run(
        [sys.executable, "-c", "import pyvips"], capture_output=True, env=child_env()
    )
    return out.returncode == 0


def note(text: str) -> None:
    """Print a paragraph, wrapped (a leading newline kept)."""
    lead = "\n" if text.startswith("\n") else ""
    print(lead + textwrap.fill(text.strip(), width=100))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument(
        "--only",
        metavar="SUBSTRING",
        help="only the inputs whose label holds this, in any case, e.g. 'flat', "
        "'24 MP', 'HEIC' ('2 MP' takes the 12 MP ones too)",
    )
    parser.add_argument("--child", nargs=2, metavar=("PIPELINE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--paired", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs="+", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--steps", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, metavar=("PATH", "W", "H"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--generate-job", nargs=2, metavar=("NAME", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.runs)
        return 0
    if args.paired:
        paired_child(args.paired, args.runs)
        return 0
    if args.serve:
        serve_child(args.serve)
        return 0
    if args.steps:
        steps_child(args.steps)
        return 0
    if args.generate:  # the photo as a baseline JPEG q90 (bench_upload.py makes its inputs so)
        path, width, height = args.generate
        photo(int(width), int(height)).save(path, "JPEG", quality=90)
        return 0
    if args.generate_job:
        generate_job(args.generate_job[0], Path(args.generate_job[1]))
        return 0
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be between 1 and 50")
    inputs = [i for i in INPUTS if not args.only or args.only.lower() in i.label.lower()]
    if not inputs:
        parser.error(
            f"no input label holds {args.only!r}; labels: " + "; ".join(i.label for i in INPUTS)
        )
    return bench(inputs, args.runs, args.only)


def bench(inputs: list[Input], runs: int, only: str | None) -> int:
    started, load_before = time.monotonic(), load_average()
    command = COMMAND + f" --runs {runs}" + (f" --only '{only}'" if only else "")
    print(f"Command: {command}")
    print(
        f"Naive and ours timed in turns in one fresh process per input: 1 warm-up each, "
        f"then the medians of {runs} runs each; our memory and pyvips in fresh processes "
        f"of their own.  Load average (1/5/15 min) before: {load_before}"
    )
    problems: list[str] = []
    with_vips = pyvips_installed()
    if not with_vips:
        print("pyvips: not installed, skipped")
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        folder = Path(tmp)
        failed_jobs = generate(folder, sorted({i.job for i in inputs}))
        for job, why in failed_jobs.items():
            problems.append(f"generating {job}: {why}")
        results: dict[str, dict] = {}
        for item in inputs:
            if item.job in failed_jobs:
                continue
            row = results[item.label] = {}
            try:
                paired = json.loads(
                    run_child("--paired", str(folder / item.file), "--runs", str(runs))
                )
            except Broken as exc:
                problems.append(f"{item.label}, naive and ours: {exc}")
                continue
            for pipeline in ("ours", "vips") if with_vips else ("ours",):
                try:
                    row[pipeline] = measure(
                        pipeline, folder / item.file, 1 if pipeline == "ours" else runs
                    )
                except Broken as exc:
                    if pipeline == "vips" and VIPS_LACKS in str(exc):
                        row["vips_lacks"] = True  # pyvips-binary has no HEVC decoder (patents)
                        continue
                    problems.append(f"{item.label}, {pipeline}: {exc}")
            row["naive"] = {
                "ms": paired["naive"],
                "input_mb": (folder / item.file).stat().st_size / 1e6,
            }
            row["sandboxed"] = paired.get("sandboxed")
            if "ours" in row:  # the time of the paired run, the memory of our own
                row["ours"]["ms"] = paired["ours"]
        print_table(inputs, results, with_vips)

        note(
            "\nWhere our time goes: one extra run per input after a warm-up, with timers "
            "around PIL's decode (load), resize, save, convert, paste, copy, transpose and "
            "ImageCms.profileToProfile (the timers cost time: read these walls beside each "
            "other, not against the table).  Each ms is counted once, in the innermost timed "
            "call.  Steps overlap on 2 threads (ours resizes and encodes on helper threads "
            "while the main thread goes on), so the sums can exceed the wall time."
        )
        for item in inputs:
            if item.job in failed_jobs:
                continue
            try:
                report_steps(item, json.loads(run_child("--steps", str(folder / item.file))))
            except Broken as exc:
                problems.append(f"{item.label}, step timers: {exc}")
    print(
        f"\nLoad average (1/5/15 min) before: {load_before}, after: {load_average()} "
        f"(on 2 cores, anything above ~0.5 makes the timings noisy); "
        f"{time.monotonic() - started:.0f} s in all"
    )
    for problem in problems:
        print(f"BROKEN: {problem}")
    return 1 if problems else 0


def print_table(inputs: list[Input], results: dict[str, dict], with_vips: bool) -> None:
    vips_head = f" {'pyvips ms':>9} {'ours/vips':>9}" if with_vips else ""
    head = (
        f"{'input':30} {'pixels':>9} {'file MB':>7} {'naive ms':>8} {'ours ms':>7} "
        f"{'ratio':>5} {'target':>7} {'time':>6} {'ours +MB':>8} {'memory':>6} "
        f"{'child ms':>8} {'+ms':>4}{vips_head}"
    )
    print()
    print(head)
    section = None
    for item in inputs:
        if item.section != section:
            section = item.section
            print(f"-- {SECTIONS[section]}")
        row = results.get(item.label, {})
        naive_row, ours_row = row.get("naive"), row.get("ours")
        pixels = f"{item.size[0]}x{item.size[1]}"
        first = naive_row or ours_row
        file_mb = f"{first['input_mb']:7.1f}" if first else f"{'-':>7}"
        naive_ms = f"{naive_row['ms']:8.0f}" if naive_row else f"{'BROKEN':>8}"
        ours_ms = f"{ours_row['ms']:7.0f}" if ours_row else f"{'BROKEN':>7}"
        if naive_row and ours_row:
            ratio = ours_row["ms"] / naive_row["ms"]
            timing = f"{ratio:5.2f} {f'<= {item.target:.2f}':>7} {verdict(ratio <= item.target):>6}"
        else:
            timing = f"{'-':>5} {f'<= {item.target:.2f}':>7} {'BROKEN':>6}"
        if ours_row:
            above = ours_row["peak_mb"] - ours_row["idle_mb"]
            memory = f"{above:8.0f} {verdict(above <= TARGET_ABOVE_IDLE_MB):>6}"
        else:
            memory = f"{'-':>8} {'BROKEN':>6}"
        child_ms = row.get("sandboxed")
        if child_ms is not None and ours_row:
            memory += f" {child_ms:8.0f} {child_ms - ours_row['ms']:4.0f}"
        else:
            memory += f" {'-':>8} {'-':>4}"
        vips_cells = ""
        if with_vips:
            vips_row = row.get("vips")
            if vips_row and ours_row:
                vips_cells = f" {vips_row['ms']:9.0f} {ours_row['ms'] / vips_row['ms']:9.2f}"
            elif row.get("vips_lacks"):
                vips_cells = f" {'no codec':>9} {'-':>9}"
            else:
                vips_cells = f" {'BROKEN':>9} {'-':>9}"
        print(
            f"{item.label:30} {pixels:>9} {file_mb} {naive_ms} {ours_ms} {timing} {memory}"
            f"{vips_cells}"
        )
    note(
        f"ratio: ours / naive, median wall ms of the same run; targets from the issue: <= 0.5 "
        f"at 24 MP, <= 0.75 at 12 MP, <= 1.0 at 2, 4 and 40 MP.  ours +MB: our peak RSS "
        f"(ru_maxrss) above the child's idle RSS after its imports, target <= "
        f"{TARGET_ABOVE_IDLE_MB} MB.  child ms: ours as the upload view runs it, in a child "
        f"process of the decode sandbox (gallery/images/sandbox.py: the file sent in, the encoded "
        f"sizes sent back), median of the same run; +ms: what the sandbox costs an upload."
    )
    phone = {
        i.label.rsplit(" ", 1)[1]: results.get(i.label, {}).get("ours")
        for i in inputs
        if i.section == "phone"
    }
    if phone.get("JPEG") and any(name != "JPEG" and r for name, r in phone.items()):
        print(
            "Phone formats, ours on each / ours on the same picture as JPEG: "
            + ", ".join(
                f"{name} {r['ms'] / phone['JPEG']['ms']:.2f}"
                for name, r in phone.items()
                if r and name != "JPEG"
            )
        )


if __name__ == "__main__":
    sys.exit(main())
