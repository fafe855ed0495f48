"""The decode sandbox (gallery/images/sandbox.py): every upload is decoded in a child process held
to memory, CPU and wall-time limits; a file that breaks one is refused with a 413, leaves
nothing behind, and the worker's own memory does not grow.

The hostile files are made in memory (tests/hostile.py): a HEIC whose grid canvas hides
in a second iloc extent, the same behind a decoy second iloc box, both tricks on an AVIF
grid, and a progressive JPEG of thousands of scans."""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from gallery import images
from gallery.extensions import db
from gallery.images import sandbox
from gallery.models import Work
from helpers import encode, form_data, fresh, png_bytes, post
from hostile import avif_grid_bomb, heic_grid_bomb, progressive_jpeg_bomb
from imagecheck import DAMAGED, TOO_LARGE

MB = 1024 * 1024
COSTLY = images.TOO_COSTLY.split(".")[0]  # "This image needs more memory or time to open than..."


def media_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def peak_rss_since_reset() -> tuple[int, int]:
    """Reset this process's peak resident memory (VmHWM) to its current size (Linux's
    clear_refs 5); returns (current, peak) in bytes."""
    Path("/proc/self/clear_refs").write_text("5")
    return _rss()


def _rss() -> tuple[int, int]:
    """This process's resident memory and its peak since the last reset, in bytes."""
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) * 1024
    return rss, peak


def at_work() -> list:
    """The decode children still alive, but the spare one waiting for the next file."""
    return [c for c in multiprocessing.active_children() if c is not sandbox.spare()]


def assert_nothing_left(app) -> None:
    fresh()
    assert db.session.scalars(select(Work)).all() == []
    assert media_files(app) == []


# ---- the hostile files through /submit

BOMBS = {
    # 3.7 KB that make libheif build a 31744 x 31744 canvas (1 Gpx: 1.5 GB and 5 s in the
    # worker before the sandbox): the child fails to allocate it at once.
    "heic-split-extents": (lambda: heic_grid_bomb(), "IMG_0001.HEIC", {}, 413, TOO_LARGE),
    "heic-second-iloc": (
        lambda: heic_grid_bomb(decoy_iloc=True),
        "IMG_0002.HEIC",
        {},
        413,
        TOO_LARGE,
    ),
    # 13 KB, 256 tiles of one AV1 image on a 16384 x 16384 canvas: in the worker, 2 GB and
    # 10 s, then published at 2048 px; the child runs out of address space in a second.
    "avif-split-extents": (lambda: avif_grid_bomb(), "photo.avif", {}, 413, TOO_LARGE),
    # libavif refuses a second iloc box itself.
    "avif-second-iloc": (lambda: avif_grid_bomb(decoy_iloc=True), "photo.avif", {}, 400, DAMAGED),
    # 20,000 scans of a few bytes each: about 25 s of libjpeg's CPU for a 670 KB file.
    "progressive-jpeg": (
        lambda: progressive_jpeg_bomb(),
        "scan.jpg",
        {"DECODE_CPU_SECONDS": 1},
        413,
        COSTLY,
    ),
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_hostile_file_is_refused_and_the_worker_does_not_grow(app_factory, name):
    make, filename, settings, status, message = BOMBS[name]
    bomb = make()
    assert len(bomb) < 700_000
    app = app_factory(**settings)
    with app.app_context():
        client = app.test_client()
        form = form_data(client, bomb, filename=filename)
        before, _ = peak_rss_since_reset()
        response = post(client, form)
        _, peak = _rss()
        assert peak - before < 50 * MB  # before the sandbox: 1.5 to 2 GB for the grids
        assert response.status_code == status
        page = response.get_data(as_text=True)
        assert message in page and "The image could not be accepted." in page
        assert_nothing_left(app)
        assert at_work() == []


def test_a_child_past_its_wall_time_is_killed_and_the_upload_is_413(app_factory):
    app = app_factory(DECODE_WALL_SECONDS=0.5)
    with app.app_context():
        client = app.test_client()
        response = post(client, form_data(client, progressive_jpeg_bomb(), filename="scan.jpg"))
        assert response.status_code == 413
        assert COSTLY in response.get_data(as_text=True)
        assert_nothing_left(app)
        assert at_work() == []  # killed and reaped


def test_the_refusal_is_translated(app_factory):
    app = app_factory(DECODE_CPU_SECONDS=1)
    with app.app_context():
        client = app.test_client()
        client.get("/fr/submit")
        response = post(
            client,
            form_data(client, progressive_jpeg_bomb(), filename="scan.jpg"),
            url="/fr/submit",
        )
        assert response.status_code == 413
        assert "Cette image demande plus de mémoire" in response.get_data(as_text=True)


def test_an_ordinary_upload_is_made_in_a_child_and_leaves_none(app, client):
    response = post(client, form_data(client, png_bytes((640, 480))))
    assert response.status_code == 303
    assert at_work() == []
    fresh()
    work = db.session.scalars(select(Work)).one()
    assert (work.width, work.height) == (640, 480)


# ---- the sandbox itself


def test_the_child_runs_the_pipeline_and_the_worker_never_decodes(monkeypatch):
    """images.process in this process would fail: the child has its own, untouched."""
    monkeypatch.setattr(images, "_decode_large", lambda *a: 1 / 0)
    data = encode(Image.new("RGB", (300, 200), (200, 30, 30)), "PNG")
    result = sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())
    assert (result.width, result.height, result.source_format) == (300, 200, "PNG")
    assert {r.filename for r in result.renditions} >= {"large.jpg", "thumb.webp"}


