"""Media in S3-compatible object storage (issue 14): the whole app with
GALLERY_MEDIA=s3://bucket/media, against moto's S3 server over HTTP on loopback.

Every test here gets a fresh bucket; the app's own instance folder stays without media.
The journey of a work (upload, review, approval, takedown), conditional and ranged
requests, failures that must leave nothing behind, a process that dies mid-publish, and
fsck and backup against the bucket."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import select

from gallery import create_app
from gallery.extensions import db
from gallery.media import media_store
from gallery.media.s3 import S3MediaStore
from gallery.models import Moderator, Work, WorkStatus
from helpers import approving, csrf_from, form_data, fresh, png_bytes, post, saved

TWO_HOURS = 7200


@pytest.fixture
def app(app_factory, s3_bucket, monkeypatch):
    """The app with its media in a fresh bucket, named by GALLERY_MEDIA as an operator would."""
    monkeypatch.setenv("GALLERY_MEDIA", f"s3://{s3_bucket}/media")
    application = app_factory()
    with application.app_context():
        yield application


@pytest.fixture
def store(app) -> S3MediaStore:
    found = media_store(app)
    assert isinstance(found, S3MediaStore)
    return found


def objects(store: S3MediaStore) -> list[str]:
    """Every object in the bucket, prefix included, sorted."""
    pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def newest() -> Work:
    fresh()
    return db.session.scalars(select(Work).order_by(Work.id.desc())).first()


def file_of(work: Work, size: str = "share", fmt: str = "webp") -> str:
    return work.renditions[size]["files"][fmt]


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "refused"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "PutObject",
    )


# ---- the store is the bucket ----


def test_healthz_checks_the_bucket(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["media"] == "ok"


def test_gallery_media_puts_the_store_in_the_bucket(app, store, s3_bucket, make_work):
    assert (store.bucket, store.prefix) == (s3_bucket, "media/")
    work = make_work()
    assert objects(store) == sorted(
        f"media/works/{work.image_key}/{name}" for name in store.files(work.image_key)
    )
    assert len(objects(store)) == (7 if work.has_alpha else 6)  # every size, in WebP and JPEG
    assert not Path(app.config["MEDIA_ROOT"]).exists()  # nothing went to the instance folder


@pytest.mark.parametrize(
    "value",
    ["s3:/gallery", "gallery/media", "s3://Gallery/media", "s3://key:secret@gallery", "file:///x"],
)
def test_a_malformed_gallery_media_stops_the_app_at_start(app_factory, monkeypatch, value):
    monkeypatch.setenv("GALLERY_MEDIA", value)
    with pytest.raises(RuntimeError, match=r"GALLERY_MEDIA must look like s3://bucket") as raised:
        app_factory()
    assert "secret" not in str(raised.value)


def test_proxy_sending_settings_are_refused_with_a_bucket(app_factory, s3_bucket, monkeypatch):
    monkeypatch.setenv("GALLERY_MEDIA", f"s3://{s3_bucket}")
    with pytest.raises(RuntimeError, match="local media folder"):
        app_factory(MEDIA_ACCEL_REDIRECT="/internal-media/")
    with pytest.raises(RuntimeError, match="local media folder"):
        app_factory(MEDIA_SENDFILE=True)


# ---- a work's journey, served from the bucket ----


def test_upload_review_approve_and_takedown(app, store, client, moderator):
    visitor = app.test_client()
    assert post(visitor, form_data(visitor, png_bytes((300, 200)))).status_code == 303
    work = newest()
    assert work.status == WorkStatus.PENDING
    url = f"/media/{work.image_key}/{file_of(work)}"
    stored = store.read(work.image_key, file_of(work))
    assert stored and stored.startswith(b"RIFF")

    # Pending: nobody but a moderator sees it, and nothing keeps a copy.
    with visitor.get(url) as hidden:
        assert hidden.status_code == 404
    with client.get(url) as seen:
        assert seen.status_code == 200 and seen.data == stored
        assert seen.headers["Cache-Control"] == "private, no-store"
        assert seen.headers["Content-Type"] == "image/webp"
        assert seen.headers["X-Content-Type-Options"] == "nosniff"
        assert seen.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # The face detector looked at the display image read from the bucket once the
    # submission committed.
    assert newest().face_suggestions == []

    approved = client.post(
        f"/moderation/works/{work.id}/approve", data=approving(moderator, work.id)
    )
    assert approved.status_code == 303
    with visitor.get(url) as public:
        assert public.status_code == 200 and public.data == stored
        assert public.headers["Content-Length"] == str(len(stored))
        assert public.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert public.headers["X-Content-Type-Options"] == "nosniff"
        assert public.headers["Accept-Ranges"] == "bytes"
        etag, modified = public.headers["ETag"], public.headers["Last-Modified"]
    found = store.stat(work.image_key, file_of(work))
    assert etag == f'"{found.etag}"'
    with visitor.get(url, headers={"If-None-Match": etag}) as same:
        assert same.status_code == 304 and same.data == b""
        assert same.headers["ETag"] == etag
    with visitor.get(url, headers={"If-Modified-Since": modified}) as unchanged:
        assert unchanged.status_code == 304
    with visitor.get(url, headers={"If-None-Match": '"something-else"'}) as other:
        assert other.status_code == 200 and other.data == stored
    with visitor.get(url, headers={"Range": "bytes=4-11"}) as part:
        assert part.status_code == 206 and part.data == stored[4:12]
        assert part.headers["Content-Range"] == f"bytes 4-11/{len(stored)}"
    with visitor.get(url, headers={"Range": f"bytes={len(stored) + 10}-"}) as beyond:
        assert beyond.status_code == 416
    with visitor.head(url) as head:
        assert head.status_code == 200 and head.data == b""

    old_key = work.image_key
    taken_down = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"csrf_token": moderator, "reason": "A face shows."},
    )
    assert taken_down.status_code == 303
    work = newest()
    assert work.status == WorkStatus.PENDING and work.image_key != old_key
    for who in (visitor, client):
        with who.get(url) as gone:
            assert gone.status_code == 404
    assert not [name for name in objects(store) if old_key in name]
    assert store.read(work.image_key, file_of(work)) == stored  # moved, not changed


def test_a_rejection_deletes_the_objects(app, store, client, moderator, make_work):
    work = make_work(status=WorkStatus.PENDING)
    assert objects(store)
    response = client.post(
        f"/moderation/works/{work.id}/reject", data={"csrf_token": moderator, "reason": "Not art."}
    )
    assert response.status_code == 303
    assert objects(store) == []


def test_a_takedown_that_does_not_commit_keeps_the_objects_where_they_were(app, store, make_work):
    from gallery.verbs import unpublishing

    work = make_work()
    key = work.image_key
    names = store.files(key)
    moderator = saved(Moderator(username="m", password_hash="x"))
    unpublishing.unpublish_work(store, work.id, moderator.id, "Because.")
    assert store.files(key) == set()  # moved, not yet committed
    db.session.rollback()
    assert store.files(key) == names and db.session.get(Work, work.id).image_key == key
    assert store.keys() == {key}


def test_covering_a_pending_work_replaces_it_in_the_bucket(
    app, store, client, moderator, make_work
):
    work = make_work(status=WorkStatus.PENDING, image=png_bytes((200, 200), "#ffffff"))
    old_key = work.image_key
    regions = json.dumps([[0, 0, 0.5, 0.5]])
    response = client.post(
        f"/moderation/works/{work.id}/redact", data={"csrf_token": moderator, "regions": regions}
    )
    assert response.status_code == 303
    work = newest()
    assert work.image_key != old_key and work.covered_regions == 1
    assert store.keys() == {work.image_key}  # the uncovered original is gone from the bucket
    from PIL import Image

    with Image.open(io.BytesIO(store.read(work.image_key, file_of(work, "large", "jpeg")))) as im:
        assert sum(im.convert("RGB").getpixel((10, 10))) < 3 * 128  # filled
        assert sum(im.convert("RGB").getpixel((190, 190))) > 3 * 250  # left white


def test_a_poster_embeds_the_jpeg_from_the_bucket(app, store, client, make_work):
    work = make_work(image=png_bytes((300, 400)))
    response = client.get(f"/works/{work.public_id}/poster.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    (image,) = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].images
    assert image.data == store.read(work.image_key, file_of(work, "large", "jpeg"))


# ---- failures leave nothing behind ----


@pytest.mark.parametrize(
    ("method", "failing_call"), [("put_object", 2), ("copy_object", 2), ("delete_objects", 1)]
)
def test_a_failed_publish_leaves_no_object_and_no_row(
    app, store, monkeypatch, make_work, method, failing_call
):
    # One request fails (the second write, the second copy, the removal of the staging
    # objects); the clean-up's own requests go through.
    earlier = make_work(title="Already accepted")
    before = objects(store)
    real, calls = getattr(store.client, method), []

    def refused(**kw):
        calls.append(kw)
        if len(calls) == failing_call:
            raise client_error("InternalError", 500)
        return real(**kw)

    monkeypatch.setattr(store.client, method, refused)
    visitor = app.test_client()
    response = post(visitor, form_data(visitor, png_bytes(), title="Too late"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "The gallery cannot answer right now." in response.get_data(as_text=True)
    monkeypatch.undo()
    assert objects(store) == before
    fresh()
    assert [w.title for w in db.session.scalars(select(Work))] == [earlier.title]


def test_a_full_bucket_is_a_507_like_a_full_disk(app, store, monkeypatch):
    def full(**kw):
        raise client_error("QuotaExceeded", 403)

    monkeypatch.setattr(store.client, "put_object", full)
    visitor = app.test_client()
    response = post(visitor, form_data(visitor, png_bytes()))
    assert response.status_code == 507
    assert "no room left" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert objects(store) == []


def test_an_unreachable_bucket_is_a_503_not_a_crash(app, store, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    def unreachable(**kw):
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

    monkeypatch.setattr(store.client, "put_object", unreachable)
    visitor = app.test_client()
    assert post(visitor, form_data(visitor, png_bytes())).status_code == 503
    fresh()
    assert db.session.scalars(select(Work)).all() == []


def bucket_down(store: S3MediaStore, monkeypatch) -> None:
    """The S3 service stops answering: boto3's endpoint becomes a loopback port nobody
    listens on, and the store makes its client again."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed}")
    store.close()


