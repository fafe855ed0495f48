"""Resumable uploads staged in the database (models/uploads.py, served by public/uploads.py
as tus 1.0): start one, add a slice, end it; and what the submission form does with one:
take its bytes, keep a whole file after a form sent back with a mistake, drop it once the
work is accepted.

Each slice is its own short write transaction (the view commits after each block it
reads), so a slow phone never holds the database's write lock while its bytes travel,
and what arrived before a dropped connection stays. Ids are capabilities: only their
SHA-256 is looked up or stored. Logs say counts and sizes, nothing else."""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, func, select

from ..core.database import begin_write
from ..core.errors import Busy, InvalidInput, NotAllowed, NotFound
from ..core.i18n import N_
from ..core.tokens import new_receipt_token, token_hash
from ..extensions import db
from ..models import Upload, UploadPart, utcnow

log = logging.getLogger(__name__)

# The most a part row holds: a PATCH is read and stored in blocks of this size.
BLOCK_BYTES = 1024 * 1024
# Longer than any id we give (43 characters): not worth hashing.
ID_MAX_LENGTH = 64
# take_upload keeps this much in memory before it spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


class UploadMissing(NotFound):
    """The upload named is unknown, expired, or not complete."""

    public = True
    message = N_(
        "The image you sent earlier is no longer kept on the server. Please choose it again."
    )


class UploadsFull(Busy):
    """All unexpired uploads together already reserve UPLOAD_STAGED_BYTES."""

    message = N_(
        "The gallery is receiving many images right now. Please try again in a few minutes."
    )
    retry_after = 300


def _expiry() -> timedelta:
    return timedelta(seconds=int(current_app.config["UPLOAD_EXPIRY_SECONDS"]))


def _where(upload_id: str, now: datetime | None = None):  # type: ignore[no-untyped-def]
    return (Upload.token_hash == token_hash(upload_id)) & (Upload.expires_at > (now or utcnow()))


def _usable(upload_id: str | None) -> bool:
    return bool(upload_id) and len(upload_id) <= ID_MAX_LENGTH  # type: ignore[arg-type]


# ---- reads ----


def upload_state(upload_id: str | None) -> Upload | None:
    """The upload with this id, unless unknown or expired (then None)."""
    if not _usable(upload_id):
        return None
    return db.session.scalar(select(Upload).where(_where(upload_id)))  # type: ignore[arg-type]


def is_complete(upload_id: str | None) -> bool:
    """Whether this id names an unexpired upload whose every byte has arrived."""
    found = upload_state(upload_id)
    return found is not None and found.complete


def take_upload(upload_id: str | None) -> BinaryIO:
    """The bytes of a complete upload, as a stream at its start (a temporary file past a
    few MB); UploadMissing when it is unknown, expired or incomplete."""
    found = upload_state(upload_id)
    if found is None or not found.complete:
        raise UploadMissing("unknown, expired or incomplete upload")
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    parts = db.session.execute(
        select(UploadPart.offset, UploadPart.data)
        .where(UploadPart.upload_id == found.id)
        .order_by(UploadPart.offset)
        .execution_options(yield_per=4)
    )
    for offset, data in parts:
        if offset != out.tell():  # a gap or an overlap: never pass on a broken file
            out.close()
            log.error("an upload's parts do not follow each other: refused")
            raise UploadMissing("broken upload")
        out.write(data)
    if out.tell() != found.length:
        out.close()
        log.error("an upload's parts do not add up to its length: refused")
        raise UploadMissing("broken upload")
    out.seek(0)
    return out  # type: ignore[return-value]


# ---- verbs ----


def purge_expired(now: datetime | None = None) -> int:
    """Delete every upload past its expiry, with its bytes; returns how many went."""
    begin_write()
    now = now or utcnow()
    expired = select(Upload.id).where(Upload.expires_at <= now)
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id.in_(expired)))
    gone = db.session.execute(delete(Upload).where(Upload.expires_at <= now)).rowcount or 0
    if gone:
        log.info("deleted %d expired upload(s)", gone)
    return gone


def create_upload(length: int, filetype: str | None = None) -> tuple[str, Upload]:
    """A new, empty upload of `length` bytes (expired ones are deleted first); returns its
    id (the capability, given once) and its row. UploadsFull when the unexpired uploads
    already reserve UPLOAD_STAGED_BYTES between them."""
    if length < 1:
        raise InvalidInput("empty upload")
    begin_write()
    purge_expired()
    reserved = db.session.scalar(select(func.coalesce(func.sum(Upload.length), 0))) or 0
    if reserved + length > int(current_app.config["UPLOAD_STAGED_BYTES"]):
        log.warning("upload refused: %d bytes already reserved", reserved)
        raise UploadsFull("staging full")
    upload_id = new_receipt_token()
    now = utcnow()
    upload = Upload(
        token_hash=token_hash(upload_id),
        length=length,
        offset=0,
        filetype=filetype,
        created_at=now,
        expires_at=now + _expiry(),
    )
    db.session.add(upload)
    db.session.flush()
    log.info("upload started: %d bytes", length)
    return upload_id, upload


def append(upload_id: str, offset: int, data: bytes) -> Upload:
    """Add `data` at `offset` (which must be where the upload stands: NotAllowed if not),
    never past its length (InvalidInput); its expiry starts again. NotFound (UploadMissing)
    for an unknown or expired id."""
    begin_write()
    upload = (
        db.session.scalar(select(Upload).where(_where(upload_id)).with_for_update())
        if _usable(upload_id)
        else None
    )
    if upload is None:
        raise UploadMissing("unknown or expired upload")
    if offset != upload.offset:
        raise NotAllowed("offset")
    if offset + len(data) > upload.length:
        raise InvalidInput("past the upload's length")
    if data:
        db.session.add(UploadPart(upload_id=upload.id, offset=offset, data=data))
        upload.offset = offset + len(data)
        upload.expires_at = utcnow() + _expiry()
        db.session.flush()
        if upload.complete:
            log.info("upload complete: %d bytes", upload.length)
    return upload


def terminate(upload_id: str) -> None:
    """Delete an upload at its client's request (tus termination); UploadMissing if none."""
    if not drop_upload(upload_id):
        raise UploadMissing("unknown or expired upload")


def drop_upload(upload_id: str | None) -> bool:
    """Delete an upload and its bytes (a work made from it was accepted, or its image
    refused); whether there was one. Part of the caller's transaction."""
    if not _usable(upload_id):
        return False
    begin_write()
    hashed = token_hash(upload_id)  # type: ignore[arg-type]
    ids = select(Upload.id).where(Upload.token_hash == hashed)
    db.session.execute(delete(UploadPart).where(UploadPart.upload_id.in_(ids)))
    return bool(db.session.execute(delete(Upload).where(Upload.token_hash == hashed)).rowcount)


def stash_upload(data: bytes, filetype: str | None = None) -> str:
    """Keep a whole file, sent the plain way with a form that came back with a mistake, as
    a complete upload (for UPLOAD_EXPIRY_SECONDS); returns its id."""
    upload_id, upload = create_upload(len(data), filetype)
    for start in range(0, len(data), BLOCK_BYTES):
        append(upload_id, start, data[start : start + BLOCK_BYTES])
    log.info("kept an image of %d bytes for the form's next attempt", len(data))
    return upload_id
