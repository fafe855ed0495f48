"""The media store in a bucket of any S3-compatible service (MinIO, Ceph, Garage, AWS, R2).

GALLERY_MEDIA=s3://bucket/prefix chooses it.  boto3 finds the endpoint, the region and the
credentials in its own environment (AWS_ENDPOINT_URL, AWS_DEFAULT_REGION,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or its config files), so no secret passes through
the gallery's settings or its logs.

Under the prefix the layout is the local folder's:

    staging/new-<key>/<filename>   objects being written; never served
    works/<key>/<filename>

S3 has no rename and no transaction over several objects, so the local store's one rename
becomes three steps: every object is written under staging/, copied (server side) to
works/<key>/, and the staging objects are deleted in one request.  Any failure deletes what
was written and re-raises, so publish() either returns a complete work or leaves nothing a
row could name (the row is committed only after it returns).  A crash (the process killed)
can leave objects in staging/, or a part of works/<key>/ that no row names: fsck() finds
both by their age (LastModified) and repair removes them.

Keep the bucket private: every image, a pending one too, is served through the app, which
decides first who may see it (public/media/); nothing here makes an object public.
"""

from __future__ import annotations

import errno
import functools
import io
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from ..fsck import FsckReport, compare
from ..local import (
    FSCK_GRACE,
    KEY_RE,
    StoredFile,
    StoreUnavailable,
    check_files,
    content_type,
    valid_name,
)

log = logging.getLogger(__package__)  # gallery.media.s3, as before the package was split

BUCKET_RE = re.compile(r"\A[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")  # S3's rules for new buckets
SEGMENT_RE = re.compile(r"\A[A-Za-z0-9_.-]+\Z")
DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
# A slow or unreachable bucket must not hold a web worker for botocore's default minute.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
MISSING = {"404", "NoSuchKey", "NotFound"}
# What services answer when the bucket or the account has no room left (Ceph, MinIO,
# HTTP 507): the disk-full error of the local store, so the upload form says the same.
FULL = {"QuotaExceeded", "XMinioStorageFull", "InsufficientStorage", "507"}
USAGE = "GALLERY_MEDIA must look like s3://bucket or s3://bucket/prefix"
P = ParamSpec("P")
R = TypeVar("R")


def _as_oserror(method: Callable[P, R]) -> Callable[P, R]:
    """Turn boto3's errors into OSError, as the local store's disk errors are, so that the
    callers' handling (a 503 or a 507 page, nothing kept) is the same for both stores.
    The message names the service's error code only: nothing of the request or the data."""

    @functools.wraps(method)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code") or "unknown")
            status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
            if code == "NoSuchBucket":
                bucket = getattr(args[0], "bucket", "?")
                raise StoreUnavailable(errno.EIO, missing_bucket(bucket)) from None
            number = errno.ENOSPC if code in FULL or status in FULL else errno.EIO
            raise StoreUnavailable(number, f"the media bucket answered {code}") from exc
        except BotoCoreError as exc:
            name = type(exc).__name__
            raise StoreUnavailable(errno.EIO, f"the media bucket is unreachable ({name})") from exc

    return translated


def missing_bucket(bucket: str) -> str:
    """What to do when the bucket does not exist: the gallery never creates it (its
    settings, privacy and lifecycle are the operator's to choose, README "Media in object
    storage")."""
    return (
        f"the media bucket {bucket} does not exist: create it first, private, for example "
        f"with `aws s3 mb s3://{bucket}` (or `mc mb`), then try again"
    )