def test_with_the_bucket_down_images_answer_503_with_retry_after_and_pages_render(
    app, store, client, make_work, monkeypatch, caplog
):
    work = make_work()
    url = f"/media/{work.image_key}/{file_of(work)}"
    assert client.get(url).status_code == 200
    bucket_down(store, monkeypatch)
    for method in (client.get, client.head):
        response = method(url)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert "immutable" not in response.headers.get("Cache-Control", "")
    body = client.get(url).get_data(as_text=True)
    assert "The gallery cannot answer right now. Please try again in a few minutes." in body
    assert client.get(url, headers={"If-None-Match": '"x"'}).status_code == 503
    page = client.get(f"/works/{work.public_id}")
    assert page.status_code == 200 and f"/media/{work.image_key}/" in page.get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert "unhandled error" not in caplog.text
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"] == "30"
    assert health.get_json() == {
        "status": "error",
        "database": "ok",
        "media": "down",
        "page_cache": "ok",
        "rate_limits": "ok",
        "mail": "off",
    }
    assert "could not be read from the media store: the media bucket is unreachable" in caplog.text


def test_with_the_bucket_down_a_print_pdf_is_a_503_with_retry_after(
    app, store, client, make_work, monkeypatch
):
    work = make_work()
    bucket_down(store, monkeypatch)
    response = client.get(f"/works/{work.public_id}/poster.pdf")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Please try again in a few minutes." in response.get_data(as_text=True)


