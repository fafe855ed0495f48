"""The media store: atomic publishing, safe lookups, deletion and consistency checks.

Every case runs on both stores: the local folder and a bucket of moto's S3 server (the
`store` fixture is parametrised).  Cases that look behind the store's back do it through
`raw`, which sees the folder's entries or the bucket's objects; the few that only make
sense on a disk (fsync, symlinks, file modes) or only on S3 say so in their name."""

from __future__ import annotations

import os
import stat
import time

import pytest

from gallery.media import MediaStore
from gallery.media import local as storage
from gallery.media.s3 import S3MediaStore, parse_media_url
from gallery.media.s3 import store as s3store

FILES = {"large.webp": b"large-webp", "large.jpg": b"large-jpg", "thumb.webp": b"thumb"}
TWO_HOURS = 7200


class Folder:
    """The local store's folders, seen directly."""

    def __init__(self, store: MediaStore) -> None:
        self.store = store

    def staging(self) -> list[str]:
        return entries(self.store.staging)

    def works(self) -> list[str]:
        return entries(self.store.works)

    def put(self, name: str, data: bytes) -> None:
        path = self.store.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def remove(self, name: str) -> None:
        (self.store.root / name).unlink()


class Bucket:
    """The S3 store's objects under its prefix, seen directly (a folder is the first
    segment of the object keys under staging/ or works/)."""

    def __init__(self, store: S3MediaStore) -> None:
        self.store, self.client = store, store.client

    def objects(self, under: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.store.bucket, Prefix=self.store.prefix + under
        )
        found = [o["Key"] for page in pages for o in page.get("Contents", [])]
        return sorted(k[len(self.store.prefix) :] for k in found)

    def staging(self) -> list[str]:
        return sorted({k.split("/")[1] for k in self.objects("staging/")})

    def works(self) -> list[str]:
        return sorted({k.split("/")[1] for k in self.objects("works/")})

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.store.bucket, Key=self.store.prefix + name, Body=data)

    def remove(self, name: str) -> None:
        self.client.delete_object(Bucket=self.store.bucket, Key=self.store.prefix + name)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        yield MediaStore(tmp_path / "media")
        return
    made = S3MediaStore(f"s3://{request.getfixturevalue('s3_bucket')}/gallery/media")
    yield made
    made.close()


@pytest.fixture
def raw(store):
    return Folder(store) if isinstance(store, MediaStore) else Bucket(store)


@pytest.fixture
def s3(s3_bucket):
    made = S3MediaStore(f"s3://{s3_bucket}/media")
    yield made
    made.close()


def entries(folder):
    return sorted(p.name for p in folder.iterdir())


def age(path, seconds):
    past = time.time() - seconds
    os.utime(path, (past, past))


def is_local(store) -> bool:
    return isinstance(store, MediaStore)


# ---- publishing ----


def test_publish_writes_every_file_under_a_new_key(store, raw):
    key = store.publish(FILES)
    assert storage.KEY_RE.match(key)
    assert store.keys() == {key}
    assert store.files(key) == set(FILES)
    for name, data in FILES.items():
        assert store.read(key, name) == data
        found = store.stat(key, name)
        assert found.size == len(data) and found.etag and found.modified.tzinfo is not None
        assert found.content_type == ("image/webp" if name.endswith(".webp") else "image/jpeg")
        with store.open(key, name) as fp:
            assert fp.read() == data
    assert raw.staging() == []
    assert store.publish(FILES) != key


def test_publish_keeps_files_private_local_paths_and_modes(tmp_path):
    store = MediaStore(tmp_path / "media")
    key = store.publish(FILES)
    for name, data in FILES.items():
        path = store.path(key, name)
        assert path is not None and path.is_absolute()
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # nothing for others


