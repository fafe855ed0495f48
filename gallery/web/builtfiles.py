"""Documents built once per generation of the page cache: the print PDFs and the sitemap.

A campaign's posters embed up to 100 large images: seconds of CPU, hundreds of MB of
memory and a file of up to a few hundred MB.  The page cache (a byte budget, perhaps Redis)
is no place for them, and no request may start a second build of what is being built.
So each document is built at most once per generation (web/pagecache/), host, address,
language and day, into a file of its own under instance/cache/built/<generation>/, and sent
from there, with an ETag and `no-cache`, to everyone until something a visitor could see
changes.  Then the folder of the old generation is deleted whole, on every host as soon as
it sees the new generation: a PDF never keeps a picture or words that were taken back.

One build at a time per document, across the host's workers: the builder holds an
exclusive lock (flock) on the document's lock file; a request that finds it held gets 503
with Retry-After (core.errors.BeingBuilt) instead of starting another build.  Without a generation (the page
cache off or unreachable) a document is built for each request, still one at a time."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from werkzeug.wrappers import Response

from ..core.errors import BeingBuilt
from .limits import export_qr_base

log = logging.getLogger(__name__)


def _no_generation() -> str | None:
    return None


# The page cache's current generation token (web/pagecache/ sets it when the app starts;
# it imports this module, so this one cannot import it): a document whose generation ended
# while it was built is not kept.
current_generation: Callable[[], str | None] = _no_generation

FOLDER = ("cache", "built")
CHUNK = 256 * 1024
UNCACHED = "uncached"  # the lock files of documents built without a generation
_TOKEN = "built_generation"


def root(app: Flask) -> Path:
    return Path(app.instance_path).joinpath(*FOLDER)


def today() -> str:
    """The day in the prisoners' time zone: days in prison and birthdays change with it, so
    what was made yesterday is not served today."""
    return datetime.now(ZoneInfo(current_app.config["PRISONER_TIMEZONE"])).date().isoformat()


def note_generation(token: str | None) -> None:
    """The page cache's generation for this request, read before any row the document is
    made of (a document made from older rows is never kept under a newer generation)."""
    g.setdefault(_TOKEN, token)


def serve(
    parts: Iterable[str], build: Callable[[], bytes], *, mimetype: str, filename: str | None = None
) -> Response:
    """The document these parts name (with the host, scheme and day), built by build() if
    this generation has none yet; BeingBuilt (503) while another request builds it."""
    token = g.get(_TOKEN)
    folder = root(current_app) / (token or UNCACHED)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    day = today()
    # A copy's QR codes (export-static --qr-base) lead elsewhere: a document of its own.
    qr_base = export_qr_base()
    key = "\n".join([request.scheme, request.host, *parts, *([qr_base] if qr_base else [])])
    path = folder / f"{day}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}"
    if token and path.is_file():
        return _send(path, mimetype, filename)
    with open(path.with_suffix(".lock"), "ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BeingBuilt() from None
        if token and path.is_file():  # built while this request waited for its rows
            return _send(path, mimetype, filename)
        body = build()
        if not token or not _keep(path, body, token, day):
            return _headers(Response(body, mimetype=mimetype), filename)
    log.info("built %s (%s bytes) once for this generation", mimetype, len(body))
    return _send(path, mimetype, filename)


def _keep(path: Path, body: bytes, token: str, day: str) -> bool:
    """Write the document where the next requests find it; False when its generation ended
    while it was being built (its rows may be older than the change: not kept)."""
    budget = current_app.config["BUILT_FILES_BYTES"]
    if budget and _used(root(current_app)) + len(body) > budget:
        log.warning(
            "built files over BUILT_FILES_BYTES (%s bytes): a %s-byte document is sent "
            "without being kept",
            budget,
            len(body),
        )
        return False
    partial = path.with_suffix(f".{os.getpid()}.part")
    try:
        partial.write_bytes(body)
        os.replace(partial, path)
    except FileNotFoundError:  # the folder went with its generation meanwhile
        return False
    if current_generation() != token:
        path.unlink(missing_ok=True)
        return False
    for older in path.parent.iterdir():  # documents of the days before
        if not older.name.startswith(day):
            older.unlink(missing_ok=True)
    return True


def _send(path: Path, mimetype: str, filename: str | None) -> Response:
    """The file, with an ETag and a date (304 to a client that has it); opened only once
    the body is sent, and closed when it has been."""
    stat = path.stat()
    response = Response(_chunks(path), mimetype=mimetype, direct_passthrough=True)
    response.content_length = stat.st_size
    response.set_etag(f"{path.name[:20]}-{stat.st_mtime_ns:x}")
    response.last_modified = int(stat.st_mtime)
    return _headers(response.make_conditional(request), filename)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _headers(response: Response, filename: str | None) -> Response:
    if filename:
        response.headers.set("Content-Disposition", "inline", filename=filename)
    # Any cache may keep it but must ask again each time, as for pages: a takedown reaches
    # every reader at once.
    response.headers.pop("Cache-Control", None)
    response.cache_control.no_cache = True
    return response


def _used(folder: Path) -> int:
    total = 0
    for file in folder.rglob("*"):
        try:
            total += file.stat().st_size if file.is_file() else 0
        except FileNotFoundError:
            continue
    return total


def sweep(app: Flask, token: str) -> None:
    """Delete the documents of every generation but token."""
    folder = root(app)
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.name != token:
            shutil.rmtree(child, ignore_errors=True)
