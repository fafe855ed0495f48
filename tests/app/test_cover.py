"""Covering faces and other identifying details, and the face detector that suggests where.

Covering is irreversible: after a cover, every stored file of the work (every size, WebP,
JPEG, PNG and the share JPEG), and a backup made afterwards, holds only the fill colour
inside each rectangle (allowing a few pixels of resampling at the edges and the noise of
lossy coding, far below anything the picture held there); the old folder is gone and
nothing waits in staging. Refused rectangles, works and visitors change nothing. The
detector runs on real photographs (Pillow's portrait of Grace Hopper), finds nothing in
pictures without faces, runs only when a page is first shown, and a broken detector
breaks no page."""

from __future__ import annotations

import errno
import io
import json
import logging
import math
import os
import random
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from gallery import images
from gallery.extensions import db
from gallery.images import faces, sandbox
from gallery.media import media_store as store
from gallery.models import ModerationEvent, Work, WorkStatus
from gallery.verbs import NotAllowed, covers
from helpers import approving, csrf_from, csrf_token_of, encode, form_data, fresh, post

# Every value of the test pictures is at least this bright, so any pixel of them left in a
# covered rectangle stands out from the black fill and from the noise of lossy coding.
BRIGHT = 110
LOSSY_NOISE = 24  # the most JPEG or WebP coding puts into black next to bright edges
EDGE = 3  # pixels of resampling at a rectangle's edges (Lanczos reaches 3 output pixels)
REGIONS = [
    [0.1, 0.12, 0.2, 0.3],
    [0.62, 0.5, 0.25, 0.2],
    [0.0, 0.0, 0.08, 0.1],
    [0.93, 0.88, 0.07, 0.12],
]
FORMATS = {"webp": "WEBP", "jpg": "JPEG", "png": "PNG"}


# ---------------------------------------------------------------- pictures