def test_with_the_bucket_down_an_artists_pending_image_is_a_503(app, store, client, monkeypatch):
    token = post(client, form_data(client, png_bytes())).headers["Location"].rsplit("/", 1)[1]
    work = newest()
    url = f"/submissions/{token}/media/{file_of(work, 'thumb')}"
    assert client.get(url).status_code == 200
    bucket_down(store, monkeypatch)
    response = client.get(url)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"


def test_a_missing_bucket_is_one_clear_line_not_a_traceback(app_factory, s3_bucket, monkeypatch):
    monkeypatch.setenv("GALLERY_MEDIA", "s3://never-created/media")
    app = app_factory()
    with app.app_context():
        for command in (["seed-demo"], ["fsck"]):
            result = app.test_cli_runner().invoke(args=command)
            assert result.exit_code == 1, result.output
            assert result.output.splitlines() == [
                (
                    "Error: the media bucket never-created does not exist: create it first, private, "
                    "for example with `aws s3 mb s3://never-created` (or `mc mb`), then try again"
                )
            ]
        assert db.session.scalars(select(Work)).all() == []  # the demo's rows rolled back
    assert app.test_client().get("/healthz").get_json()["media"] == "down"


CRASHING_PUBLISH = """
import os, sys
from gallery.media.s3 import S3MediaStore

store = S3MediaStore(sys.argv[1])
real_copy, copies = store.client.copy_object, []

def copy_then_die(**kw):
    copies.append(kw)
    if len(copies) == int(sys.argv[2]):
        os._exit(3)  # the process is killed: no clean-up runs
    return real_copy(**kw)

store.client.copy_object = copy_then_die
store.publish({"large.webp": b"w", "large.jpg": b"j", "thumb.webp": b"t"})
"""