def test_a_refusal_in_the_child_keeps_its_status_and_message():
    data = encode(Image.new("RGB", (300, 200)), "PNG")
    with pytest.raises(images.InvalidImage) as caught:
        sandbox.process(io.BytesIO(data), max_pixels=1000, limits=sandbox.default_limits())
    assert (caught.value.status, caught.value.template) == (413, images.TOO_MANY_PIXELS)
    assert caught.value.params == {"megapixels": "0.001"}


def test_a_cover_past_its_limits_is_an_oserror_not_a_crash():
    """images.cover reads a stored file: a child that breaks a limit makes the cover fail as
    a storage failure would (the views answer 503 and change nothing)."""
    with pytest.raises(OSError):
        sandbox.cover(
            progressive_jpeg_bomb(),
            [[0, 0, 0.5, 0.5]],
            has_alpha=False,
            limits=sandbox.Limits(memory=1536 * MB, cpu=1, wall=30),
        )
    assert at_work() == []


def test_the_limits_and_slots_come_from_the_settings(app_factory):
    app = app_factory(DECODE_MEMORY_MB=512, DECODE_CPU_SECONDS=7, DECODE_WALL_SECONDS=9)
    assert sandbox.Limits.from_config(app.config) == sandbox.Limits(512 * MB, 7, 9.0)
    # One slot per DECODE_MEMORY_MB of the memory available: one child's address space.
    assert app_factory(DECODE_MEMORY_MB=10**9).config["DECODE_SLOTS"] == 1
    assert app_factory(DECODE_MEMORY_MB=1).config["DECODE_SLOTS"] > 100


def test_each_child_serves_one_file_and_the_next_one_waits_already():
    data = encode(Image.new("RGB", (300, 200), (200, 30, 30)), "PNG")
    sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())
    first = sandbox.spare()
    assert first is not None and first.is_alive()
    first_pid = first.pid
    sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())
    second = sandbox.spare()
    assert second is not None and second.is_alive() and second.pid != first_pid
    assert not Path(f"/proc/{first_pid}").exists()  # it took that file, answered and left
    assert at_work() == []


def test_a_spare_that_died_idle_is_replaced_and_the_upload_goes_through():
    data = encode(Image.new("RGB", (300, 200), (200, 30, 30)), "PNG")
    sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())
    dead = sandbox.spare()
    dead_pid = dead.pid
    dead.kill()
    dead.join()
    result = sandbox.process(io.BytesIO(data), limits=sandbox.default_limits())
    assert (result.width, result.height) == (300, 200)
    assert sandbox.spare() is not None and sandbox.spare().pid != dead_pid
    assert at_work() == []


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_a_child_answer_can_only_hold_the_pipelines_results():
    """A child that a hostile file took over cannot make the worker run anything with a
    crafted pickle: its answer is read with an allow-list."""
    thumb = images.Rendition("thumb", "jpeg", 1, 1, b"x")
    good = images.ProcessedImage("PNG", 1, 1, False, False, "0" * 64, (thumb,))
    assert sandbox._Answer(io.BytesIO(pickle.dumps(("done", good)))).load() == ("done", good)
    with pytest.raises(pickle.UnpicklingError):
        sandbox._Answer(io.BytesIO(pickle.dumps(("done", _Payload())))).load()