def photo(size: tuple[int, int], *, alpha: bool = False, seed: int = 7) -> Image.Image:
    """A bright, detailed picture (gradients and seeded noise, every value >= BRIGHT); with
    alpha, its top left fifth is transparent."""
    width, height = size
    rnd = random.Random(seed)
    noise = Image.frombytes("L", size, rnd.randbytes(width * height))
    across = Image.linear_gradient("L").rotate(90).resize(size)
    down = Image.linear_gradient("L").resize(size)
    bright = lambda v: BRIGHT + v * (255 - BRIGHT) // 255  # noqa: E731
    channels = [Image.blend(across, noise, 0.5), down, Image.blend(down, noise, 0.3)]
    im = Image.merge("RGB", [c.point(bright) for c in channels])
    if alpha:
        mask = Image.new("L", size, 255)
        mask.paste(0, (0, 0, width // 5, height // 5))
        im.putalpha(mask)
    return im


def png(im: Image.Image) -> bytes:
    return encode(im, "PNG")


def hopper(testdata_dir: Path) -> Image.Image:
    with Image.open(testdata_dir / "hopper.jpg") as im:
        return im.convert("RGB")


def many_hoppers(testdata_dir: Path) -> tuple[Image.Image, list[tuple[int, int, int]]]:
    """Three scaled copies of the portrait on a grey 1600 x 1000 picture, and where each is
    (left, top, side)."""
    face = hopper(testdata_dir)
    canvas = Image.new("RGB", (1600, 1000), (128, 128, 128))
    placed = [(60, 80, 420), (650, 120, 300), (1100, 480, 460)]
    for left, top, side in placed:
        canvas.paste(face.resize((side, side), Image.Resampling.LANCZOS), (left, top))
    return canvas, placed


# ---------------------------------------------------------------- reading what is stored


def stored(work: Work) -> dict[str, bytes]:
    media = store()
    return {
        name: media.path(work.image_key, name).read_bytes() for name in media.files(work.image_key)
    }


def leaks(name: str, data: bytes, regions: list[list[float]]) -> list[str]:
    """What is not the fill inside each region of one stored file (shrunk by EDGE pixels)."""
    fmt = FORMATS[name.rpartition(".")[2]]
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == fmt, name
        rgba = im.convert("RGBA")
    tolerance = 0 if fmt == "PNG" else LOSSY_NOISE
    found = []
    for x, y, w, h in regions:
        box = (
            math.ceil(x * rgba.width) + EDGE,
            math.ceil(y * rgba.height) + EDGE,
            math.floor((x + w) * rgba.width) - EDGE,
            math.floor((y + h) * rgba.height) - EDGE,
        )
        assert box[2] - box[0] >= 4 and box[3] - box[1] >= 4, (
            name,
            box,
        )  # something left to look at
        crop = rgba.crop(box)
        (_r0, r1), (_g0, g1), (_b0, b1), (a0, _a1) = crop.getextrema()
        if max(r1, g1, b1) > tolerance or a0 < 255:
            found.append(f"{name} {box}: up to {max(r1, g1, b1)}, alpha from {a0}")
    return found


def folders() -> tuple[set[str], list[str]]:
    media = store()
    return media.keys(), sorted(p.name for p in media.staging.iterdir())


def snapshot(work_id: int) -> tuple:
    """Everything a cover changes, as plain values, read afresh."""
    fresh()
    work = db.session.get(Work, work_id)
    events = db.session.scalar(
        select(func.count(ModerationEvent.id)).where(ModerationEvent.work_id == work_id)
    )
    files = stored(work) if work.image_key else {}
    row = (
        work.status,
        work.image_key,
        json.dumps(work.renditions, sort_keys=True),
        work.image_sha256,
        work.image_bytes,
        work.covered_regions,
        work.width,
        work.height,
        work.cover_requested,
    )
    fresh()
    return row, events, files, folders()


def redact(client, work_id: int, regions, csrf: str):
    text = regions if isinstance(regions, str) else json.dumps(regions)
    return client.post(
        f"/moderation/works/{work_id}/redact", data={"csrf_token": csrf, "regions": text}
    )


# ---------------------------------------------------------------- the detector


def test_the_detector_finds_grace_hoppers_face(testdata_dir):
    boxes = faces.suggest(testdata_dir / "hopper.jpg")
    assert len(boxes) == 1
    x, y, w, h = boxes[0]
    # Her face (eyes to chin, ear to ear) is inside, and the box is not the whole picture.
    assert x <= 36 / 128 and y <= 24 / 128 and x + w >= 92 / 128 and y + h >= 88 / 128, boxes
    assert w * h < 0.6


def test_the_detector_finds_each_of_several_faces(testdata_dir):
    canvas, placed = many_hoppers(testdata_dir)
    boxes = faces.suggest(encode(canvas, "JPEG", quality=90))
    assert len(boxes) == 3, boxes
    for (left, top, side), (x, y, w, h) in zip(sorted(placed, key=lambda p: (p[1], p[0])), boxes):
        # Each box holds the middle of one copy's face and stays within that copy.
        cx, cy = (left + side * 0.5) / 1600, (top + side * 0.42) / 1000
        assert x < cx < x + w and y < cy < y + h, (left, top, side, boxes)
        assert x >= (left - 2) / 1600 and x + w <= (left + side + 2) / 1600


def shapes() -> Image.Image:
    im = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle((100, 100, 500, 400), fill=(200, 30, 30), outline="black", width=8)
    draw.ellipse((600, 150, 1000, 550), fill=(30, 60, 200), outline="black", width=8)
    draw.polygon([(300, 750), (550, 450), (800, 750)], fill=(250, 200, 0), outline="black")
    for i in range(0, 1200, 60):
        draw.line((i, 0, 1200 - i, 800), fill="black", width=3)
    return im


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.new("RGB", (1600, 1000), (90, 140, 60)),
        lambda: Image.linear_gradient("L").resize((1600, 1000)).convert("RGB"),
        lambda: Image.frombytes("L", (1600, 1000), random.Random(3).randbytes(1_600_000)),
        shapes,
    ],
    ids=["flat", "gradient", "noise", "shapes"],
)
def test_the_detector_finds_nothing_where_there_is_no_face(make):
    assert faces.suggest(encode(make(), "PNG")) == []


def said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "gallery.images.faces"]


def test_a_failing_detector_gives_no_suggestion_and_a_quiet_warning(
    monkeypatch, caplog, testdata_dir
):
    # The detector's child cannot finish in a millisecond of wall time: it is killed.
    hurried = sandbox.Limits(memory=1536 * sandbox.MB, cpu=10, wall=0.001)
    with caplog.at_level(logging.WARNING, logger="gallery.images.faces"):
        assert faces.suggest(testdata_dir / "hopper.jpg", limits=hurried) == []
    assert said(caplog) == [
        "face detector unavailable: its child stopped before answering (a limit, or a crash)"
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="gallery.images.faces"):
        assert faces.suggest(b"not an image") == []  # the child cannot open it
        assert faces.suggest(None) == []
    assert said(caplog) == [
        "face detector unavailable: UnidentifiedImageError",
        "face detector unavailable: FileNotFoundError",
    ]
    # Where OpenCV cannot be imported, the child's find() fails the same quiet way.
    monkeypatch.setattr(faces, "_local", threading.local())  # no cascade loaded yet
    monkeypatch.setitem(sys.modules, "cv2", None)
    with pytest.raises(ModuleNotFoundError):
        faces.find((testdata_dir / "hopper.jpg").read_bytes())


