"""The media store: atomic publishing, safe lookups, deletion and consistency checks."""
from __future__ import annotations

import os
import stat
import time

import pytest

from gallery import storage
from gallery.storage import MediaStore

FILES = {"large.webp": b"large-webp", "large.jpg": b"large-jpg", "thumb.webp": b"thumb"}


@pytest.fixture
def store(tmp_path):
    return MediaStore(tmp_path / "media")


def entries(folder):
    return sorted(p.name for p in folder.iterdir())


def age(path, seconds):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_publish_writes_every_file_under_a_new_key(store):
    key = store.publish(FILES)
    assert storage.KEY_RE.match(key)
    assert store.keys() == {key}
    assert store.files(key) == set(FILES)
    for name, data in FILES.items():
        path = store.path(key, name)
        assert path is not None and path.is_absolute()
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # nothing for others
    assert entries(store.staging) == []
    assert store.publish(FILES) != key


def test_publish_syncs_files_and_folders(store, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    store.publish(FILES)
    assert len(synced) >= len(FILES) + 2  # every file, the new folder, works/


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_publish_leaves_nothing(store, monkeypatch, failing):
    def boom(*args, **kwargs):
        raise OSError("disk trouble")

    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk trouble"):
        store.publish(FILES)
    monkeypatch.undo()
    assert entries(store.staging) == []
    assert entries(store.works) == []


def test_failure_after_the_rename_removes_the_work_too(store, monkeypatch):
    real_fsync_dir = storage._fsync_dir

    def fail_on_works(path):
        if path == store.works:
            raise OSError("disk trouble")
        real_fsync_dir(path)

    monkeypatch.setattr(storage, "_fsync_dir", fail_on_works)
    with pytest.raises(OSError):
        store.publish(FILES)
    assert entries(store.works) == []
    assert entries(store.staging) == []


@pytest.mark.parametrize(
    "files", [{}, {"../evil.jpg": b"x"}, {"large.exe": b"x"}, {"a/b.jpg": b"x"}, {".png": b"x"}]
)
def test_publish_refuses_bad_file_names(store, files):
    with pytest.raises(ValueError):
        store.publish(files)
    assert entries(store.staging) == [] and entries(store.works) == []


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
    assert store.path(key, filename) is None


def test_path_of_absent_key_or_file_is_none(store):
    key = store.publish(FILES)
    assert store.path(key, "display.webp") is None
    assert store.path("A" * 22, "large.webp") is None
    assert store.path(key, "large.webp") is not None


def test_path_ignores_symlinks(store, tmp_path):
    key = store.publish(FILES)
    secret = tmp_path / "secret.txt"
    secret.write_text("not media")
    (store.works / key / "display.jpg").symlink_to(secret)
    assert store.path(key, "display.jpg") is None


def test_delete_is_idempotent_and_leaves_no_trace(store):
    key = store.publish(FILES)
    other = store.publish(FILES)
    store.delete(key)
    store.delete(key)
    assert store.keys() == {other}
    assert store.path(key, "large.webp") is None
    assert entries(store.staging) == []


def test_interrupted_delete_leaves_the_work_whole_or_in_staging(store, monkeypatch):
    key = store.publish(FILES)
    monkeypatch.setattr(storage, "_remove_now", lambda path: None)  # crash after the rename
    store.delete(key)
    assert store.keys() == set()
    assert len(entries(store.staging)) == 1


@pytest.mark.parametrize("key", ["..", "../x", "", "a/b", "x\x00"])
def test_delete_and_files_refuse_malformed_keys(store, key):
    with pytest.raises(ValueError):
        store.delete(key)
    with pytest.raises(ValueError):
        store.files(key)


def test_fsck_reports_and_repairs(store):
    kept = store.publish(FILES)
    damaged = store.publish(FILES)
    orphan = store.publish(FILES)
    young_orphan = store.publish(FILES)
    (store.works / damaged / "large.jpg").unlink()
    (store.staging / "new-crashed").mkdir()
    (store.staging / "new-crashed" / "large.webp").write_bytes(b"x")
    (store.staging / "in-flight").mkdir()
    for key in (kept, damaged, orphan):
        age(store.works / key, 7200)
    age(store.staging / "new-crashed", 7200)
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


def test_store_creates_its_folders(tmp_path):
    store = MediaStore(tmp_path / "media")
    assert store.staging.is_dir() and store.works.is_dir()
    assert store.keys() == set()
