"""Letters that visitors write to a prisoner, read and translated by volunteers before they
are posted in batches, then kept in an archive for after his release.

Everything a letter says is sealed (core/secretbox.py, a key derived from SECRET_KEY with a
purpose of its own): the text as written, the signature, the Russian translation and the
writer's e-mail address. A copy of the database alone then holds no letter and no address.
The address goes when the letter is sent, or after LETTER_EMAIL_DAYS; a letter withdrawn
before sending is deleted, row and all."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, _enum, utcnow


class LetterStatus(enum.StrEnum):
    PENDING = "pending"  # written, waiting for a volunteer
    APPROVED = "approved"  # read, translated, checked: in the next batch
    REFUSED = "refused"  # not to be sent; the writer reads why
    SENT = "sent"  # posted with a batch; kept in the archive


class Letter(db.Model):
    __table_args__ = (
        Index("ix_letter_desk", "status", "created_at"),
        Index("ix_letter_sent", "prisoner_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prisoner_id: Mapped[int] = mapped_column(
        ForeignKey("prisoner.id", ondelete="CASCADE"), index=True
    )
    # The postcard-safe work chosen for the card's front, if any.
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="SET NULL"))
    status: Mapped[LetterStatus] = mapped_column(_enum(LetterStatus), default=LetterStatus.PENDING)
    # The private link's token, as its SHA-256 (core/tokens.token_hash).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The language of the writer's pages: their status page and e-mail speak it.
    locale: Mapped[str] = mapped_column(String(16))
    body_sealed: Mapped[str] = mapped_column(Text)
    signature_sealed: Mapped[str] = mapped_column(Text)
    translation_sealed: Mapped[str | None] = mapped_column(Text)
    email_sealed: Mapped[str | None] = mapped_column(Text)
    # A preset refusal (labels.LETTER_REFUSALS) by its key, so the writer reads it in their
    # language, and the volunteer's own words beside it.
    refusal_preset: Mapped[str | None] = mapped_column(String(20))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    translated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    prisoner: Mapped[Prisoner] = relationship()
    work: Mapped[Work | None] = relationship()
    decided_by: Mapped[Moderator | None] = relationship()

    @property
    def open(self) -> bool:
        """Whether the writer may still withdraw it: not sent yet."""
        return self.status != LetterStatus.SENT

    def __repr__(self) -> str:
        return f"<Letter {self.id} {self.status}>"