def test_the_worker_never_loads_opencv(testdata_dir):
    """The detector runs in a sandbox child: the process that asked for it (a web worker
    in production, this test process here) has not imported OpenCV or NumPy for it."""
    before = {"cv2", "numpy"} & set(sys.modules)
    assert len(faces.suggest(testdata_dir / "hopper.jpg")) == 1
    assert {"cv2", "numpy"} & set(sys.modules) == before


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE")


def writes(counter) -> list[str]:
    return [s for s in counter.statements if s.lstrip().upper().startswith(WRITES)]


def test_suggestions_are_made_once_the_submission_commits_never_in_a_get(
    app, client, moderator, make_prisoner, testdata_dir, monkeypatch, count_statements
):
    calls = []
    real = faces.suggest

    def spy(source, **kwargs):
        # What another connection sees when the detector starts: the work, committed.
        with db.engine.connect() as other:
            calls.append(other.scalar(select(func.count()).select_from(Work)))
        return real(source, **kwargs)

    monkeypatch.setattr(faces, "suggest", spy)
    make_prisoner()
    data = form_data(client, encode(hopper(testdata_dir), "JPEG", quality=95), "me.jpg")
    data["prisoners"] = "1"
    assert post(client, data).status_code == 303
    assert calls == [1]  # once, after the submission committed
    fresh()
    work = db.session.scalars(select(Work)).one()
    assert len(work.face_suggestions) == 1
    with count_statements() as counter:
        page = client.get(f"/moderation/works/{work.id}")
    assert page.status_code == 200 and calls == [1]
    assert writes(counter) == []
    html = page.get_data(as_text=True)
    # Nothing is chosen for the moderator: the form is empty, and the suggestion is written
    # beside it for those without JavaScript to copy.
    field = re.search(r'<textarea[^>]*name="regions"[^>]*>([^<]*)</textarea>', html)
    assert field and field.group(1).strip() == ""
    code = re.search(r"<code>([^<]*)</code>", html)
    assert code and json.loads(code.group(1)) == work.face_suggestions
    assert html.count('<rect x="') == 1  # outlined on the image
    assert "The face detector suggests 1 rectangle" in html
    client.get("/moderation/")
    assert calls == [1]  # once, then kept
    assert "The face detector sees 1 possible face not covered yet" in client.get(
        "/moderation/"
    ).get_data(as_text=True)


def test_a_get_of_the_receipt_or_the_review_page_writes_nothing(
    client, moderator, pending, testdata_dir, monkeypatch, count_statements
):
    """A work the detector has not looked at yet (submitted before OpenCV was installed)
    stays so through any number of GETs: `flask suggest-faces` or the approval looks."""
    calls = []
    monkeypatch.setattr(faces, "suggest", lambda source, **kw: calls.append(source) or [])
    work, token = pending(encode(hopper(testdata_dir), "JPEG"), looked=False)
    with count_statements() as counter:
        assert client.get(f"/submissions/{token}").status_code == 200
        assert client.get(f"/moderation/works/{work.id}").status_code == 200
    assert writes(counter) == [] and calls == []
    fresh()
    assert db.session.get(Work, work.id).face_suggestions is None


def test_the_command_looks_at_the_backlog(app, pending, testdata_dir):
    waiting, _token = pending(encode(hopper(testdata_dir), "JPEG"), looked=False)
    result = app.test_cli_runner().invoke(args=["suggest-faces"])
    assert result.exit_code == 0, result.output
    assert "Looked at 1 pending work(s); 1 with possible faces to cover." in result.output
    fresh()
    assert len(db.session.get(Work, waiting.id).face_suggestions) == 1


def test_without_opencv_suggestions_are_off_and_said_so(
    app, client, moderator, pending, testdata_dir, monkeypatch
):
    monkeypatch.setitem(sys.modules, "cv2", None)  # as if the extra [faces] were not installed
    assert not faces.available()
    work, token = pending(encode(hopper(testdata_dir), "JPEG"))
    fresh()
    assert db.session.get(Work, work.id).face_suggestions is None  # nothing claimed
    off = "Face suggestions are off: the face detector is not installed on this server."
    assert off in client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    receipt = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert off in receipt
    french = client.get(f"/fr/submissions/{token}").get_data(as_text=True)
    assert "Les suggestions de visages sont désactivées\u00a0: le détecteur" in french
    russian = client.get(f"/ru/submissions/{token}").get_data(as_text=True)
    assert "Подсказки детектора лиц отключены" in russian
    result = app.test_cli_runner().invoke(args=["suggest-faces"])
    assert result.exit_code == 1 and "Face suggestions are off" in result.output
    # Approving does not wait for a detector that cannot run.
    response = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert response.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).status == WorkStatus.APPROVED