def parse_media_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of s3://bucket/prefix, the prefix "" or ending in "/"; ValueError
    saying what is expected (never quoting the value, which could hold a secret)."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"{USAGE}.")
    if "@" in parts.netloc or ":" in parts.netloc:
        raise ValueError(
            f"{USAGE}: the endpoint and the credentials come from boto3's own "
            "environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)."
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{USAGE}, without ? or #.")
    if not BUCKET_RE.match(parts.netloc):
        raise ValueError(
            f"{USAGE}; a bucket name is 3 to 63 lowercase letters, digits, dots and hyphens."
        )
    segments = [s for s in parts.path.split("/") if s]
    if any(s in (".", "..") or not SEGMENT_RE.match(s) for s in segments):
        raise ValueError(f"{USAGE}; the prefix may hold letters, digits, . _ - and /.")
    return parts.netloc, "".join(f"{s}/" for s in segments)


_sessions: dict[int, Any] = {}  # by process id: a boto3 session is not shared across a fork
_sessions_lock = threading.Lock()


def make_client() -> Any:
    """An S3 client configured by boto3's environment, with short timeouts."""
    import boto3  # here: only a gallery that uses a bucket pays for the import
    from botocore.config import Config

    config = Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
    # One session a process: it loads the service description once (a session per client
    # costs ~60 ms each); making clients from a session is not thread-safe, hence the lock.
    with _sessions_lock:
        session = _sessions.get(os.getpid())
        if session is None:
            session = _sessions[os.getpid()] = boto3.session.Session()
        return session.client("s3", config=config)


class S3MediaStore:
    """Files of published works in an S3-compatible bucket (see the module docstring)."""

    def __init__(self, url: str, *, client: Any = None) -> None:
        self.bucket, self.prefix = parse_media_url(url)
        self.location = f"s3://{self.bucket}/{self.prefix}"
        self.clock: Callable[[], float] = time.time
        self._client, self._given = client, client is not None
        self._pid = os.getpid()
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The boto3 client, made once per process (a forked worker must not share the
        parent's connections)."""
        if self._given:
            return self._client
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                self._client, self._pid = make_client(), os.getpid()
            return self._client

    def close(self) -> None:
        """Close the client's connections (a new client is made if the store is used again)."""
        with self._lock:
            if self._client is not None and not self._given:
                self._client.close()
                self._client = None

    # ---- writing ----

    @_as_oserror
    def publish(self, files: Mapping[str, bytes], key: str | None = None) -> str:
        """Store files under a new random key (or under key, which must be free), all or
        nothing; return the key."""
        check_files(files)
        key = key or secrets.token_urlsafe(16)
        _check_key(key)
        if self._names(key):  # 128 random bits never collide, but never overwrite either
            raise FileExistsError(self._object("works", key))
        staged = {name: self._object("staging", f"new-{key}", name) for name in files}
        written: list[str] = []
        try:
            for name, data in files.items():
                written.append(staged[name])  # before the call: a timed-out PUT may have landed
                self.client.put_object(
                    Bucket=self.bucket, Key=staged[name], Body=data, ContentType=content_type(name)
                )
            for name, source in staged.items():
                target = self._object("works", key, name)
                written.append(target)
                self._copy(source, target)
            self._delete_objects(staged.values())
        except BaseException:
            self._delete_quietly(written)
            raise
        return key

    @_as_oserror
    def rekey(self, key: str, new_key: str | None = None) -> str:
        """Move a work's files to a new random key (or to new_key): copy every one, then
        delete the old ones in one request; on failure the copies go and the old key stays
        whole.  A takedown does this, so the old media URLs answer 404 for good."""
        _check_key(key)
        new_key = new_key or secrets.token_urlsafe(16)
        _check_key(new_key)
        if self._names(new_key):
            raise FileExistsError(self._object("works", new_key))
        names = self._names(key)
        if not names:
            raise FileNotFoundError(self._object("works", key))
        copied: list[str] = []
        try:
            for name in sorted(names):
                target = self._object("works", new_key, name)
                copied.append(target)
                self._copy(self._object("works", key, name), target)
            self._delete_objects(self._object("works", key, name) for name in names)
        except BaseException:
            self._delete_quietly(copied)
            raise
        return new_key

    @_as_oserror
    def delete(self, key: str) -> None:
        """Remove a work's files (one request for all of them); an absent key does nothing."""
        _check_key(key)
        self._delete_objects(o["Key"] for o in self._list(self._object("works", key) + "/"))

    # ---- reading ----

    @_as_oserror
    def stat(self, key: str, filename: str) -> StoredFile | None:
        """Size, ETag and date of a stored object (one HEAD); None if malformed or absent."""
        if not valid_name(key, filename):
            return None
        try:
            head = self.client.head_object(
                Bucket=self.bucket, Key=self._object("works", key, filename)
            )
        except ClientError as exc:  # absent is an answer; anything else is raised
            if _missing(exc):
                return None
            raise
        return StoredFile(
            size=int(head["ContentLength"]),
            etag=head["ETag"].strip('"'),
            modified=cast(datetime, head["LastModified"]),
            content_type=content_type(filename),
        )

    @_as_oserror
    def open(self, key: str, filename: str, known: StoredFile | None = None) -> BinaryIO | None:
        """A seekable file object that fetches the object lazily (a range request fetches
        only from its first byte on); None if absent.  known: what stat() just said of it
        (spares a HEAD request)."""
        found = known if known and valid_name(key, filename) else self.stat(key, filename)
        if found is None:
            return None
        reader = ObjectReader(
            self.client, self.bucket, self._object("works", key, filename), found.size, found.etag
        )
        return cast(BinaryIO, reader)

    @_as_oserror
    def read(self, key: str, filename: str) -> bytes | None:
        """The bytes of a stored object; None for a malformed key or name, or an absent one."""
        if not valid_name(key, filename):
            return None
        try:
            got = self.client.get_object(
                Bucket=self.bucket, Key=self._object("works", key, filename)
            )
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        with got["Body"] as body:
            return cast(bytes, body.read())

    @_as_oserror
    def keys(self) -> set[str]:
        """Keys present under works/."""
        found = self._grouped(self._object("works") + "/")
        return {name for name in found if KEY_RE.match(name)}

    @_as_oserror
    def files(self, key: str) -> set[str]:
        """File names stored under a key; empty if the key is absent."""
        _check_key(key)
        return self._names(key)

    @_as_oserror
    def fsck(
        self,
        expected: Mapping[str, set[str]],
        *,
        repair: bool = False,
        older_than: float = FSCK_GRACE,
    ) -> FsckReport:
        """Compare works/ with expected {key: {filenames}}; repair removes staging leftovers
        and keys no row names, when every object of theirs is older than older_than seconds
        (younger ones may belong to an upload whose row is not committed yet)."""
        staging = self._grouped(self._object("staging") + "/")
        works = self._grouped(self._object("works") + "/")
        report = compare(
            expected,
            staging,
            works,
            modified=_newest,
            stored=lambda key: {_leaf(o["Key"]) for o in works.get(key, [])},
            cutoff=self.clock() - older_than,
            repaired=repair,
        )
        if repair:
            doomed = [o["Key"] for n in report.staging_leftovers for o in staging[n]]
            self._delete_objects(doomed + [o["Key"] for n in report.orphans for o in works[n]])
        return report

    def versioning_warning(self) -> str | None:
        """Why deleted images may stay in the bucket, or None: with versioning on (or
        suspended after being on), a deletion only hides an object behind a delete marker
        and its bytes stay retrievable by version id, unless a lifecycle rule that covers
        the prefix expires noncurrent versions within a day (README "Media in object
        storage")."""
        try:
            status = self.client.get_bucket_versioning(Bucket=self.bucket).get("Status")
            if status not in ("Enabled", "Suspended") or self._old_versions_expire():
                return None
        except (ClientError, BotoCoreError) as exc:
            return f"could not check the bucket's versioning ({_code(exc)})"
        return (
            f"versioning is {status.lower()} on the bucket {self.bucket}: deleted, withdrawn "
            "and covered images stay retrievable as old versions. Turn versioning off, or add "
            "a lifecycle rule that expires noncurrent versions after 1 day"
        )

    def _old_versions_expire(self) -> bool:
        try:
            rules = self.client.get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
        except ClientError as exc:
            if _code(exc) == "NoSuchLifecycleConfiguration":
                return False
            raise
        for rule in rules:
            found = rule.get("Filter", {})
            prefix = found.get("Prefix", found.get("And", {}).get("Prefix", rule.get("Prefix", "")))
            days = rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
            if (
                rule.get("Status") == "Enabled"
                and self.prefix.startswith(prefix or "")
                and days is not None
                and days <= 1
            ):
                return True
        return False

    # ---- the requests ----

    def _object(self, *parts: str) -> str:
        return self.prefix + "/".join(parts)

    def _list(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def _grouped(self, prefix: str) -> dict[str, list[dict[str, Any]]]:
        """The objects under prefix, by the first path segment after it."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for obj in self._list(prefix):
            name = obj["Key"][len(prefix) :].partition("/")[0]
            groups.setdefault(name, []).append(obj)
        return groups

    def _names(self, key: str) -> set[str]:
        prefix = self._object("works", key) + "/"
        return {rest for o in self._list(prefix) if "/" not in (rest := o["Key"][len(prefix) :])}

    def _copy(self, source: str, target: str) -> None:
        # Server side: the bytes never come through the app; Content-Type is copied along.
        self.client.copy_object(
            Bucket=self.bucket, Key=target, CopySource={"Bucket": self.bucket, "Key": source}
        )

    def _delete_objects(self, keys: Iterable[str]) -> None:
        """Delete objects, a thousand a request; OSError if the service refused any."""
        batch = sorted(set(keys))
        for start in range(0, len(batch), DELETE_BATCH):
            chunk = [{"Key": k} for k in batch[start : start + DELETE_BATCH]]
            request = {"Objects": chunk, "Quiet": True}
            answer = self.client.delete_objects(Bucket=self.bucket, Delete=request)
            errors = [e for e in answer.get("Errors", []) if e.get("Code") not in MISSING]
            if errors:
                raise OSError(
                    f"the bucket refused to delete {len(errors)} object(s): {errors[0].get('Code')}"
                )

    def _delete_quietly(self, keys: list[str]) -> None:
        # Cleaning up after a failure must not hide the failure: what is left is fsck's.
        try:
            self._delete_objects(keys)
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "media store: %d object(s) left for fsck after a failure (%s)",
                len(keys),
                type(exc).__name__,
            )


class ObjectReader(io.RawIOBase):
    """One stored object as a seekable file that asks the bucket for bytes only when read:
    a HEAD request or a 304 fetches nothing, a range request fetches from its first byte.
    Every GET is bound to the ETag the headers were made from (If-Match), so the bytes sent
    are the ones those headers describe."""

    def __init__(self, client: Any, bucket: str, key: str, size: int, etag: str) -> None:
        super().__init__()
        self._client, self._bucket, self._key = client, bucket, key
        self.size, self._etag = size, etag
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        position = max(0, base + offset)
        if position != self._pos:
            self._drop()
            self._pos = position
        return self._pos

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self.size or not len(buffer):
            return 0
        if self._body is None:
            self._body = self._client.get_object(
                Bucket=self._bucket,
                Key=self._key,
                Range=f"bytes={self._pos}-",
                IfMatch=f'"{self._etag}"',
            )["Body"]
        data = self._body.read(len(buffer))
        if not data:
            return 0
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        super().close()

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


def _check_key(key: object) -> None:
    if not (isinstance(key, str) and KEY_RE.match(key)):
        raise ValueError("malformed media key")


def _code(exc: BaseException) -> str:
    """The service's error code, or the error's kind: nothing of the request."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "unknown")
    return type(exc).__name__


def _missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


def _newest(objects: list[dict[str, Any]]) -> float:
    return max(o["LastModified"].timestamp() for o in objects)


def _leaf(object_key: str) -> str:
    return object_key.rpartition("/")[2]