@pytest.mark.parametrize("dies_at_copy", [1, 2])
def test_a_crash_mid_publish_leaves_staging_objects_that_fsck_repairs(
    app, store, runner, dies_at_copy
):
    # Another process, on the same moto server: killed before its first copy, or after it.
    command = [sys.executable, "-c", CRASHING_PUBLISH, store.location, str(dies_at_copy)]
    done = subprocess.run(command, capture_output=True, timeout=60)  # noqa: S603
    assert done.returncode == 3, done.stderr.decode()[-2000:]
    left = objects(store)
    staged = [name for name in left if name.startswith("media/staging/new-")]
    assert len(staged) == 3 and len({name.split("/")[2] for name in staged}) == 1
    assert len(left) - len(staged) == dies_at_copy - 1  # what was copied before the crash
    assert all(name.startswith(("media/staging/", "media/works/")) for name in left)

    assert runner.invoke(args=["fsck"]).exit_code == 0  # too young to be judged a leftover
    store.clock = lambda: time.time() + TWO_HOURS
    found = runner.invoke(args=["fsck"])
    assert found.exit_code == 1
    assert "Staging leftovers found: 1" in found.output
    assert f"Unreferenced folders found: {dies_at_copy - 1}" in found.output
    repaired = runner.invoke(args=["fsck", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert objects(store) == []


# ---- fsck and backup against the bucket ----


def test_fsck_reports_and_repairs_the_bucket(app, store, runner, make_work):
    ok = make_work()
    broken = make_work()
    thumb = file_of(broken, "thumb", "jpeg")
    store.client.delete_object(Bucket=store.bucket, Key=f"media/works/{broken.image_key}/{thumb}")
    orphan = store.publish({"large.jpg": b"x"})
    store.client.put_object(Bucket=store.bucket, Key="media/staging/new-left/large.jpg", Body=b"x")
    store.client.put_object(Bucket=store.bucket, Key="elsewhere/works/not-ours.jpg", Body=b"x")
    store.clock = lambda: time.time() + TWO_HOURS

    result = runner.invoke(args=["fsck"])
    assert result.exit_code == 1
    assert f"Checked 2 stored images against s3://{store.bucket}/media/." in result.output
    assert "Staging leftovers found: 1" in result.output
    assert "Unreferenced folders found: 1" in result.output
    assert f"missing: works/{broken.image_key}/{thumb}" in result.output
    assert store.files(orphan)

    repaired = runner.invoke(args=["fsck", "--repair"])
    assert repaired.exit_code == 1  # the missing file cannot come back
    assert "Unreferenced folders removed: 1" in repaired.output
    assert store.keys() == {ok.image_key, broken.image_key}
    assert not [name for name in objects(store) if "/staging/" in name]
    assert "elsewhere/works/not-ours.jpg" in objects(store)  # outside the prefix: not ours


def test_fsck_warns_when_versioning_keeps_deleted_images(app, store, runner, make_work):
    assert "versioning" not in runner.invoke(args=["fsck"]).output
    store.client.put_bucket_versioning(
        Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    work = make_work()
    store.delete(work.image_key)  # what a withdrawal does: a delete marker, the bytes kept
    versions = store.client.list_object_versions(Bucket=store.bucket)["Versions"]
    assert versions  # the review's finding: still retrievable by version id

    result = runner.invoke(args=["fsck"])
    assert (
        f"Warning: versioning is enabled on the bucket {store.bucket}: deleted, withdrawn and "
        "covered images stay retrievable as old versions."
    ) in result.output
    assert "expires noncurrent versions after 1 day" in result.output

    # The README's lifecycle rule: old versions go after a day; fsck is then content.
    store.client.put_bucket_lifecycle_configuration(
        Bucket=store.bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-old-versions",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                    "Expiration": {"ExpiredObjectDeleteMarker": True},
                }
            ]
        },
    )
    assert "versioning" not in runner.invoke(args=["fsck"]).output
    listed = store.client.list_object_versions(Bucket=store.bucket)
    for version in listed.get("Versions", []) + listed.get(
        "DeleteMarkers", []
    ):  # the fixture's clean-up
        store.client.delete_object(
            Bucket=store.bucket, Key=version["Key"], VersionId=version["VersionId"]
        )


