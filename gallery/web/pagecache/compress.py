"""Compression: gzip and Brotli bodies for kept pages, and static files (CSS, JavaScript,
SVG) compressed once per file version; the encoding a client takes."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import brotli
from flask import current_app, request
from werkzeug.wrappers import Response

# Text worth compressing; PDFs hold compressed streams already and images are left alone.
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "image/svg+xml",
    }
)
MIN_COMPRESS = 512  # bytes: below this the headers outweigh the gain


@lru_cache(maxsize=64)
def _choose(accept_encoding: str) -> str | None:
    """Brotli if the client takes it, else gzip, else nothing (q=0 refuses)."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        offered[name.strip()] = quality
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0.0)) > 0:
            return name
    return None


# Static files: CSS, JavaScript and SVG compressed once per file version.


def _compress_static(response: Response) -> Response:
    if (
        request.endpoint != "static"
        or response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
    ):
        return response
    encoding = _choose(request.headers.get("Accept-Encoding", ""))
    response.vary.add("Accept-Encoding")
    filename = (request.view_args or {}).get("filename", "")
    folder = current_app.static_folder
    if not encoding or not folder:
        return response
    path = Path(folder, filename).resolve()
    if Path(folder).resolve() not in path.parents:
        return response
    try:
        stat = path.stat()
    except OSError:
        return response
    data = _compressed_file(str(path), stat.st_mtime_ns, encoding)
    if data is None:
        return response
    response.close()  # the file send_file() opened
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
    return response.make_conditional(request)


@lru_cache(maxsize=128)
def _compressed_file(path: str, _mtime_ns: int, encoding: str) -> bytes | None:
    data = Path(path).read_bytes()
    if len(data) < MIN_COMPRESS:
        return None
    if encoding == "br":
        return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)
    return gzip.compress(data, compresslevel=9, mtime=0)
