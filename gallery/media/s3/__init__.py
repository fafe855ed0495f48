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

The modules: connection.py (the bucket's address, the boto3 client, its errors as
OSError), store.py (S3MediaStore: writing, reading, fsck), reader.py (one object as a
lazily fetched file), versioning.py (whether deleted objects stay behind as old versions).
"""

from __future__ import annotations

from .connection import make_client, parse_media_url
from .store import S3MediaStore

__all__ = ["S3MediaStore", "make_client", "parse_media_url"]
