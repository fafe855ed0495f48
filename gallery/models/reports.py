"""Visitors' reports about public works, for the moderators."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, _enum, utcnow


class ReportCategory(enum.StrEnum):
    UNRELATED = "unrelated"
    PERSON_AT_RISK = "person-at-risk"
    COPYRIGHT = "copyright"
    OFFENSIVE = "offensive"
    OTHER = "other"


class Report(db.Model):
    """A visitor's report about a public work, for the moderators."""

    __table_args__ = (Index("ix_report_open", "handled_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work.id", ondelete="CASCADE"), index=True)
    category: Mapped[ReportCategory] = mapped_column(_enum(ReportCategory))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(Text)

    work: Mapped[Work] = relationship(back_populates="reports")
    handled_by: Mapped[Moderator | None] = relationship()

    def __repr__(self) -> str:
        return f"<Report {self.category} on work {self.work_id}>"
