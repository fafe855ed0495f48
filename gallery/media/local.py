"""The media store: the renditions of each work in a folder of their own under a random key.

Two stores keep the same promises behind one interface (Store, below): MediaStore, a
folder on the local disk (the default, instance/media), and s3.S3MediaStore, a bucket
of any S3-compatible service (GALLERY_MEDIA=s3://bucket/prefix).  Nothing outside them
assumes a file on disk: callers read bytes (read), a file object (open) or the facts a
conditional response needs (stat); only the local store has path(), for send_file and
the reverse proxy's X-Sendfile / X-Accel-Redirect.

Layout under the root folder (the bucket's prefix mirrors it):

    staging/   folders being written or being deleted; never served
    works/<key>/<filename>

A work's folder appears in works/ in one rename, complete and on disk, and
leaves it in one rename, so a crash never leaves a half folder there; what a
crash can leave behind sits in staging/, where fsck() finds it.  Keys are
random (128 bits), so a URL tells nothing about the work or when it came; the
name of the uploaded file is never stored.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from .fsck import FsckReport, compare

KEY_RE = re.compile(r"\A[A-Za-z0-9_-]{22}\Z")  # secrets.token_urlsafe(16)
FILENAME_RE = re.compile(r"\A[a-z][a-z0-9_-]{0,31}\.(?:webp|jpg|png)\Z")
FILE_MODE = 0o640
DIR_MODE = 0o750
FSCK_GRACE = 3600  # seconds: what is younger may belong to an upload not committed yet
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


class StoreUnavailable(OSError):
    """The media store cannot be used (a bucket unreachable, missing or refusing): an
    OSError like a disk's, so the web answers 503 or 507 the same way; its message is one
    line an operator can act on, naming nothing of the request or the data."""


@dataclass(frozen=True)
class StoredFile:
    """What a conditional response needs to know of a stored file, without reading it."""

    size: int
    etag: str  # a strong validator of these bytes at this key, without quotes
    modified: datetime  # aware, UTC
    content_type: str


class Store(Protocol):
    """What every media store does; the verbs, the views and the commands use only this.

    A key names one work's complete set of renditions; the files at a key never change
    (a new image gets a new key), which is what lets the public media be cached for a year.
    """

    location: str  # for messages: the folder, or s3://bucket/prefix; never a credential
    clock: Callable[[], float]  # what fsck() measures ages against (tests move it)

    def publish(self, files: Mapping[str, bytes], key: str | None = None) -> str:
        """Store files under a new random key (or under key, which must be free), all or
        nothing; return the key."""
        ...

    def stat(self, key: str, filename: str) -> StoredFile | None:
        """Size, validator and date of a stored file; None if malformed or absent."""
        ...

    def open(self, key: str, filename: str, known: StoredFile | None = None) -> BinaryIO | None:
        """A seekable binary file object of a stored file (close it); None if absent.  known:
        what stat() just said of it, so that a bucket is not asked twice."""
        ...

    def read(self, key: str, filename: str) -> bytes | None:
        """The bytes of a stored file; None for a malformed key or name, or an absent file."""
        ...

    def rekey(self, key: str, new_key: str | None = None) -> str:
        """Move a work's files to a new random key (or to new_key); return it."""
        ...

    def delete(self, key: str) -> None:
        """Remove a work's files; deleting an absent key does nothing."""
        ...

    def keys(self) -> set[str]:
        """Keys present under works/."""
        ...

    def files(self, key: str) -> set[str]:
        """File names stored under a key; empty if the key is absent."""
        ...

    def fsck(
        self,
        expected: Mapping[str, set[str]],
        *,
        repair: bool = False,
        older_than: float = FSCK_GRACE,
    ) -> FsckReport:
        """Compare works/ with expected {key: {filenames}}; repair removes leftovers and
        orphans older than older_than seconds."""
        ...


def check_files(files: Mapping[str, bytes]) -> None:
    """ValueError unless files is a non-empty set of rendition names ('large.webp')."""
    if not files or not all(isinstance(n, str) and FILENAME_RE.match(n) for n in files):
        raise ValueError("publish() needs rendition file names such as 'large.webp'")


def valid_name(key: object, filename: object) -> bool:
    """Whether key and filename could name a stored file (nothing else is ever looked up)."""
    return _valid_key(key) and isinstance(filename, str) and FILENAME_RE.match(filename) is not None


def content_type(filename: str) -> str:
    """The Content-Type a rendition is stored and served with, from its extension."""
    return CONTENT_TYPES[filename.rpartition(".")[2]]


