"""Where the renditions live: a folder of their own per work, under a random key, behind one
interface (Store) with two implementations: MediaStore, a folder on this host
(media/local.py), and S3MediaStore, an S3-compatible bucket (media/s3/, gallery[s3]).
Decode slots (media/slots.py) bound how many images the host decodes at once; fsck compares
either store with the rows in one way (media/fsck.py)."""

from __future__ import annotations

from flask import Flask, current_app

from .fsck import FsckReport
from .local import (
    CONTENT_TYPES,
    DIR_MODE,
    FILE_MODE,
    FILENAME_RE,
    FSCK_GRACE,
    KEY_RE,
    MediaStore,
    Store,
    StoredFile,
    StoreUnavailable,
    check_files,
    content_type,
    valid_name,
)

__all__ = [
    "CONTENT_TYPES",
    "DIR_MODE",
    "FILENAME_RE",
    "FILE_MODE",
    "FSCK_GRACE",
    "FsckReport",
    "KEY_RE",
    "MediaStore",
    "Store",
    "StoreUnavailable",
    "StoredFile",
    "check_files",
    "content_type",
    "valid_name",
]


def media_store(app: Flask | None = None) -> Store:
    """The media store of this app, made once: the bucket MEDIA_STORE names
    (GALLERY_MEDIA=s3://bucket/prefix), else the folder MEDIA_ROOT."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("gallery.media_store")
    if found is None:
        if app.config["MEDIA_STORE"]:
            from .s3 import S3MediaStore  # boto3 is imported only by those who use it

            found = S3MediaStore(app.config["MEDIA_STORE"])
        else:
            found = MediaStore(app.config["MEDIA_ROOT"])
        app.extensions["gallery.media_store"] = found
    return found
