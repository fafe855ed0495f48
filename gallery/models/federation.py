"""Federation's rows (gallery/federation/): who follows the gallery's actor, when each
published work is announced, and the activities waiting to be delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .site import Queued


class Follower(db.Model):
    """A remote actor that follows one of the gallery's actors: its id and the inbox the
    gallery delivers to (its server's shared inbox when it has one). Never published: the
    followers collection shows the count alone."""

    __tablename__ = "fed_follower"
    __table_args__ = (UniqueConstraint("actor", "follower_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))  # our actor's name (FEDERATION_NAME)
    follower_id: Mapped[str] = mapped_column(String(2000))
    inbox: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Follower {self.id} of {self.actor}>"


class Announcement(db.Model):
    """A published work's Create: due `due_at` (FEDERATION_DELAY after publication), sent
    at `sent_at`. A work taken down before it is due loses its row, and nothing is sent;
    one taken down after gets a Delete."""

    __tablename__ = "fed_announcement"
    __table_args__ = (Index("ix_fed_announcement_due", "sent_at", "due_at"),)

    work_id: Mapped[int] = mapped_column(
        ForeignKey("work.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Announcement of work {self.work_id}>"


class OutgoingActivity(Queued, db.Model):
    """One activity (JSON) to POST, signed, to one inbox; claimed and retried as mail is
    (mail/delivery.py), and deleted once delivered or given up."""

    __tablename__ = "fed_outgoing"
    __table_args__ = (Index("ix_fed_outgoing_due", "next_attempt_at"),)

    # kind: Create, Delete, Accept, Update, Announce
    actor: Mapped[str] = mapped_column(String(64))
    inbox: Mapped[str] = mapped_column(String(2000))

    def __repr__(self) -> str:
        return f"<OutgoingActivity {self.kind} {self.id}>"