def test_publish_keeps_objects_private_with_their_content_type_s3(s3):
    key = s3.publish(FILES)
    for name in FILES:
        name_in_bucket = f"{s3.prefix}works/{key}/{name}"
        head = s3.client.head_object(Bucket=s3.bucket, Key=name_in_bucket)
        assert head["ContentType"] == storage.content_type(name)
        grants = s3.client.get_object_acl(Bucket=s3.bucket, Key=name_in_bucket)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner's, no one else's
        assert all(g["Grantee"].get("Type") == "CanonicalUser" for g in grants)


def test_publish_under_a_given_key_and_never_over_one(store):
    key = store.publish(FILES)
    with pytest.raises(FileExistsError):
        store.publish({"thumb.webp": b"other"}, key=key)
    assert store.read(key, "thumb.webp") == b"thumb"
    given = "G" * 22
    assert store.publish(FILES, key=given) == given and store.files(given) == set(FILES)
    with pytest.raises(ValueError):
        store.publish(FILES, key="../works")


def test_publish_syncs_files_and_folders_local(tmp_path, monkeypatch):
    store = MediaStore(tmp_path / "media")
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    store.publish(FILES)
    assert len(synced) >= len(FILES) + 2  # every file, the new folder, works/


def test_publish_stages_every_object_before_any_is_in_works_s3(s3, monkeypatch):
    seen = []
    real_copy = s3.client.copy_object

    def copy(**kw):
        seen.append(Bucket(s3).objects())
        return real_copy(**kw)

    monkeypatch.setattr(s3.client, "copy_object", copy)
    key = s3.publish(FILES)
    # At the first copy every object is written, under staging/ only.
    assert seen[0] == sorted(f"staging/new-{key}/{name}" for name in FILES)
    assert Bucket(s3).objects() == sorted(f"works/{key}/{name}" for name in FILES)


def fail_on(monkeypatch, store, step: str, exc: Exception) -> None:
    """Make one step of publish() fail: writing the files, moving them into works/, or
    what comes after the move (the local folder's fsync of works/, the bucket's deletion of
    the staging objects).  On S3 the second call fails, so something is already written."""
    if is_local(store):
        if step == "after":
            real_fsync_dir = storage._fsync_dir

            def fail_on_works(path):
                if path == store.works:
                    raise exc
                real_fsync_dir(path)

            monkeypatch.setattr(storage, "_fsync_dir", fail_on_works)
            return

        def boom(*args, **kwargs):
            raise exc

        monkeypatch.setattr(os, {"write": "fsync", "move": "replace"}[step], boom)
        return
    method = {"write": "put_object", "move": "copy_object", "after": "delete_objects"}[step]
    real = getattr(store.client, method)
    calls = []

    def second_fails(**kw):
        calls.append(kw)
        if len(calls) == (1 if step == "after" else 2):
            raise exc
        return real(**kw)

    monkeypatch.setattr(store.client, method, second_fails)


@pytest.mark.parametrize("failing", ["write", "move"])
def test_failed_publish_leaves_nothing(store, raw, monkeypatch, failing):
    fail_on(monkeypatch, store, failing, OSError("disk trouble"))
    with pytest.raises(OSError, match="disk trouble"):
        store.publish(FILES)
    monkeypatch.undo()
    assert raw.staging() == []
    assert raw.works() == []


def test_failure_after_the_rename_removes_the_work_too(store, raw, monkeypatch):
    fail_on(monkeypatch, store, "after", OSError("disk trouble"))
    with pytest.raises(OSError):
        store.publish(FILES)
    monkeypatch.undo()
    assert raw.works() == []
    assert raw.staging() == []