def test_a_broken_detector_breaks_no_page(
    app, client, moderator, pending, monkeypatch, testdata_dir, caplog
):
    work, token = pending(encode(hopper(testdata_dir), "JPEG"), looked=False)
    # The detector's child gets a millisecond: it is killed before it answers.
    monkeypatch.setitem(app.config, "DECODE_WALL_SECONDS", 0.001)
    with caplog.at_level(logging.WARNING, logger="gallery.images.faces"):
        covers.suggest_faces(store(), db.session.get(Work, work.id))  # as after a submission
        db.session.commit()
    assert client.get(f"/moderation/works/{work.id}").status_code == 200
    fresh()
    assert db.session.get(Work, work.id).face_suggestions == []  # looked for, nothing found
    receipt = client.get(f"/submissions/{token}")
    assert receipt.status_code == 200
    assert "The face detector found no face" in receipt.get_data(as_text=True)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert (
        "face detector unavailable: its child stopped before answering (a limit, or a crash)"
        in logged
    )
    assert work.image_key not in logged and token not in logged


def test_the_receipt_shows_the_suggestions_while_pending(client, pending, testdata_dir):
    canvas, _placed = many_hoppers(testdata_dir)
    work, token = pending(encode(canvas, "JPEG", quality=92))
    response = client.get(f"/submissions/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "no-store" in response.headers["Cache-Control"]
        and "noindex" in response.headers["X-Robots-Tag"]
    )
    assert html.count('<rect x="') == 3
    assert "The face detector suggests 3 rectangles" in html
    assert f'action="/submissions/{token}/cover"' in html


# ---------------------------------------------------------------- the pieces


def test_regions_are_checked_and_clipped():
    assert covers.parse_regions("[[0.25, 0.5, 0.5, 0.25]]") == [(0.25, 0.5, 0.5, 0.25)]
    ((x, y, w, h),) = covers.parse_regions("[[0.9, 0.75, 0.5, 1]]")
    assert (x, y) == (0.9, 0.75) and w == pytest.approx(0.1) and h == pytest.approx(0.25)
    assert covers.parse_regions("[[0, 0, 1, 1]]") == [(0, 0, 1, 1)]


def test_a_cover_box_is_rounded_outward():
    assert images.cover_box((0.1, 0.1, 0.2, 0.2), (1000, 1000)) == (100, 100, 300, 300)
    assert images.cover_box((0.1005, 0.2005, 0.1, 0.1), (1000, 1000)) == (100, 200, 201, 301)
    assert images.cover_box((0.999, 0.999, 0.0001, 0.0001), (100, 100)) == (99, 99, 100, 100)
    assert images.cover_box((0.2501, 0, 0.5, 1), (400, 300)) == (100, 0, 301, 300)


@pytest.mark.parametrize("mode", ["L", "LA", "RGB", "RGBA"])
def test_the_pipeline_covers_every_kind_of_stored_image(mode):
    base = photo((700, 500), alpha=mode.endswith("A"))
    source = base.convert(mode) if mode in ("L", "LA") else base
    made = images.process(io.BytesIO(png(source)))
    large = next(r for r in made.renditions if r.size == "large" and r.format != "webp")
    covered = images.cover(large.data, [[0.2, 0.2, 0.5, 0.5]], has_alpha=made.has_alpha)
    assert [(r.size, r.format, r.width, r.height) for r in covered.renditions] == [
        (r.size, r.format, r.width, r.height) for r in made.renditions
    ]
    assert (covered.width, covered.height, covered.has_alpha) == (
        made.width,
        made.height,
        made.has_alpha,
    )
    originals = {r.filename: r.data for r in made.renditions}
    for r in covered.renditions:
        assert leaks(r.filename, r.data, [[0.2, 0.2, 0.5, 0.5]]) == [], r.filename
        with (
            Image.open(io.BytesIO(r.data)) as now,
            Image.open(io.BytesIO(originals[r.filename])) as before,
        ):
            assert now.mode == before.mode, r.filename


# ---------------------------------------------------------------- covering, by a moderator


