"""S3MediaStore: the works' files in the bucket, written all or nothing (staging/, a
server-side copy to works/<key>/, one deletion request), read, listed and checked by fsck;
the package's docstring says why it takes these steps."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, BinaryIO, cast

from botocore.exceptions import ClientError

from ..fsck import FsckReport, compare
from ..local import FSCK_GRACE, KEY_RE, StoredFile, check_files, content_type, valid_name
from .connection import MISSING, as_oserror, is_missing, make_client, parse_media_url
from .reader import ObjectReader
from .versioning import versioning_warning

log = logging.getLogger(__package__)  # gallery.media.s3, as before the package was split

DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


class S3MediaStore:
    """Files of published works in an S3-compatible bucket (see the package docstring)."""

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

    @as_oserror
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

    @as_oserror
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

    @as_oserror
    def delete(self, key: str) -> None:
        """Remove a work's files (one request for all of them); an absent key does nothing."""
        _check_key(key)
        self._delete_objects(o["Key"] for o in self._list(self._object("works", key) + "/"))

    # ---- reading ----

    @as_oserror
    def stat(self, key: str, filename: str) -> StoredFile | None:
        """Size, ETag and date of a stored object (one HEAD); None if malformed or absent."""
        if not valid_name(key, filename):
            return None
        try:
            head = self.client.head_object(
                Bucket=self.bucket, Key=self._object("works", key, filename)
            )
        except ClientError as exc:  # absent is an answer; anything else is raised
            if is_missing(exc):
                return None
            raise
        return StoredFile(
            size=int(head["ContentLength"]),
            etag=head["ETag"].strip('"'),
            modified=cast(datetime, head["LastModified"]),
            content_type=content_type(filename),
        )

    @as_oserror
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

    @as_oserror
    def read(self, key: str, filename: str) -> bytes | None:
        """The bytes of a stored object; None for a malformed key or name, or an absent one."""
        if not valid_name(key, filename):
            return None
        try:
            got = self.client.get_object(
                Bucket=self.bucket, Key=self._object("works", key, filename)
            )
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise
        with got["Body"] as body:
            return cast(bytes, body.read())

    @as_oserror
    def keys(self) -> set[str]:
        """Keys present under works/."""
        found = self._grouped(self._object("works") + "/")
        return {name for name in found if KEY_RE.match(name)}

    @as_oserror
    def files(self, key: str) -> set[str]:
        """File names stored under a key; empty if the key is absent."""
        _check_key(key)
        return self._names(key)

    @as_oserror
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
        """Why deleted images may stay in the bucket, or None (versioning.py)."""
        return versioning_warning(self)

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


def _check_key(key: object) -> None:
    if not (isinstance(key, str) and KEY_RE.match(key)):
        raise ValueError("malformed media key")


def _newest(objects: list[dict[str, Any]]) -> float:
    return max(o["LastModified"].timestamp() for o in objects)


def _leaf(object_key: str) -> str:
    return object_key.rpartition("/")[2]