def test_backup_copies_the_bucket_into_a_folder_that_serves_alone(
    app, store, runner, tmp_path, make_work, monkeypatch
):
    shown = make_work(title="Kept")
    waiting = make_work(title="Waiting", status=WorkStatus.PENDING)
    dest = tmp_path / "copy"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    files = 2 * len(store.files(shown.image_key))
    assert f"Backed up the database and 2 works ({files} files)" in result.output
    assert (
        f"Serve the copy with: env -u GALLERY_MEDIA GALLERY_INSTANCE={dest} PORT=5001 make run"
        in (result.output)
    )
    for work in (shown, waiting):
        copied = dest / "media" / "works" / work.image_key
        assert {p.name for p in copied.iterdir()} == store.files(work.image_key)
        for name in store.files(work.image_key):
            assert (copied / name).read_bytes() == store.read(work.image_key, name)
    assert (dest / "gallery.sqlite3").is_file()
    assert list((dest / "media" / "staging").iterdir()) == []

    # The copy, served without the bucket; with the bucket still exported, it refuses to start.
    monkeypatch.setenv("GALLERY_INSTANCE", str(dest))
    with pytest.raises(
        RuntimeError, match="another media store. To serve the copy, unset GALLERY_MEDIA"
    ):
        create_app({"TESTING": True, "SECRET_KEY": "restored"})
    monkeypatch.delenv("GALLERY_MEDIA")
    restored = create_app({"TESTING": True, "SECRET_KEY": "restored"})
    try:
        with restored.test_client() as visitor:
            name = file_of(shown)
            with visitor.get(f"/media/{shown.image_key}/{name}") as response:
                assert response.status_code == 200
                assert response.data == store.read(shown.image_key, name)
            assert visitor.get(f"/media/{waiting.image_key}/{name}").status_code == 404
    finally:
        with restored.app_context():
            db.engine.dispose()


# ---- a takedown when the bucket cannot be reached (issue 22, security §12) ----


class Outage:
    """The S3 service down (the store pointed at a closed port on loopback), then back."""

    def __init__(self, store: S3MediaStore) -> None:
        import boto3
        from botocore.config import Config

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]  # closed once the block ends: connections are refused
        self.store, self.live = store, store.client
        self.dead = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}),
        )

    def start(self) -> None:
        self.store._client = self.dead

    def end(self) -> None:
        self.store._client = self.live


@pytest.fixture
def outage(store):
    found = Outage(store)
    yield found
    found.end()
    found.dead.close()


def test_a_person_at_risk_report_fails_closed_when_the_bucket_is_unreachable(
    app, store, make_work, caplog, runner, outage
):
    from gallery.models import Report

    work = make_work(title="Reported while S3 is down")
    key, public_id = work.image_key, work.public_id
    outage.start()
    visitor = app.test_client()
    form = visitor.get(f"/works/{public_id}/report")
    answer = visitor.post(
        f"/works/{public_id}/report",
        data={
            "category": "person-at-risk",
            "text": "",
            "csrf_token": csrf_from(form.get_data(as_text=True)),
        },
    )
    assert answer.status_code == 303  # the visitor's thanks, not a 500
    fresh()
    # Hidden and kept: gone from every public address, the report waiting for a moderator.
    assert visitor.get(f"/works/{public_id}").status_code == 404
    assert visitor.get(f"/api/works/{public_id}").status_code == 404
    assert "Reported while S3 is down" not in visitor.get("/works").get_data(as_text=True)
    assert db.session.scalars(select(Report)).one().work_id == work.id
    assert db.session.get(Work, work.id).media_move_pending
    assert "run `flask move-media` once the store answers" in caplog.text
    # Later, the store answers again: the operator's cron moves the files.
    failed = runner.invoke(args=["move-media"])
    assert failed.exit_code == 1 and "Moved the files of 0 of 1" in failed.output
    outage.end()
    moved = runner.invoke(args=["move-media"])
    assert moved.exit_code == 0 and "Moved the files of 1 of 1" in moved.output
    fresh()
    now = db.session.get(Work, work.id)
    assert now.image_key != key and not now.media_move_pending
    assert store.files(key) == set() and store.files(now.image_key)


def test_an_unpublish_fails_closed_when_the_bucket_is_unreachable(
    app, store, client, moderator, make_work, outage
):
    work = make_work(title="Unpublished while S3 is down")
    key = work.image_key
    outage.start()
    page = client.get(f"/moderation/works/{work.id}")
    answer = client.post(
        f"/moderation/works/{work.id}/unpublish",
        data={"reason": "faces", "csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    assert answer.status_code == 303
    outage.end()  # (the review page shows the images: it needs the bucket)
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The media store did not answer, so its images keep their old address" in shown
    fresh()
    found = db.session.get(Work, work.id)
    assert (
        found.status == WorkStatus.PENDING and found.image_key == key and found.media_move_pending
    )
    assert app.test_client().get(f"/works/{work.public_id}").status_code == 404
