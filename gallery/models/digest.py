"""Readers' subscriptions to the e-mail digest (double opt-in), in their language.

The address is sealed (core/secretbox.py, a purpose of its own) together with the private
token of the confirm and unsubscribe links; a copy of the database alone holds neither.
`address_hash` (core/tokens.keyed_hash of the address and the scope) keeps one row per
address and scope without storing the address; `token_hash` (SHA-256) finds the row a
link opens. An unconfirmed row is deleted after DIGEST_CONFIRM_DAYS; unsubscribing deletes
the row, and the address with it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, _enum, utcnow


class DigestScope(enum.StrEnum):
    EVERYTHING = "all"
    PRISONER = "prisoner"
    CAMPAIGN = "campaign"


class Subscription(db.Model):
    __table_args__ = (Index("ix_subscription_confirmed", "confirmed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # keyed_hash(address + scope): the same sign-up is stored once; no address in clear.
    address_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The private link's token, as its SHA-256 (core/tokens.token_hash).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # {"to": address, "token": private token}, sealed.
    email_sealed: Mapped[str] = mapped_column(Text)
    scope: Mapped[DigestScope] = mapped_column(_enum(DigestScope), default=DigestScope.EVERYTHING)
    prisoner_id: Mapped[int | None] = mapped_column(
        ForeignKey("prisoner.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    # The language of the page the reader signed up on: every mail speaks it.
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the last confirmation mail was queued (a repeat sign-up re-sends it, not too often).
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The digest tells what is new since then (or since the confirmation).
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    prisoner: Mapped[Prisoner | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    def __repr__(self) -> str:
        return f"<Subscription {self.id} {self.scope}>"
