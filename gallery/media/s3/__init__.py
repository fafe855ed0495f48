"""The media store in an S3-compatible bucket: S3MediaStore (store.py), chosen by
GALLERY_MEDIA=s3://bucket/prefix."""

from __future__ import annotations

from .store import S3MediaStore, make_client, parse_media_url

__all__ = ["S3MediaStore", "make_client", "parse_media_url"]
