"""Resumable uploads (tus 1.0, public/uploads.py) staged in the database until the
submission form takes them: any host behind a load balancer can take the next chunk, and
no shared disk is needed.

The id a client holds is a random capability (core/tokens.new_receipt_token: 256 bits);
the row keeps only its SHA-256, so a copy of the database opens no upload. Nothing names
the file: Upload-Metadata is read for an image/* `filetype` alone. The bytes arrive as
parts, each the slice of the file that starts at its `offset`, in order; a row past
`expires_at` is never served and goes with the next creation or `flask purge`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Upload(db.Model):
    __table_args__ = (Index("ix_upload_expires", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The client's id (the capability in /uploads/<id>), as its SHA-256: never in clear.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    length: Mapped[int] = mapped_column(BigInteger)  # Upload-Length, in bytes
    offset: Mapped[int] = mapped_column(BigInteger, default=0)  # bytes received so far
    filetype: Mapped[str | None] = mapped_column(String(100))  # an image/* type, or none
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    parts: Mapped[list[UploadPart]] = relationship(
        back_populates="upload",
        order_by="UploadPart.offset",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def complete(self) -> bool:
        return self.offset >= self.length

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.offset}/{self.length}>"


class UploadPart(db.Model):
    """A slice of an upload's bytes: those from `offset` on, as one PATCH (or one block of
    it) brought them."""

    upload_id: Mapped[int] = mapped_column(
        ForeignKey("upload.id", ondelete="CASCADE"), primary_key=True
    )
    offset: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    upload: Mapped[Upload] = relationship(back_populates="parts")

    def __repr__(self) -> str:
        return f"<UploadPart {self.upload_id}@{self.offset}>"