class MediaStore:
    """Files of published works on the local disk."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).absolute()
        self.location = str(self.root)
        self.clock: Callable[[], float] = time.time
        self.staging = self.root / "staging"
        self.works = self.root / "works"
        for folder in (self.root, self.staging, self.works):
            folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)

    def publish(self, files: Mapping[str, bytes], key: str | None = None) -> str:
        """Store files atomically and durably under a new random key (or under key, for a
        backup that keeps the keys its rows name); return the key."""
        # Each file and the folder are fsynced in staging/, then the folder is
        # renamed into works/ in one step; any failure removes what was written
        # and re-raises.  The files' fsyncs run at once, one thread each: the
        # filesystem makes one journal commit of them (ext4: 2-3 ms for an
        # upload's six files, where one after the other took 25 ms).
        check_files(files)
        if key is None:
            key = secrets.token_urlsafe(16)
        _check_key(key)
        tmp = self.staging / f"new-{key}"
        final = self.works / key
        moved = False
        tmp.mkdir(mode=DIR_MODE)  # before the try: a folder that was there is not ours to remove
        try:
            _write_synced(tmp, files)
            _fsync_dir(tmp)
            if final.exists():  # 128 random bits never collide, but never overwrite either
                raise FileExistsError(final)
            os.replace(tmp, final)
            moved = True
            _fsync_dir(self.works)
            _fsync_dir(self.staging)
        except BaseException:
            shutil.rmtree(final if moved else tmp, ignore_errors=True)
            raise
        return key

    def path(self, key: str, filename: str) -> Path | None:
        """Absolute path of a stored file; None for a malformed key or name, or an absent file."""
        found = self._lstat(key, filename)
        return found[0] if found else None

    def stat(self, key: str, filename: str) -> StoredFile | None:
        """Size, validator and date of a stored file; None if malformed or absent."""
        found = self._lstat(key, filename)
        if found is None:
            return None
        st = found[1]
        return StoredFile(
            size=st.st_size,
            etag=f"{st.st_mtime_ns:x}-{st.st_size:x}",
            modified=datetime.fromtimestamp(st.st_mtime, UTC),
            content_type=content_type(filename),
        )

    def open(self, key: str, filename: str, known: StoredFile | None = None) -> BinaryIO | None:
        """The stored file opened for reading (never through a symlink); None if absent."""
        path = self.path(key, filename)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return None  # deleted or moved meanwhile
        return open(fd, "rb")

    def read(self, key: str, filename: str) -> bytes | None:
        """The bytes of a stored file; None for a malformed key or name, or an absent file."""
        fp = self.open(key, filename)
        if fp is None:
            return None
        with fp:
            return fp.read()

    def _lstat(self, key: str, filename: str) -> tuple[Path, os.stat_result] | None:
        if not valid_name(key, filename):
            return None
        found = self.works / key / filename
        try:
            st = found.lstat()
        except OSError:
            return None
        return (found, st) if stat.S_ISREG(st.st_mode) else None

    def rekey(self, key: str, new_key: str | None = None) -> str:
        """Move a work's folder to a new random key (or to new_key), in one rename; return
        it.  A takedown does this, so the old media URLs, which caches may hold for a year
        as immutable, answer 404 for good."""
        _check_key(key)
        new_key = new_key or secrets.token_urlsafe(16)
        _check_key(new_key)
        target = self.works / new_key
        if target.exists():
            raise FileExistsError(target)
        os.replace(self.works / key, target)
        _fsync_dir(self.works)
        return new_key

    def delete(self, key: str) -> None:
        """Remove a work's folder; deleting an absent key does nothing."""
        _check_key(key)
        self._remove(self.works / key)

    def keys(self) -> set[str]:
        """Keys present under works/."""
        found = _scan(self.works)
        return {e.name for e in found if _valid_key(e.name) and e.is_dir(follow_symlinks=False)}

    def files(self, key: str) -> set[str]:
        """File names stored under a key; empty if the key is absent."""
        _check_key(key)
        return {e.name for e in _scan(self.works / key) if e.is_file(follow_symlinks=False)}

    def fsck(
        self,
        expected: Mapping[str, set[str]],
        *,
        repair: bool = False,
        older_than: float = FSCK_GRACE,
    ) -> FsckReport:
        """Compare works/ with expected {key: {filenames}}; repair removes leftovers and orphans."""
        # Entries younger than older_than seconds are left alone: they may
        # belong to an upload in progress, whose row is not committed yet.
        report = compare(
            expected,
            {e.name: e for e in _scan(self.staging)},
            {e.name: e for e in _scan(self.works)},
            modified=_mtime,
            stored=lambda key: self.files(key) if _valid_key(key) else set(),
            cutoff=self.clock() - older_than,
            repaired=repair,
        )
        if repair:
            for name in report.staging_leftovers:
                _remove_now(self.staging / name)
            for name in report.orphans:
                self._remove(self.works / name)
        return report

    def _remove(self, target: Path) -> None:
        # Rename out of works/ first: one atomic step, after which a crash
        # only leaves an entry in staging/ for fsck to find.
        trash = self.staging / f"del-{target.name}-{secrets.token_hex(4)}"
        try:
            os.replace(target, trash)
        except FileNotFoundError:
            return
        _fsync_dir(self.works)
        _remove_now(trash)


def _valid_key(key: object) -> bool:
    return isinstance(key, str) and KEY_RE.match(key) is not None


def _check_key(key: object) -> None:
    if not _valid_key(key):
        raise ValueError("malformed media key")


def _scan(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except FileNotFoundError:
        return []


def _mtime(entry: os.DirEntry) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except FileNotFoundError:
        return float("inf")  # gone meanwhile: nothing to report


def _write_synced(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write each file into `folder`, then fsync them all at once (a thread each, started
    here: nothing outlives the call, nothing is carried over a fork); returns once every
    one is on disk, or raises the first failure (every file closed)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    opened: list[BinaryIO] = []
    try:
        for name, data in files.items():
            fp = open(os.open(folder / name, flags, FILE_MODE), "wb")  # noqa: SIM115 - closed below
            opened.append(fp)
            fp.write(data)
            fp.flush()
        if len(opened) == 1:
            os.fsync(opened[0].fileno())
        elif opened:
            with ThreadPoolExecutor(max_workers=len(opened)) as pool:
                for _ in pool.map(os.fsync, [fp.fileno() for fp in opened]):
                    pass
    finally:
        for fp in opened:
            fp.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_now(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
