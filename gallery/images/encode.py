"""Encode the renditions: resizing (in bands on two threads for the large sizes), the
process's two helper threads, and each size's files with explicit settings.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from PIL import Image

from .results import Rendition
from .settings import (
    _BAND_MIN_PIXELS,
    _JPEG,
    _JPEG_DEFAULT,
    _KEEP_WITHIN,
    _PNG,
    _PNG_DEFAULT,
    _REDUCING_GAP,
    _REDUCING_GAP_DEFAULT,
    _RESAMPLE,
    _RESAMPLE_DEFAULT,
    _WEBP,
    _WEBP_DEFAULT,
    ON_WHITE,
    WEBP_SIZES,
    WEBP_SIZES_WITH_ALPHA,
)


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
        fallback = (on_white(im), name, "jpeg", _JPEG.get(name, _JPEG_DEFAULT))
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


def on_white(im: Image.Image) -> Image.Image:
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


def jpeg_bytes(im: Image.Image, name: str = "large", **params: object) -> bytes:
    """An image made outside the pipeline (a postcard's front, gallery/prints/) encoded
    as the pipeline encodes a size's JPEG: only explicit settings, so no metadata at all
    (no EXIF, no ICC profile, no comment); `params` override the size's settings."""
    im.info = {}
    return _encode(im, name, "jpeg", {**_JPEG.get(name, _JPEG_DEFAULT), **params}).data
