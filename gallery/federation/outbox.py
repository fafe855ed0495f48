"""What the verbs call, in their own transaction: a published work's Create is scheduled
(due FEDERATION_DELAY later, sent by the courier when due if the work is still public); a
work taken down loses its schedule, or, when its Create went out, gets a Delete to every
follower's inbox; a Follow gets its Accept. Nothing is queued when FEDERATION is off."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from ..core.database import after_commit
from ..extensions import db
from ..models import Announcement, Follower, OutgoingActivity, Work, utcnow
from . import actors, documents
from .base import COURIER, actor_name, enabled

log = logging.getLogger(__name__)


def _kick() -> None:
    """Wake the app's courier (delivery.Courier) once the transaction commits."""
    found = current_app.extensions.get(COURIER)
    if found is not None:
        after_commit(found.kick)


def schedule(work: Work) -> None:
    """A work just published: its Create is due FEDERATION_DELAY from now."""
    if not enabled():
        return
    due = utcnow() + timedelta(seconds=int(current_app.config["FEDERATION_DELAY"]))
    row = db.session.get(Announcement, work.id)
    if row is None:
        db.session.add(Announcement(work_id=work.id, due_at=due))
    else:
        row.due_at, row.sent_at = due, None
    _kick()


def retract(work: Work) -> None:
    """A work leaving the public pages (unpublished, rejected, hidden after a report, an
    approval undone): if its Create has not gone out, it never will; if it has, a Delete
    (Tombstone) goes to every follower. Best effort: copies other servers keep are theirs."""
    if not enabled():
        return
    row = db.session.get(Announcement, work.id)
    if row is None:
        return
    sent = row.sent_at is not None
    db.session.delete(row)
    # Its Creates and Updates still waiting (or waiting for a retry) never go; one a sender
    # holds right now may still land, and the Delete follows it.
    db.session.execute(
        delete(OutgoingActivity).where(
            OutgoingActivity.work_id == work.id,
            OutgoingActivity.kind.in_(("Create", "Update", "Announce")),
        )
    )
    if sent:
        name = actor_name()
        fan_out("Delete", name, documents.delete(work, name), work_id=work.id, to=_reached(work))
        log.info("queued the Delete of work %s", work.id)
    _kick()


def revise(work: Work) -> None:
    """A published work corrected (title, alt text): if its Create went out, an Update of
    its Note (with `updated` now: Mastodon applies an Update only when it is newer); if not,
    the Create, built when it is due, will carry the correction."""
    if not enabled():
        return
    row = db.session.get(Announcement, work.id)
    if row is None or row.sent_at is None:
        return
    name = actor_name()
    fan_out("Update", name, documents.update(work, name), work_id=work.id, to=_reached(work))
    _kick()


def inboxes(*names: str) -> list[str]:
    """Each (shared) inbox of the followers of the actors `names` once."""
    return sorted(set(db.session.scalars(select(Follower.inbox).where(Follower.actor.in_(names)))))


def _reached(work: Work) -> list[str]:
    """The inboxes of everyone the work's announcement reaches: the gallery's followers and
    those of its prisoners' and campaign's actors (a Delete or Update comes from the Note's
    author, the gallery, and must reach them all)."""
    return inboxes(actor_name(), *actors.of_work(work))


def announce(work: Work) -> None:
    """A work whose delay is over: the gallery's Create to its followers, then each topic
    actor's Announce (a boost) to the inboxes of its followers the Create or an earlier
    Announce did not reach already; so a follower of the gallery and of a prisoner gets the
    Create once, and a follower of a prisoner alone sees the boost in its home timeline."""
    name = actor_name()
    fan_out("Create", name, documents.create(work, name), work_id=work.id)
    reached = set(db.session.scalars(select(Follower.follower_id).where(Follower.actor == name)))
    for topic in actors.of_work(work):
        rows = db.session.execute(
            select(Follower.follower_id, Follower.inbox).where(Follower.actor == topic)
        ).all()
        fresh = [(follower, inbox) for follower, inbox in rows if follower not in reached]
        if fresh:
            fan_out(
                "Announce",
                topic,
                documents.announce(work, topic, name),
                work_id=work.id,
                to=sorted({inbox for _follower, inbox in fresh}),
            )
            reached.update(follower for follower, _inbox in fresh)


def fan_out(
    kind: str,
    name: str,
    activity: dict[str, Any],
    *,
    work_id: int | None,
    to: list[str] | None = None,
) -> int:
    """Queue `activity` of actor `name` once for each inbox of `to` (by default every
    inbox of its followers); how many rows."""
    payload = json.dumps(activity, ensure_ascii=False)
    targets = inboxes(name) if to is None else to
    for inbox in targets:
        db.session.add(
            OutgoingActivity(kind=kind, actor=name, inbox=inbox, payload=payload, work_id=work_id)
        )
    return len(targets)


def queue_accept(name: str, inbox: str, follow: dict[str, Any]) -> None:
    """The Accept of a Follow, to the follower's inbox."""
    payload = json.dumps(documents.accept(name, follow), ensure_ascii=False)
    db.session.add(OutgoingActivity(kind="Accept", actor=name, inbox=inbox, payload=payload))
    _kick()