def test_an_interrupted_publish_is_cleaned_up_too(store, raw, monkeypatch):
    fail_on(monkeypatch, store, "move", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        store.publish(FILES)
    monkeypatch.undo()
    assert raw.staging() == [] and raw.works() == []


@pytest.mark.parametrize(
    "files", [{}, {"../evil.jpg": b"x"}, {"large.exe": b"x"}, {"a/b.jpg": b"x"}, {".png": b"x"}]
)
def test_publish_refuses_bad_file_names(store, raw, files):
    with pytest.raises(ValueError):
        store.publish(files)
    assert raw.staging() == [] and raw.works() == []


# ---- looking files up ----


@pytest.mark.parametrize(
    ("key", "filename"),
    [
        ("..", "large.webp"),
        ("../works", "large.webp"),
        ("KEY", "../large.webp"),
        ("KEY", ".."),
        ("KEY", "a/b.webp"),
        ("KEY", "large.webp\x00.txt"),
        ("KEY", "/etc/passwd"),
        ("KEY", "LARGE.WEBP"),
        ("KEY", "large.webp/"),
        ("KEY", "large.svg"),
        ("KEY", ""),
        ("KEY\x00", "large.webp"),
        ("/tmp", "large.webp"),
        ("KEY/..", "large.webp"),
        ("KEY", None),
        (None, "large.webp"),
    ],
)
def test_path_refuses_malformed_names(store, key, filename):
    real = store.publish(FILES)
    key = key.replace("KEY", real) if isinstance(key, str) else key
    assert store.read(key, filename) is None
    assert store.stat(key, filename) is None
    assert store.open(key, filename) is None
    if is_local(store):
        assert store.path(key, filename) is None


def test_path_of_absent_key_or_file_is_none(store):
    key = store.publish(FILES)
    assert store.read(key, "display.webp") is None and store.stat(key, "display.webp") is None
    assert store.read("A" * 22, "large.webp") is None and store.open("A" * 22, "large.webp") is None
    assert store.read(key, "large.webp") == FILES["large.webp"]
    if is_local(store):
        assert store.path(key, "display.webp") is None
        assert store.path("A" * 22, "large.webp") is None
        assert store.path(key, "large.webp") is not None


def test_path_ignores_symlinks_local(tmp_path):
    store = MediaStore(tmp_path / "media")
    key = store.publish(FILES)
    secret = tmp_path / "secret.txt"
    secret.write_text("not media")
    (store.works / key / "display.jpg").symlink_to(secret)
    assert store.path(key, "display.jpg") is None
    assert store.read(key, "display.jpg") is None and store.stat(key, "display.jpg") is None


def test_nothing_outside_the_prefix_is_ever_reached_s3(s3):
    # A bucket shared with something else: objects beside the prefix are not the store's.
    bucket = Bucket(s3)
    s3.client.put_object(Bucket=s3.bucket, Key="secret.txt", Body=b"not media")
    s3.client.put_object(Bucket=s3.bucket, Key=f"works/{'C' * 22}/large.webp", Body=b"theirs")
    assert s3.keys() == set() and s3.read("C" * 22, "large.webp") is None
    report = s3.fsck({}, repair=True, older_than=-TWO_HOURS)
    assert report.orphans == [] and report.staging_leftovers == []
    assert bucket.objects() == []  # under the prefix: nothing
    listed = s3.client.list_objects_v2(Bucket=s3.bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == ["secret.txt", f"works/{'C' * 22}/large.webp"]


def test_open_reads_from_any_offset(store):
    key = store.publish({"large.jpg": bytes(range(256)) * 40})
    with store.open(key, "large.jpg") as fp:
        assert fp.seekable()
        fp.seek(10_000)
        assert fp.read(5) == bytes(range(16, 21)) and fp.tell() == 10_005
        fp.seek(-3, os.SEEK_END)
        assert fp.read() == bytes([253, 254, 255])
        assert fp.read(10) == b""
        fp.seek(0)
        assert len(fp.read()) == 10_240


def test_the_etag_is_the_same_for_the_same_file_and_differs_across_files(store):
    key = store.publish(FILES)
    first = store.stat(key, "large.jpg")
    assert store.stat(key, "large.jpg") == first
    assert store.stat(key, "large.webp").etag != first.etag


# ---- moving and deleting ----


def test_rekey_moves_every_file_and_back(store, raw):
    key = store.publish(FILES)
    new = store.rekey(key)
    assert new != key and store.keys() == {new}
    assert store.files(key) == set() and store.read(key, "large.jpg") is None
    assert {n: store.read(new, n) for n in FILES} == FILES
    assert store.rekey(new, key) == key and store.keys() == {key}
    assert raw.staging() == []


def test_rekey_refuses_a_taken_or_absent_key(store):
    key = store.publish(FILES)
    other = store.publish({"thumb.webp": b"other"})
    with pytest.raises(FileExistsError):
        store.rekey(key, other)
    with pytest.raises(FileNotFoundError):
        store.rekey("D" * 22)
    with pytest.raises(ValueError):
        store.rekey(key, "../x")
    assert store.files(key) == set(FILES) and store.files(other) == {"thumb.webp"}


def test_a_failed_rekey_leaves_the_old_key_whole_s3(s3, monkeypatch):
    key = s3.publish(FILES)
    real = s3.client.copy_object
    calls = []

    def second_fails(**kw):
        calls.append(kw)
        if len(calls) == 2:
            raise OSError("bucket trouble")
        return real(**kw)

    monkeypatch.setattr(s3.client, "copy_object", second_fails)
    with pytest.raises(OSError):
        s3.rekey(key)
    monkeypatch.undo()
    assert s3.keys() == {key} and s3.files(key) == set(FILES)
    assert Bucket(s3).works() == [key]


def test_delete_is_idempotent_and_leaves_no_trace(store, raw):
    key = store.publish(FILES)
    other = store.publish(FILES)
    store.delete(key)
    store.delete(key)
    assert store.keys() == {other}
    assert store.read(key, "large.webp") is None
    assert raw.staging() == []


def test_interrupted_delete_leaves_the_work_whole_or_in_staging(store, raw, monkeypatch):
    key = store.publish(FILES)
    if is_local(store):
        monkeypatch.setattr(storage, "_remove_now", lambda path: None)  # crash after the rename
        store.delete(key)
        assert store.keys() == set()
        assert len(raw.staging()) == 1
        return

    def refused(**kw):  # one request deletes them all: it happens or it does not
        raise OSError("bucket trouble")

    monkeypatch.setattr(store.client, "delete_objects", refused)
    with pytest.raises(OSError):
        store.delete(key)
    monkeypatch.undo()
    assert store.keys() == {key} and store.files(key) == set(FILES)


@pytest.mark.parametrize("key", ["..", "../x", "", "a/b", "x\x00"])
def test_delete_and_files_refuse_malformed_keys(store, key):
    with pytest.raises(ValueError):
        store.delete(key)
    with pytest.raises(ValueError):
        store.files(key)


# ---- fsck ----


def test_fsck_reports_and_repairs(store, raw):
    kept = store.publish(FILES)
    damaged = store.publish(FILES)
    orphan = store.publish(FILES)
    raw.remove(f"works/{damaged}/large.jpg")
    raw.put("staging/new-crashed/large.webp", b"x")
    expected = {kept: set(FILES), damaged: set(FILES), "B" * 22: {"large.webp"}}
    missing = sorted([("B" * 22, "large.webp"), (damaged, "large.jpg")])

    young = store.fsck(expected, repair=True)  # all of it is younger than an hour
    assert young.staging_leftovers == [] and young.orphans == [] and young.missing == missing
    assert orphan in store.keys() and raw.staging() == ["new-crashed"]

    store.clock = lambda: time.time() + TWO_HOURS
    report = store.fsck(expected)
    assert report.staging_leftovers == ["new-crashed"]
    assert report.orphans == [orphan]
    assert report.missing == missing
    assert not report.repaired and report.problems_left
    assert orphan in store.keys()  # a report alone changes nothing

    report = store.fsck(expected, repair=True)
    assert report.repaired and report.problems_left  # missing files cannot come back
    assert store.keys() == {kept, damaged}
    assert raw.staging() == []

    del expected["B" * 22]
    raw.put(f"works/{damaged}/large.jpg", b"back")
    assert not store.fsck(expected).problems_left


def test_fsck_judges_each_entry_by_its_own_age_local(tmp_path):
    store = MediaStore(tmp_path / "media")
    kept = store.publish(FILES)
    damaged = store.publish(FILES)
    orphan = store.publish(FILES)
    young_orphan = store.publish(FILES)
    (store.works / damaged / "large.jpg").unlink()
    (store.staging / "new-crashed").mkdir()
    (store.staging / "new-crashed" / "large.webp").write_bytes(b"x")
    (store.staging / "in-flight").mkdir()
    for key in (kept, damaged, orphan):
        age(store.works / key, TWO_HOURS)
    age(store.staging / "new-crashed", TWO_HOURS)
    expected = {kept: set(FILES), damaged: set(FILES), "B" * 22: {"large.webp"}}

    report = store.fsck(expected)
    assert report.staging_leftovers == ["new-crashed"]
    assert report.orphans == [orphan]
    assert report.missing == sorted([("B" * 22, "large.webp"), (damaged, "large.jpg")])
    assert not report.repaired and report.problems_left
    assert orphan in store.keys()  # a report alone changes nothing

    report = store.fsck(expected, repair=True)
    assert report.repaired and report.problems_left  # missing files cannot come back
    assert store.keys() == {kept, damaged, young_orphan}
    assert entries(store.staging) == ["in-flight"]

    del expected["B" * 22]
    (store.works / damaged / "large.jpg").write_bytes(b"back")
    clean = store.fsck(expected, repair=True, older_than=0)
    assert clean.orphans == [young_orphan] and clean.staging_leftovers == ["in-flight"]
    assert not store.fsck(expected).problems_left


def test_an_object_of_an_orphan_that_is_still_being_written_keeps_it_s3(s3):
    # An upload in progress: its first objects are old, its last one new.  The newest object
    # of a key is its age, so nothing of it goes.
    orphan = s3.publish(FILES)
    s3.clock = lambda: time.time() + TWO_HOURS
    Bucket(s3).put(f"works/{orphan}/display.webp", b"x")
    assert s3.fsck({}, older_than=TWO_HOURS + 60).orphans == []
    assert s3.fsck({}, older_than=TWO_HOURS - 60).orphans == [orphan]


def test_store_creates_its_folders_local(tmp_path):
    store = MediaStore(tmp_path / "media")
    assert store.staging.is_dir() and store.works.is_dir()
    assert store.keys() == set()


def test_an_empty_bucket_is_an_empty_store_s3(s3):
    assert s3.keys() == set()
    assert not s3.fsck({}).problems_left


# ---- GALLERY_MEDIA=s3://bucket/prefix ----


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://gallery", "gallery", ""),
        ("s3://gallery/", "gallery", ""),
        ("s3://gallery/media", "gallery", "media/"),
        ("s3://my.gallery-1/a/b/", "my.gallery-1", "a/b/"),
        ("s3://gallery//media//x", "gallery", "media/x/"),
    ],
)
def test_media_urls_name_a_bucket_and_a_prefix(url, bucket, prefix):
    assert parse_media_url(url) == (bucket, prefix)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "gallery",
        "/srv/media",
        "s3:/gallery",
        "s3://",
        "http://gallery/media",
        "S3://",
        "s3://Gallery",
        "s3://ab",
        "s3://-gallery",
        "s3://key:secret@gallery/media",
        "s3://gallery:9000/media",
        "s3://gallery/media?region=x",
        "s3://gallery/../media",
        "s3://gallery/me dia",
        "s3://gallery/./x",
        "s3://gallery/a#b",
    ],
)
def test_malformed_media_urls_are_refused_without_quoting_them(url):
    with pytest.raises(ValueError, match="s3://bucket/prefix") as raised:
        parse_media_url(url)
    assert "secret" not in str(raised.value)


def test_the_client_is_made_once_per_process(s3_bucket, monkeypatch):
    made = S3MediaStore(f"s3://{s3_bucket}")
    try:
        first = made.client
        assert made.client is first
        monkeypatch.setattr(s3store.os, "getpid", lambda: -1)  # as in a forked worker
        assert made.client is not first
    finally:
        first.close()
        made.close()
