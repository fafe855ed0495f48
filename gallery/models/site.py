"""The installation's own rows: mail waiting to be sent, and small site settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class Queued:
    """The columns of a row waiting to be delivered (core/courier.py claims, sends and
    records them): what it is, its payload, the work it is about, and its attempts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("work.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutgoingMail(Queued, db.Model):
    """A message to an artist, written in the same transaction as the decision it tells
    of and sent after the commit; the row goes once the message is delivered (or given up).

    payload is encrypted (address, receipt link and language), so a copy of the database
    without the app's secret says nothing of whom the gallery writes to."""

    __table_args__ = (Index("ix_outgoing_mail_due", "next_attempt_at"),)

    # kind: approved, rejected, unpublished, letter-sent, digest... (mail/base.py KINDS)

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.kind} for work {self.work_id}>"


class SiteSetting(db.Model):
    """Small key-value facts about this installation (e.g. that demo content was removed)."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<SiteSetting {self.key}>"
