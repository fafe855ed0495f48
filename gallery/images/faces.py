"""Suggest rectangles to cover: a face detector that proposes, never decides.

OpenCV's Haar cascade for frontal faces (haarcascade_frontalface_default.xml, shipped
inside the opencv-python-headless 4.x wheel: nothing is downloaded at run time) runs on
the CPU on the display rendition brought down to at most 800 px on its long edge, in
grey.  It takes about 0.1 s on a photograph and about 0.3 s at worst (pure noise).

It misses faces (profiles, small or tilted ones, drawings) and finds some that are not
there: people still look at every work.  A failure of any kind (a broken OpenCV, an
unreadable file, a child past its limits) gives no suggestion and a warning in the log,
never an error page; it never runs while an artist uploads, nor in a GET: once a
submission's answer has been sent (public/submit.py), when a work is covered or approved,
and for a backlog with `flask --app gallery suggest-faces`.

The detector runs in a sandbox child (gallery/images/sandbox.py), like every decode: the
web worker never loads OpenCV and NumPy (about 60 MB of a worker's memory that would stay
for its whole life), and the stored image is decoded under the same hard limits as an
upload.  suggest() is the worker's side; find() is what the child runs.

OpenCV is the optional extra `gallery[faces]` (opencv-python-headless and NumPy; `make run`
installs it).  Without it, available() is False: nothing is stored, the cover tool says
that suggestions are off, and approving does not wait for a detector that cannot run.

The boxes come back as [x, y, width, height] fractions of the image, enlarged by a
margin (a cascade box runs from the brows to the mouth), merged where they overlap and
clipped to the image.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import math
import os
import threading
import time
from pathlib import Path
from typing import Any

from PIL import Image

from .. import images
from . import sandbox

log = logging.getLogger(__name__)

CASCADE = "haarcascade_frontalface_default.xml"
LONG_EDGE = 800  # the detector's input, in pixels on the long edge
SCALE_FACTOR = 1.15
MIN_NEIGHBOURS = 5
MIN_FRACTION = 40  # the smallest face looked for: 1/40 of the long edge
MIN_PIXELS = 24  # the cascade's own window
# The margin added on each side, as a fraction of the box: the cascade's box leaves out
# the hair, the forehead, the chin and the ears.
MARGIN_X = 0.2
MARGIN_TOP = 0.35
MARGIN_BOTTOM = 0.3
THREADS = 2  # OpenCV's threads for one detection: a web worker must not take every core

_local = threading.local()
_setup = threading.Lock()
_threads_set = False

Box = list[float]


def available() -> bool:
    """Whether OpenCV can be imported here (looked up, not imported: a web worker that never
    detects anything does not pay for it)."""
    try:
        return importlib.util.find_spec("cv2") is not None
    except (ImportError, ValueError):
        return False


def suggest(
    source: str | os.PathLike[str] | bytes | None, *, limits: sandbox.Limits | None = None
) -> list[Box]:
    """Rectangles that may hold a face in this image (its bytes, as the media store reads
    them, or a file's path); [] when there is none (None: the stored file is missing), or
    when the detector cannot run (logged, saying nothing of the image).  The detection runs
    in a child process held to `limits` (the settings' decode limits by default)."""
    started = time.perf_counter()
    try:
        if source is None:
            raise FileNotFoundError("no stored file to look at")
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        boxes = sandbox.run(find, data, limits=limits or sandbox.default_limits())
    except Exception as exc:  # noqa: BLE001 - a suggestion must never cost a page
        log.warning("face detector unavailable: %s", _why(exc))
        return []
    log.info(
        "face detector: %d box(es) in %.0f ms", len(boxes), (time.perf_counter() - started) * 1000
    )
    return boxes


def _why(exc: Exception) -> str:
    """What went wrong, in a word for the log: the exception's kind, or the child's."""
    if isinstance(exc, images.InvalidImage):
        return "its child stopped before answering (a limit, or a crash)"
    return getattr(exc, "child_error", None) or type(exc).__name__


def find(data: bytes) -> list[Box]:
    """The faces in an encoded image (the child's side of suggest(); may raise)."""
    with Image.open(io.BytesIO(data)) as im:
        grey = _grey(im)
    return detect(grey)


def detect(grey: Image.Image) -> list[Box]:
    """Faces in a greyscale image, as enlarged, merged fractions of it (may raise)."""
    import numpy as np  # imported here: OpenCV costs a worker ~0.3 s and memory at import

    width, height = grey.size
    long_edge = max(width, height)
    smallest = max(MIN_PIXELS, long_edge // MIN_FRACTION)
    found = _classifier().detectMultiScale(
        np.asarray(grey),
        scaleFactor=SCALE_FACTOR,
        minNeighbors=MIN_NEIGHBOURS,
        minSize=(smallest, smallest),
    )
    boxes = [_enlarged(int(x), int(y), int(w), int(h), width, height) for x, y, w, h in found]
    return [_rounded_outward(box) for box in _merged(boxes)]


def _grey(im: Image.Image) -> Image.Image:
    """The image in grey, at most LONG_EDGE pixels on its long edge."""
    im.draft("L", (LONG_EDGE, LONG_EDGE))  # JPEG: decode at a reduced scale when it can
    grey = im.convert("L")
    grey.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.BILINEAR)
    return grey


def _classifier() -> Any:
    """This thread's cascade (OpenCV's classifier is not safe to share between threads)."""
    classifier = getattr(_local, "classifier", None)
    if classifier is None:
        import cv2

        _set_threads(cv2)
        classifier = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / CASCADE))
        if classifier.empty():
            raise RuntimeError("the face cascade could not be loaded")
        _local.classifier = classifier
    return classifier


def _set_threads(cv2: Any) -> None:
    global _threads_set
    with _setup:
        if not _threads_set:
            cv2.setNumThreads(min(THREADS, os.cpu_count() or 1))
            _threads_set = True


def _enlarged(x: int, y: int, w: int, h: int, width: int, height: int) -> Box:
    left = max(0.0, x - w * MARGIN_X)
    top = max(0.0, y - h * MARGIN_TOP)
    right = min(float(width), x + w * (1 + MARGIN_X))
    bottom = min(float(height), y + h * (1 + MARGIN_BOTTOM))
    return [left / width, top / height, (right - left) / width, (bottom - top) / height]


def _merged(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes become the one box around them, until no two overlap."""
    out: list[Box] = []
    for box in boxes:
        while (hit := next((o for o in out if _overlap(o, box)), None)) is not None:
            out.remove(hit)
            box = _union(hit, box)
        out.append(box)
    return sorted(out, key=lambda b: (b[1], b[0]))


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _union(a: Box, b: Box) -> Box:
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right, bottom = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return [left, top, right - left, bottom - top]


def _rounded_outward(box: Box) -> Box:
    """Four decimals (a tenth of a pixel at 2560 px), never smaller than the box."""
    left, top = math.floor(box[0] * 1e4) / 1e4, math.floor(box[1] * 1e4) / 1e4
    right = min(1.0, math.ceil((box[0] + box[2]) * 1e4) / 1e4)
    bottom = min(1.0, math.ceil((box[1] + box[3]) * 1e4) / 1e4)
    return [left, top, round(right - left, 4), round(bottom - top, 4)]
