"""Impact counted without tracking (issue 25): one row per day, kind of action and subject,
holding how many times it happened, and nothing about who did it.

There is no per-visitor column on purpose: no address, hash, cookie, user agent or session;
a test reads the schema and fails if one appears. The subject is named by plain ids, 0 for
"none" (not NULL), so that the primary key over (day, kind, work_id, prisoner_id,
campaign_id) is what an upsert (INSERT .. ON CONFLICT) finds on SQLite and PostgreSQL alike.
There are no foreign keys: a count outlives a work taken down or a profile removed, and
the pages join only the rows that are still public."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# The kinds of action counted, as stored.
POSTCARD = "postcard"  # a postcard PDF or JPEG served, or a campaign's table sheet
POSTER = "poster"  # a poster, a campaign's posters or labels, a prisoner's flyer
LETTER_WRITTEN = "letter-written"  # the letter desk (recorded by the letter verbs)
LETTER_APPROVED = "letter-approved"
LETTER_SENT = "letter-sent"
HOW_TO_WRITE = "how-to-write"  # the "how to write" guidance opened
SLIDESHOW = "slideshow"  # a slideshow started (its first page, not each slide)
QR = "qr"  # a page opened from a QR code the gallery printed (?src=qr)

KINDS: tuple[str, ...] = (
    POSTCARD,
    POSTER,
    LETTER_WRITTEN,
    LETTER_APPROVED,
    LETTER_SENT,
    HOW_TO_WRITE,
    SLIDESHOW,
    QR,
)
NONE = 0  # "no work", "no prisoner", "no campaign" in a row's ids
QR_QUERY = "src=qr"  # what every QR code the gallery prints adds to its address


def qr_address(url: str) -> str:
    """The address a printed QR code holds: the page's, with ?src=qr, so a visit from it is
    counted (web/counting.py) without a cookie or anything about the phone."""
    parts = urlsplit(url)
    query = f"{parts.query}&{QR_QUERY}" if parts.query else QR_QUERY
    return urlunsplit(parts._replace(query=query))


class ImpactCount(db.Model):
    """How many times `kind` happened on `day` (UTC) for this work, prisoner and campaign."""

    __tablename__ = "impact_count"
    __table_args__ = (
        Index("ix_impact_count_prisoner", "prisoner_id", "day"),
        Index("ix_impact_count_campaign", "campaign_id", "day"),
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    work_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=NONE)
    prisoner_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=NONE)
    campaign_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=NONE)
    count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ImpactCount {self.day} {self.kind} {self.count}>"
