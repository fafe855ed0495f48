"""What the ActivityPub addresses show: the outbox (the Creates already sent, newest
first, by pages), the followers' count (never who), a work's Note once announced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Announcement, Follower, Work, WorkStatus
from . import documents
from .actors import Actor

PER_PAGE = 20


def _announced():
    return (
        select(Work)
        .join(Announcement, Announcement.work_id == Work.id)
        .where(
            Announcement.sent_at.is_not(None),
            Work.status == WorkStatus.APPROVED,
            Work.hidden.is_(False),
        )
    )


def _of(topic: Actor | None):
    """The announced works of an actor: all for the gallery's, its own for a prisoner's or
    a campaign's."""
    stmt = _announced()
    if topic is not None and topic.prisoner is not None:
        stmt = stmt.where(Work.prisoners.any(id=topic.prisoner.id))
    elif topic is not None and topic.campaign is not None:
        stmt = stmt.where(Work.campaign_id == topic.campaign.id)
    return stmt


def announced_count(topic: Actor | None = None) -> int:
    stmt = select(func.count()).select_from(_of(topic).subquery())
    return int(db.session.scalar(stmt) or 0)


def outbox_page(
    name: str, page: int, topic: Actor | None = None, author: str | None = None
) -> list[dict[str, Any]]:
    """The Creates on page `page` (from 1), newest first; for a prisoner's or a campaign's
    actor (`topic`), its Announces of the Notes of `author` (the gallery's actor)."""
    works = db.session.scalars(
        _of(topic)
        .options(selectinload(Work.prisoners))
        .order_by(Work.published_at.desc(), Work.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    if topic is not None and topic.kind is not None and author is not None:
        return [documents.announce(work, name, author) for work in works]
    return [documents.create(work, name) for work in works]


def follower_count(name: str) -> int:
    return int(
        db.session.scalar(select(func.count(Follower.id)).where(Follower.actor == name)) or 0
    )


def announced_note(public_id: str, name: str) -> dict[str, Any] | None:
    """A published work's Note once its Create was sent (before that, and after a takedown,
    None: a work in its delay is not offered to other servers)."""
    work = db.session.scalar(_announced().where(Work.public_id == public_id))
    if work is None:
        return None
    return {"@context": documents.CONTEXT, **documents.note(work, name)}
