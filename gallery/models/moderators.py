"""Moderators, their roles, and the append-only log of what they did."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, _enum, utcnow


class Role(enum.StrEnum):
    MODERATOR = "moderator"
    ADMIN = "admin"
    VOLUNTEER = "volunteer"  # the letter desk only (moderation/blueprint.py)


class Moderator(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.MODERATOR)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout and password change: sessions carrying an older value are refused.
    session_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Alert mail (verbs/digest.py): the address sealed (core/secretbox), and the opt-in.
    # Both are needed: counts of what waits, never a title or an image.
    alert_email_sealed: Mapped[str | None] = mapped_column(Text)
    alerts: Mapped[bool] = mapped_column(default=False)

    decisions: Mapped[list[Work]] = relationship(back_populates="decided_by")
    events: Mapped[list[ModerationEvent]] = relationship(back_populates="moderator")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        """True for admins, who also manage moderators."""
        return self.role == Role.ADMIN

    @property
    def is_volunteer(self) -> bool:
        """True for volunteers, who see only the letter desk."""
        return self.role == Role.VOLUNTEER

    def __repr__(self) -> str:
        return f"<Moderator {self.username} {self.role}>"


class ModerationEvent(db.Model):
    """Append-only audit log: who did what, when and why."""

    __table_args__ = (Index("ix_moderation_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderator.id", ondelete="SET NULL"), index=True
    )
    work_id: Mapped[int | None] = mapped_column(
        ForeignKey("work.id", ondelete="SET NULL"), index=True
    )
    # A letter's events (translated, approved, refused, sent) name it; a letter its writer
    # withdrew is deleted, and its events keep only what they say.
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    moderator: Mapped[Moderator | None] = relationship(back_populates="events")
    work: Mapped[Work | None] = relationship()

    def __repr__(self) -> str:
        return f"<ModerationEvent {self.action} at {self.at:%Y-%m-%d %H:%M}>"
