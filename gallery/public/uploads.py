"""`/uploads/`: a tus 1.0 server for the submission form's resumable uploads (core protocol
and the creation, expiration and termination extensions; see docs/developers/
image-pipeline.md). The bytes are staged in the database (verbs/uploads.py) and nothing
decodes them here: the form takes a complete upload by its id, and the image pipeline
treats it as it treats a file sent the plain way.

- Creation (POST) needs the session's CSRF token in an X-CSRFToken header (the page of the
  form holds it) and counts against UPLOAD_RATE_LIMIT; the id it gives is a random
  capability, which alone opens HEAD, PATCH and DELETE (no token there: a phone that slept
  for hours resumes with its id only).
- An unknown or expired id is 404 (not 410: an expired upload is deleted, so the two are
  the same to the server; tus clients start a new upload on either).
- A PATCH is read in blocks of verbs.uploads.BLOCK_BYTES, never past Upload-Length, each
  block stored and committed as it arrives: a connection cut in the middle keeps what
  arrived, and HEAD says where to resume."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from email.utils import format_datetime

from flask import Blueprint, current_app, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Response

from ..core.errors import GalleryError
from ..extensions import csrf, db
from ..models import Upload
from ..verbs import uploads
from ..web.limits import limiter, onion_or_client_key

bp = Blueprint("uploads", __name__)
csrf.exempt(bp)  # creation checks the token itself (creation_guard), the rest need none
log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,expiration,termination"
OFFSET_STREAM = "application/offset+octet-stream"
IMAGE_TYPE = re.compile(r"image/[a-z0-9][a-z0-9.+-]{0,60}")
NUMBER = re.compile(r"[0-9]{1,15}")


def _upload_limit() -> str:
    return current_app.config["UPLOAD_RATE_LIMIT"]


def _answer(status: int, upload: Upload | None = None, **headers: str) -> Response:
    """An empty answer, with the upload's offset, length and expiry when given."""
    response = Response(status=status)
    if upload is not None:
        response.headers["Upload-Offset"] = str(upload.offset)
        response.headers["Upload-Length"] = str(upload.length)
        response.headers["Upload-Expires"] = format_datetime(upload.expires_at, usegmt=True)
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def _refused(exc: GalleryError) -> Response:
    db.session.rollback()
    response = _answer(exc.status)
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.before_request
def tus_version() -> Response | None:
    """Every request but OPTIONS says it speaks tus 1.0.0; else 412 and the version we do."""
    if request.method == "OPTIONS":
        return None
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _answer(412, Tus_Version=TUS_VERSION)
    return None


@bp.after_request
def tus_headers(response: Response) -> Response:
    """Every answer says Tus-Resumable, and no cache keeps any of them."""
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    return response


def _number(name: str) -> int | None:
    text = request.headers.get(name, "")
    return int(text) if NUMBER.fullmatch(text) else None


def _filetype(metadata: str) -> str | None:
    """Upload-Metadata's `filetype` when it is an image type; every other key (a file name
    above all) is ignored and kept nowhere."""
    for pair in metadata.split(","):
        key, _, value = pair.strip().partition(" ")
        if key != "filetype":
            continue
        try:
            kind = base64.b64decode(value.strip(), validate=True).decode("ascii").lower()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return kind if IMAGE_TYPE.fullmatch(kind) else None
    return None


@bp.route("/uploads/", methods=["OPTIONS"], provide_automatic_options=False)
def capabilities() -> Response:
    """What this server speaks (tus discovery)."""
    response = _answer(204, Tus_Version=TUS_VERSION, Tus_Extension=EXTENSIONS)
    if (limit := current_app.config["MAX_CONTENT_LENGTH"]) is not None:
        response.headers["Tus-Max-Size"] = str(limit)
    return response


@bp.post("/uploads/", provide_automatic_options=False)
@limiter.limit(_upload_limit, key_func=onion_or_client_key)
def create() -> Response:
    """A new upload of Upload-Length bytes: 201 and its address (Location)."""
    if current_app.config["WTF_CSRF_ENABLED"]:
        try:
            csrf.protect()
        except CSRFError:
            return _answer(403)
    if "Upload-Defer-Length" in request.headers:
        return _answer(400)  # creation-defer-length is not offered
    length = _number("Upload-Length")
    if length is None or length < 1:
        return _answer(400)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and length > int(limit):
        return _answer(413)
    try:
        upload_id, upload = uploads.create_upload(
            length, _filetype(request.headers.get("Upload-Metadata", ""))
        )
        db.session.commit()
    except GalleryError as exc:
        return _refused(exc)
    return _answer(
        201,
        Location=url_for("uploads.upload", upload_id=upload_id),
        Upload_Expires=format_datetime(upload.expires_at, usegmt=True),
    )


@bp.route("/uploads/<upload_id>", methods=["HEAD"], provide_automatic_options=False)
def upload(upload_id: str) -> Response:
    """Where an upload stands: Upload-Offset (resume from there), Upload-Length."""
    found = uploads.upload_state(upload_id)
    if found is None:
        return _answer(404)
    return _answer(200, found)


def _block(size: int) -> tuple[bytes, bool]:
    """Up to `size` bytes of the request's body, and whether the client went away first."""
    got = bytearray()
    while len(got) < size:
        try:
            data = request.stream.read(size - len(got))
        except (ClientDisconnected, OSError):
            return bytes(got), True
        if not data:
            break
        got += data
    return bytes(got), False


@bp.patch("/uploads/<upload_id>", provide_automatic_options=False)
def patch(upload_id: str) -> Response:
    """Add the body at Upload-Offset: 204 and the new offset. 415 for another Content-Type,
    409 when the offset is not where the upload stands, 413 for a body past its length."""
    found = uploads.upload_state(upload_id)
    if found is None:
        return _answer(404)
    if request.mimetype != OFFSET_STREAM:
        return _answer(415)
    offset = _number("Upload-Offset")
    if offset is None:
        return _answer(400)
    if offset != found.offset:
        return _answer(409, found)
    remaining = found.length - found.offset
    if request.content_length is not None and request.content_length > remaining:
        return _answer(413, found)
    db.session.rollback()  # no transaction stays open while the bytes travel
    declared, start = request.content_length, offset
    cut = False
    while remaining > 0 and not cut:
        data, cut = _block(min(uploads.BLOCK_BYTES, remaining))
        if not data:
            break
        try:
            uploads.append(upload_id, offset, data)
            db.session.commit()
        except GalleryError as exc:
            return _refused(exc)
        offset += len(data)
        remaining -= len(data)
    # The body ended before its Content-Length (a server that lets the stream run dry
    # rather than raise ClientDisconnected): cut as well.
    cut = cut or (declared is not None and offset - start < declared)
    if cut:
        log.info("an upload's connection ended early: the bytes that arrived are kept")
    now = uploads.upload_state(upload_id)
    if now is None:  # terminated meanwhile
        return _answer(404)
    return _answer(400 if cut else 204, now)


@bp.delete("/uploads/<upload_id>", provide_automatic_options=False)
def terminate(upload_id: str) -> Response:
    """The client gives the upload up: its bytes are deleted (204)."""
    try:
        uploads.terminate(upload_id)
        db.session.commit()
    except GalleryError as exc:
        return _refused(exc)
    return _answer(204)
