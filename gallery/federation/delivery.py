"""Delivery after the commit, modelled on mail's (mail/delivery.py): first the Creates that
fell due are fanned out (one row per follower inbox, if the work is still public; a work
taken down meanwhile loses its announcement and nothing goes), then the rows that are due
are claimed (attempts + 1 and a lease, in one short transaction only one sender can win),
POSTed signed, and deleted once delivered or given up, else retried later. A background
Courier thread per app runs after a commit that queued something; `flask --app gallery
federate` does the same from cron (the delayed Creates need it: nothing else wakes up when
they fall due)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from ..core.courier import Courier, claim, courier_of, record, renew
from ..core.database import begin_write
from ..extensions import db
from ..models import Announcement, OutgoingActivity, Work, utcnow
from . import documents
from .base import ACTIVITY_JSON, COURIER, actor_name, enabled
from .keys import actor_key
from .net import Refused, request
from .outbox import announce
from .signatures import signed_headers

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=10)
BATCH = 20


@dataclass
class Delivery:
    """What one run did."""

    announced: int = 0
    dropped: int = 0  # announcements of works no longer public: nothing sent
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    actor: str
    inbox: str
    payload: str
    attempts: int


def deliver_due(now: datetime | None = None) -> Delivery:
    """Announce the works that are due, then send every activity that is due (in an app
    context; commits its own short transactions). Nothing when FEDERATION is off."""
    done = Delivery()
    if not enabled():
        return done
    _announce_due(now or utcnow(), done)
    while True:
        moment = now or utcnow()
        claimed = _claim(moment)
        if not claimed:
            return done
        _record(_send(claimed), moment, done)


def _announce_due(now: datetime, done: Delivery) -> None:
    begin_write()
    rows = db.session.scalars(
        select(Announcement)
        .where(Announcement.sent_at.is_(None), Announcement.due_at <= now)
        .order_by(Announcement.due_at)
        .limit(BATCH * 5)
    ).all()
    for row in rows:
        work = db.session.get(Work, row.work_id)
        if work is None or not documents.is_public(work):
            db.session.delete(row)  # taken down (or undone) before it was due
            done.dropped += 1
            continue
        announce(work)
        row.sent_at = now
        done.announced += 1
        log.info("announced work %s", work.id)
    db.session.commit()


def _claim(now: datetime) -> list[_Claimed]:
    columns = (
        OutgoingActivity.id,
        OutgoingActivity.kind,
        OutgoingActivity.actor,
        OutgoingActivity.inbox,
        OutgoingActivity.payload,
        OutgoingActivity.attempts,
    )
    return [
        _Claimed(*row) for row in claim(OutgoingActivity, columns, now, batch=BATCH, lease=LEASE)
    ]


def _send(claimed: list[_Claimed]) -> dict[int, tuple[_Claimed, str | None, bool]]:
    """{row id: (row, None when delivered or why not, whether to give up now)}."""
    outcome: dict[int, tuple[_Claimed, str | None, bool]] = {}
    keys: dict[str, tuple[str, str | None]] = {}
    for row in claimed:
        try:
            if row.actor not in keys:
                # Every actor signs with the gallery actor's key (actors.py), under its own id.
                keys[row.actor] = (
                    documents.key_id(row.actor),
                    actor_key(actor_name()).private_pem,
                )
            key_id, private_pem = keys[row.actor]
            if private_pem is None:
                raise Refused("the actor's key cannot be opened")
            body = row.payload.encode()
            headers = signed_headers(key_id, private_pem, "POST", row.inbox, body)
            headers["Content-Type"] = ACTIVITY_JSON
            answer = request("POST", row.inbox, headers, body, limit=64 * 1024)
        except Refused as exc:
            outcome[row.id] = (row, f"refused ({exc})", True)
        except OSError as exc:
            outcome[row.id] = (row, type(exc).__name__, False)
        except Exception as exc:  # noqa: BLE001 - counted as an attempt like any failure
            outcome[row.id] = (row, type(exc).__name__, False)
        else:
            if 200 <= answer.status < 300:
                outcome[row.id] = (row, None, False)
            else:
                # 4xx other than 408/429: that server will not take it; others: later.
                permanent = 400 <= answer.status < 500 and answer.status not in (408, 429)
                outcome[row.id] = (row, f"HTTP {answer.status}", permanent)
    return outcome


def _record(
    outcome: dict[int, tuple[_Claimed, str | None, bool]], now: datetime, done: Delivery
) -> None:
    record(
        OutgoingActivity,
        outcome,
        now,
        done,
        retry_delays=RETRY_DELAYS,
        describe=lambda row: f"a {row.kind} (row {row.id})",
    )


def courier(app: Flask) -> Courier:
    """The app's courier, made once (core/courier.py)."""
    return courier_of(app, COURIER, deliver_due, "gallery-fed")


def after_fork(app: Flask) -> None:
    """A forked worker gets a courier of its own."""
    renew(app, COURIER, deliver_due, "gallery-fed")
