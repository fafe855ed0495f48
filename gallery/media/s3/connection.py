"""Reaching the bucket: its address (GALLERY_MEDIA=s3://bucket/prefix), the boto3 client
with short timeouts, and boto3's errors turned into the OSError the local store raises."""

from __future__ import annotations

import errno
import functools
import os
import re
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from ..local import StoreUnavailable

BUCKET_RE = re.compile(r"\A[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")  # S3's rules for new buckets
SEGMENT_RE = re.compile(r"\A[A-Za-z0-9_.-]+\Z")
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


def as_oserror(method: Callable[P, R]) -> Callable[P, R]:
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


def error_code(exc: BaseException) -> str:
    """The service's error code, or the error's kind: nothing of the request."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "unknown")
    return type(exc).__name__


def is_missing(exc: ClientError) -> bool:
    """Whether the service answered that the object is absent."""
    return str(exc.response.get("Error", {}).get("Code")) in MISSING


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