@pytest.mark.parametrize("alpha", [False, True], ids=["jpeg", "transparent-png"])
def test_covering_leaves_only_the_fill_in_every_stored_file(app, client, moderator, pending, alpha):
    size = (2800, 1800) if not alpha else (1500, 1000)
    work, token = pending(png(photo(size, alpha=alpha)))
    old_key, old_sha = work.image_key, work.image_sha256
    assert work.has_alpha is alpha
    assert leaks("share.webp", stored(work)["share.webp"], REGIONS)  # the picture is there before

    response = redact(client, work.id, REGIONS, moderator)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/moderation/works/{work.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 regions covered" in page

    fresh()
    work = db.session.get(Work, work.id)
    files = stored(work)
    fallback = "png" if alpha else "jpg"
    display_webp = ["display.webp"] if alpha else []  # beside a lossless PNG only
    assert sorted(files) == sorted(
        [
            f"large.{fallback}",
            *display_webp,
            f"display.{fallback}",
            "share.webp",
            "share.jpg",
            "thumb.webp",
            f"thumb.{fallback}",
        ]
    )
    assert [leak for name, data in files.items() for leak in leaks(name, data, REGIONS)] == []
    # Outside the rectangles the picture is untouched.
    with Image.open(io.BytesIO(files["share.webp"])) as im:
        assert min(im.convert("RGB").getpixel((im.width // 2, im.height // 4))) >= BRIGHT - 20
    assert work.image_key != old_key and work.image_sha256 != old_sha
    assert (work.width, work.height) == ((2560, 1646) if not alpha else (1500, 1000))
    # The detector looked again, on the covered image (the page after the redirect).
    assert work.covered_regions == 4 and work.face_suggestions == []
    assert work.renditions["share"]["width"] == 1200
    assert old_key not in store().keys() and not (store().works / old_key).exists()
    assert list(store().staging.iterdir()) == []
    event = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "cover")
    ).one()
    assert (event.work_id, event.moderator.username, event.reason) == (work.id, "mod", "4 regions")
    # What the artist sees is what will be published: the covered files.
    receipt = client.get(f"/submissions/{token}").get_data(as_text=True)
    assert (
        f"/submissions/{token}/media/share.webp 1200w" in receipt and "4 regions covered" in receipt
    )
    with client.get(f"/submissions/{token}/media/share.webp") as shown:
        assert shown.get_data() == files["share.webp"]


def test_covering_again_adds_up_and_old_files_answer_404(client, moderator, pending):
    work, _token = pending(png(photo((900, 600))))
    first_key = work.image_key
    assert redact(client, work.id, [[0.1, 0.1, 0.2, 0.2]], moderator).status_code == 303
    fresh()
    second_key = db.session.get(Work, work.id).image_key
    assert (
        redact(client, work.id, [[0.5, 0.5, 0.2, 0.2], [0.7, 0.1, 0.1, 0.1]], moderator).status_code
        == 303
    )
    fresh()
    work = db.session.get(Work, work.id)
    assert work.covered_regions == 3
    assert store().keys() == {work.image_key}
    for key in (first_key, second_key):
        assert client.get(f"/media/{key}/share.webp").status_code == 404
    files = stored(work)
    every = [[0.1, 0.1, 0.2, 0.2], [0.5, 0.5, 0.2, 0.2], [0.7, 0.1, 0.1, 0.1]]
    assert [leak for name, data in files.items() for leak in leaks(name, data, every)] == []
    actions = db.session.scalars(
        select(ModerationEvent.reason).where(ModerationEvent.action == "cover")
    )
    assert list(actions) == ["1 region", "2 regions"]


def test_a_backup_made_after_holds_no_uncovered_pixel(
    app, client, runner, moderator, pending, tmp_path
):
    work, _token = pending(png(photo((1800, 1200))))
    old_key = work.image_key
    assert redact(client, work.id, REGIONS, moderator).status_code == 303
    fresh()
    work = db.session.get(Work, work.id)
    dest = tmp_path / "copy"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    copied = {p.name: p.read_bytes() for p in (dest / "media" / "works" / work.image_key).iterdir()}
    assert copied == stored(work) and len(copied) == 6
    assert [leak for name, data in copied.items() for leak in leaks(name, data, REGIONS)] == []
    assert not (dest / "media" / "works" / old_key).exists()
    assert [p.name for p in (dest / "media" / "works").iterdir()] == [work.image_key]
    fsck = runner.invoke(args=["fsck"])
    assert fsck.exit_code == 0, fsck.output
    assert "Missing files: 0" in fsck.output


REFUSED = [
    ("", "Draw at least one rectangle to cover."),
    ("[]", "Draw at least one rectangle to cover."),
    ("[[0.1, 0.1, 0.2", "The rectangles could not be read."),
    ('{"x": 0.1}', "The rectangles could not be read."),
    ("[[NaN, 0.1, 0.2, 0.2]]", "The rectangles could not be read."),
    ("[[0.1, 0.1, Infinity, 0.2]]", "The rectangles could not be read."),
    ("[[0.1, 0.1, 1e999, 0.2]]", "Rectangle 1 must be four numbers between 0 and 1"),
    (
        "[[0.1, 0.1, 0.2, 0.2], [1.2, 0.1, 0.2, 0.2]]",
        "Rectangle 2 must be four numbers between 0 and 1",
    ),
    ("[[-0.1, 0.1, 0.2, 0.2]]", "Rectangle 1 must be four numbers"),
    ("[[0.1, 0.1, 0, 0.2]]", "Rectangle 1 must be four numbers"),
    ("[[0.1, 0.1, 0.2, 1.5]]", "Rectangle 1 must be four numbers"),
    ("[[1, 0.1, 0.2, 0.2]]", "Rectangle 1 must be four numbers"),  # starts on the right edge
    ("[[0.1, 0.1, 0.2]]", "Rectangle 1 must be four numbers"),
    ('[["0.1", 0.1, 0.2, 0.2]]', "Rectangle 1 must be four numbers"),
    ("[[true, 0.1, 0.2, 0.2]]", "Rectangle 1 must be four numbers"),
    ("[[0.1, 0.1, 0.2, 0.2, 0.3]]", "Rectangle 1 must be four numbers"),
    (json.dumps([[0.01, 0.01, 0.01, 0.01]] * 51), "At most 50 rectangles can be covered at once."),
    ("[" * 5000 + "]" * 5000, "The rectangles could not be read."),
    ("[[0.1, 0.1, 0.2, 0.2]]" + " " * 20_001, "The rectangles could not be read."),
    ("[[1" + "0" * 5000 + ", 0.1, 0.2, 0.2]]", "The rectangles could not be read."),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[f"r{i}" for i in range(len(REFUSED))])
def test_refused_rectangles_are_a_400_and_change_nothing(client, moderator, pending, text, message):
    work, _token = pending(png(photo((600, 400))))
    before = snapshot(work.id)
    response = redact(client, work.id, text, moderator)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"')
    assert 'aria-invalid="true"' in html  # the field says so, next to it
    assert snapshot(work.id) == before


def test_fifty_rectangles_are_accepted(client, moderator, pending):
    work, _token = pending(png(photo((600, 400))))
    regions = [[(i % 10) / 10, (i // 10) / 5, 0.05, 0.05] for i in range(50)]
    assert redact(client, work.id, regions, moderator).status_code == 303
    fresh()
    assert db.session.get(Work, work.id).covered_regions == 50


@pytest.mark.parametrize("status", [WorkStatus.APPROVED, WorkStatus.REJECTED])
def test_only_a_pending_work_can_be_covered(client, moderator, make_work, status):
    work = make_work(status=status, image=png(photo((600, 400))))
    if status == WorkStatus.REJECTED:
        work.image_key, work.renditions = None, None  # as reject() leaves it
        db.session.commit()
    before = snapshot(work.id)
    response = redact(client, work.id, [[0.1, 0.1, 0.2, 0.2]], moderator)
    assert response.status_code == 409
    assert "Only a work waiting for review can be covered" in response.get_data(as_text=True)
    assert snapshot(work.id) == before
    assert f'action="/moderation/works/{work.id}/redact"' not in client.get(
        f"/moderation/works/{work.id}"
    ).get_data(as_text=True)


def test_unknown_work_is_a_404(client, moderator):
    assert redact(client, 999, [[0.1, 0.1, 0.2, 0.2]], moderator).status_code == 404


def test_visitors_and_forged_forms_change_nothing(app, client, pending, make_moderator, login):
    work, token = pending(png(photo((600, 400))))
    before = snapshot(work.id)
    anonymous = client.post(
        f"/moderation/works/{work.id}/redact",
        data={"csrf_token": csrf_token_of(client, "/submit"), "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
    )
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    make_moderator("mod")
    assert login("mod").status_code == 303
    for csrf in ("", "garbage", csrf_token_of(app.test_client(), "/login")):
        assert redact(client, work.id, [[0.1, 0.1, 0.2, 0.2]], csrf).status_code == 400
        assert (
            client.post(
                f"/submissions/{token}/cover",
                data={"csrf_token": csrf, "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
            ).status_code
            == 400
        )
    assert (
        client.post(
            f"/submissions/{'x' * 43}/cover",
            data={
                "csrf_token": csrf_token_of(client, "/submit"),
                "regions": "[[0.1, 0.1, 0.2, 0.2]]",
            },
        ).status_code
        == 404
    )
    assert snapshot(work.id) == before


# A full disk redraws the page with the regions drawn; a failing one is the logged 500.
@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (
            errno.ENOSPC,
            507,
            "The server has no room left to store what you sent. Nothing was kept.",
        ),
        (errno.EIO, 500, "Something went wrong on our side"),
    ],
    ids=["full", "failing"],
)
@pytest.mark.parametrize("who", ["moderator", "artist"])
def test_a_failure_while_publishing_keeps_the_image_as_it_was(
    client, moderator, pending, monkeypatch, error, status, text, who
):
    work, token = pending(png(photo((600, 400))))
    before = snapshot(work.id)

    def failing_disk(self, files):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(type(store()), "publish", failing_disk)
    if who == "moderator":
        response = redact(client, work.id, [[0.1, 0.1, 0.2, 0.2]], moderator)
    else:
        response = client.post(
            f"/submissions/{token}/cover",
            data={"csrf_token": moderator, "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
        )
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert snapshot(work.id) == before


@pytest.mark.parametrize("who", ["moderator", "artist"])
def test_no_free_decode_slot_is_a_503_to_retry(client, moderator, pending, monkeypatch, who):
    from gallery.media.slots import NoSlot
    from gallery.moderation import works
    from gallery.public import submit

    work, token = pending(png(photo((600, 400))))
    before = snapshot(work.id)

    def busy(*args, **kwargs):
        raise NoSlot

    monkeypatch.setattr(works if who == "moderator" else submit, "image_slot", busy)
    if who == "moderator":
        response = redact(client, work.id, [[0.1, 0.1, 0.2, 0.2]], moderator)
    else:
        response = client.post(
            f"/submissions/{token}/cover",
            data={"csrf_token": moderator, "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
        )
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Many images are being processed right now" in response.get_data(as_text=True)
    assert snapshot(work.id) == before


def test_a_failure_after_publishing_removes_the_new_files(app, pending, monkeypatch):
    work, _token = pending(png(photo((600, 400))))
    before = snapshot(work.id)

    def broken(*args, **kwargs):
        raise RuntimeError("the audit table is gone")

    monkeypatch.setattr(covers.audit, "record", broken)
    with pytest.raises(RuntimeError):
        covers.cover_work(store(), work.id, [[0.1, 0.1, 0.2, 0.2]], None)
    db.session.rollback()
    assert snapshot(work.id) == before  # the new folder went with the rollback


def test_a_cover_that_raced_another_change_is_refused(app, pending, monkeypatch):
    work, _token = pending(png(photo((600, 400))))
    work_id, before = work.id, snapshot(work.id)
    real = sandbox.cover

    def meanwhile(*args, **kwargs):
        made = real(*args, **kwargs)
        other = db.session.get(Work, work_id)  # another request covers it first
        other.image_key = store().publish({"large.jpg": b"x"})
        db.session.commit()
        return made

    monkeypatch.setattr(covers.sandbox, "cover", meanwhile)
    with pytest.raises(NotAllowed):
        covers.cover_work(store(), work_id, [[0.1, 0.1, 0.2, 0.2]], None)
    db.session.rollback()
    keys, staging = folders()
    assert len(keys) == 2 and staging == []  # the old and the other one: not the refused one
    assert before[3][0] < keys


# ---------------------------------------------------------------- the artist


def test_the_artist_covers_their_own_work_from_the_receipt(client, pending, make_moderator, login):
    work, token = pending(png(photo((1200, 800))))
    page = client.get(f"/submissions/{token}").get_data(as_text=True)
    response = client.post(
        f"/submissions/{token}/cover",
        data={"csrf_token": csrf_from(page), "regions": json.dumps(REGIONS[:2])},
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/submissions/{token}"
    shown = client.get(f"/submissions/{token}")
    assert "no-store" in shown.headers["Cache-Control"]
    assert "2 regions covered" in shown.get_data(as_text=True)
    fresh()
    work = db.session.get(Work, work.id)
    assert work.covered_regions == 2
    assert [
        leak for name, data in stored(work).items() for leak in leaks(name, data, REGIONS[:2])
    ] == []
    event = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.action == "cover")
    ).one()
    assert event.moderator_id is None and event.reason == "2 regions, by the artist"
    make_moderator("mod")
    assert login("mod").status_code == 303
    history = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    assert re.search(
        r"<td>the artist</td>\s*<td><span title=\"cover\">Covered faces or identifying details",
        history,
    )


def test_the_artist_is_refused_politely(client, pending):
    work, token = pending(png(photo((600, 400))))
    csrf = csrf_from(client.get(f"/submissions/{token}").get_data(as_text=True))
    before = snapshot(work.id)
    bad = client.post(
        f"/submissions/{token}/cover", data={"csrf_token": csrf, "regions": "[[2, 2, 2, 2]]"}
    )
    assert bad.status_code == 400
    assert "Rectangle 1 must be four numbers" in bad.get_data(as_text=True)
    assert "no-store" in bad.headers["Cache-Control"]
    assert snapshot(work.id) == before
    withdrawn = client.post(
        f"/submissions/{token}/withdraw", data={"csrf_token": csrf, "confirm": "y"}
    )
    assert withdrawn.status_code == 303
    after_withdrawal = snapshot(work.id)
    late = client.post(
        f"/submissions/{token}/cover",
        data={"csrf_token": csrf, "regions": "[[0.1, 0.1, 0.2, 0.2]]"},
    )
    assert late.status_code == 409
    assert snapshot(work.id) == after_withdrawal


def test_the_artist_asks_the_moderators_to_cover(client, pending, moderator):
    work, token = pending(png(photo((600, 400))))
    stranger = client.application.test_client()
    page = stranger.get(f"/submissions/{token}").get_data(as_text=True)
    assert f'action="/submissions/{token}/cover-request"' in page
    asked = stranger.post(
        f"/submissions/{token}/cover-request", data={"csrf_token": csrf_from(page)}
    )
    assert asked.status_code == 303
    fresh()
    assert db.session.get(Work, work.id).cover_requested is True
    again = stranger.get(f"/submissions/{token}").get_data(as_text=True)
    assert "You asked our moderators to cover" in again and "cover-request" not in again
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "The artist asks us to cover faces and other identifying details" in queue
    actions = list(
        db.session.scalars(select(ModerationEvent.action).where(ModerationEvent.work_id == work.id))
    )
    assert actions == ["cover-request"]


@pytest.mark.parametrize("ticked", [True, False])
def test_the_submit_box_asks_for_cover(app, client, moderator, make_prisoner, ticked):
    make_prisoner()
    data = form_data(client, png(photo((600, 400))))
    data["prisoners"] = "1"
    if ticked:
        data["cover"] = "y"
    assert post(client, data).status_code == 303
    fresh()
    assert db.session.scalars(select(Work)).one().cover_requested is ticked
    queue = client.get("/moderation/").get_data(as_text=True)
    assert ("The artist asks us to cover faces and other identifying details" in queue) is ticked


def test_the_submit_page_explains_the_cover_tool(client):
    html = client.get("/submit").get_data(as_text=True)
    assert "draw a rectangle over each face, sign, tattoo or number plate" in html
    assert "the uncovered image never leaves your device" in html
    assert re.search(
        r'<input[^>]*name="cover"[^>]*type="checkbox"|<input[^>]*type="checkbox"[^>]*name="cover"',
        html,
    )
    assert (
        "I ask the moderators to cover faces and other identifying details before publishing"
        in html
    )
    assert 'data-cover-tools="image"' in html and "js/cover.js" in html


def test_the_moderation_page_offers_the_cover_form(client, moderator, pending):
    work, _token = pending(png(photo((600, 400))))
    html = client.get(f"/moderation/works/{work.id}").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="([^"]*redact[^"]*)"[^>]*>(.*?)</form>', html, re.S
    )
    assert form and form.group(1) == f"/moderation/works/{work.id}/redact"
    assert 'name="csrf_token"' in form.group(2) and 'name="regions"' in form.group(2)
    assert "The face detector found no face" in html


# ---------------------------------------------------------------- valid HTML


def test_the_cover_pages_are_valid_html(client, moderator, pending, testdata_dir):
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        from check_html import VNU, check
    finally:
        sys.path.remove(str(scripts))
    if not VNU.exists() or not shutil.which("java"):
        pytest.skip("vnu.jar or java is missing (scripts/ensure-node-tools)")
    canvas, _placed = many_hoppers(testdata_dir)
    work, token = pending(encode(canvas, "JPEG"), cover_requested=True)
    documents = {
        "review": client.get(f"/moderation/works/{work.id}").get_data(as_text=True),
        "receipt": client.get(f"/submissions/{token}").get_data(as_text=True),
        "refused": redact(client, work.id, "[[", moderator).get_data(as_text=True),
        "queue": client.get("/moderation/").get_data(as_text=True),
    }
    assert documents["review"].count("<rect ") == 3
    assert {name: errors for name, errors in check(documents).items() if errors} == {}
