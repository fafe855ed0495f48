"""Reads for the moderation pages: each page runs a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import selectinload

from ..core.paging import Cursor
from ..core.text import is_slug
from ..extensions import db
from ..models import (
    Campaign,
    ModerationEvent,
    Moderator,
    Prisoner,
    Report,
    UTCDateTime,
    Work,
    WorkStatus,
    WorkText,
    actions,
    by_name,
    utcnow,
    with_names,
)
from ..verbs import letters

# Two pictures whose 64-bit perceptual hashes (Work.phash) differ in at most this many bits
# look alike. Measured (README, "Near-duplicates"; tests/app/test_duplicates.py keeps it true):
# copies re-encoded, resized, recoloured or cropped by 1.5 % a side differ in 0 to 8 bits,
# cropped by 3 % on one side in up to 12; unrelated pictures, two flat posters too, in 22
# or more (32 on average).
LOOKALIKE_BITS = 14
LOOKALIKES_SHOWN = 3  # per work, the closest first


@dataclass(frozen=True)
class Lookalike:
    """An earlier work whose picture is close to one under review (moderators only)."""

    work_id: int
    status: WorkStatus
    when: datetime | None  # published (approved), decided (rejected, withdrawn), or None
    distance: int  # differing bits of 64


@dataclass
class QueuePage:
    works: list[Work]
    next_cursor: str | None
    total: int
    takedowns: dict[int, ModerationEvent] = field(default_factory=dict)
    lookalikes: dict[int, list[Lookalike]] = field(default_factory=dict)


def pending_count(campaign_id: int | None = None) -> int:
    """How many works wait for review (one COUNT on the status index), of one campaign
    when given."""
    stmt = select(func.count()).select_from(Work).where(Work.status == WorkStatus.PENDING)
    if campaign_id is not None:
        stmt = stmt.where(Work.campaign_id == campaign_id)
    return db.session.scalar(stmt) or 0


def _with_review_data(stmt):  # type: ignore[no-untyped-def]
    return stmt.options(
        with_names(Work.prisoners), selectinload(Work.tags), selectinload(Work.campaign)
    )


def queue_page(
    after: Cursor | None = None, per_page: int = 20, campaign_id: int | None = None
) -> QueuePage:
    """Pending works, oldest first, by keyset on (submitted_at, id); those sent for one
    campaign (its call, or the campaign chosen on the general form) when given."""
    stmt = _with_review_data(select(Work).where(Work.status == WorkStatus.PENDING))
    if campaign_id is not None:
        stmt = stmt.where(Work.campaign_id == campaign_id)
    if after is not None:
        stmt = stmt.where(
            or_(
                Work.submitted_at > after.moment,
                and_(Work.submitted_at == after.moment, Work.id > after.row_id),
            )
        )
    stmt = stmt.order_by(Work.submitted_at.asc(), Work.id.asc()).limit(per_page + 1)
    rows = list(db.session.scalars(stmt))
    works = rows[:per_page]
    last = works[-1] if len(rows) > per_page else None
    next_cursor = Cursor(last.submitted_at, last.id).encode() if last else None
    return QueuePage(
        works,
        next_cursor,
        pending_count(campaign_id),
        takedowns([w.id for w in works]),
        lookalikes(works),
    )


def lookalikes(works: Sequence[Work], limit: int = LOOKALIKES_SHOWN) -> dict[int, list[Lookalike]]:
    """For each of these works, the earlier works (any status; never the work itself) whose
    picture is within LOOKALIKE_BITS of its own, closest first, then the newest.

    One query reads every candidate's id, hash, status and dates; the Hamming distances
    are counted here (10,000 works: see the README)."""
    hashed = {w.id: int(w.phash, 16) for w in works if w.phash}
    if not hashed:
        return {}
    # The date the hint names: published (approved), decided (rejected, withdrawn), none
    # (pending: new, or unpublished and back in the queue). One column, NULL for most.
    when = case(
        (Work.status == WorkStatus.APPROVED, func.coalesce(Work.published_at, Work.decided_at)),
        (Work.status.in_((WorkStatus.REJECTED, WorkStatus.WITHDRAWN)), Work.decided_at),
        else_=None,
    )
    rows = db.session.execute(
        select(
            Work.id, Work.phash, type_coerce(Work.status, String), type_coerce(when, UTCDateTime)
        ).where(Work.phash.is_not(None), Work.id < max(hashed))
    ).all()
    candidates = [(other_id, int(phash, 16)) for other_id, phash, _status, _when in rows]
    facts = {other_id: (status, moment) for other_id, _phash, status, moment in rows}
    found: dict[int, list[Lookalike]] = {}
    for work_id, mine in hashed.items():
        near = sorted(
            (distance, -other_id)
            for other_id, theirs in candidates
            if other_id < work_id and (distance := (mine ^ theirs).bit_count()) <= LOOKALIKE_BITS
        )[:limit]
        if near:
            found[work_id] = [
                Lookalike(-neg_id, WorkStatus(facts[-neg_id][0]), facts[-neg_id][1], distance)
                for distance, neg_id in near
            ]
    return found


def takedowns(work_ids: list[int]) -> dict[int, ModerationEvent]:
    """The latest unpublish event of each of these works (those back in the queue)."""
    if not work_ids:
        return {}
    stmt = (
        select(ModerationEvent)
        .where(
            ModerationEvent.work_id.in_(work_ids),
            ModerationEvent.action.in_(actions.TAKEDOWNS),
        )
        .order_by(ModerationEvent.id)
    )
    return {e.work_id: e for e in db.session.scalars(stmt) if e.work_id is not None}


def work_for_review(work_id: int) -> Work | None:
    """Any work with what the review page shows."""
    stmt = _with_review_data(select(Work).where(Work.id == work_id)).options(
        selectinload(Work.reports)
    )
    return db.session.scalar(stmt)


def history(work_id: int) -> list[ModerationEvent]:
    """Every event about one work, oldest first."""
    stmt = (
        select(ModerationEvent)
        .where(ModerationEvent.work_id == work_id)
        .options(selectinload(ModerationEvent.moderator))
        .order_by(ModerationEvent.id)
    )
    return list(db.session.scalars(stmt))


def published(page: int, per_page: int = 30):  # type: ignore[no-untyped-def]
    """Approved works (hidden ones too), newest first."""
    stmt = (
        select(Work)
        .where(Work.status == WorkStatus.APPROVED)
        .order_by(Work.published_at.desc(), Work.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def open_report_count() -> int:
    """How many reports no moderator has handled yet (shown in the moderation menu)."""
    stmt = select(func.count(Report.id)).where(Report.handled_at.is_(None))
    return db.session.scalar(stmt) or 0


def open_reports() -> list[Report]:
    """Reports no moderator has handled yet, oldest first, with their works."""
    stmt = (
        select(Report)
        .where(Report.handled_at.is_(None))
        .options(selectinload(Report.work))
        .order_by(Report.created_at, Report.id)
    )
    return list(db.session.scalars(stmt))


def handled_reports(limit: int = 30) -> list[Report]:
    """The most recently handled reports."""
    stmt = (
        select(Report)
        .where(Report.handled_at.is_not(None))
        .options(selectinload(Report.work), selectinload(Report.handled_by))
        .order_by(Report.handled_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def audit_page(
    before: Cursor | None = None, per_page: int = 50
) -> tuple[list[ModerationEvent], str | None]:
    """Events newest first, by keyset on (at, id); returns them and the next cursor."""
    stmt = select(ModerationEvent).options(
        selectinload(ModerationEvent.moderator), selectinload(ModerationEvent.work)
    )
    if before is not None:
        stmt = stmt.where(
            or_(
                ModerationEvent.at < before.moment,
                and_(ModerationEvent.at == before.moment, ModerationEvent.id < before.row_id),
            )
        )
    stmt = stmt.order_by(ModerationEvent.at.desc(), ModerationEvent.id.desc())
    rows = list(db.session.scalars(stmt.limit(per_page + 1)))
    events = rows[:per_page]
    last = events[-1] if len(rows) > per_page else None
    return events, (Cursor(last.at, last.id).encode() if last else None)


def moderators() -> list[Moderator]:
    """Every account, admins first."""
    return list(db.session.scalars(select(Moderator).order_by(Moderator.role, Moderator.username)))


def campaigns() -> list[Campaign]:
    """Every campaign, the most recent first, with its translations."""
    stmt = (
        select(Campaign)
        .options(selectinload(Campaign.translations))
        .order_by(Campaign.held_on.desc().nulls_last(), Campaign.title)
    )
    return list(db.session.scalars(stmt))


def prisoners(locale: str) -> list[Prisoner]:
    """Every prisoner by their name as readers of `locale` see it, with the languages its
    texts are written in."""
    return by_name(
        db.session.scalars(select(Prisoner).options(selectinload(Prisoner.stories))), locale
    )


def prisoner_for_edit(prisoner_id: int) -> Prisoner | None:
    """A prisoner with stories and sources."""
    stmt = (
        select(Prisoner)
        .where(Prisoner.id == prisoner_id)
        .options(selectinload(Prisoner.stories), selectinload(Prisoner.sources))
    )
    return db.session.scalar(stmt)


def works_to_translate(languages: tuple[str, ...], limit: int = 60) -> list[Work]:
    """Published, visible works written in fewer than all of `languages` (their own and
    their other texts' rows), newest first."""
    written = (
        select(func.count(WorkText.id))
        .where(WorkText.work_id == Work.id, WorkText.locale.in_(languages))
        .scalar_subquery()
    )
    own = case((Work.text_locale.in_(languages), 1), else_=0)
    stmt = (
        select(Work)
        .where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        .where(written + own < len(languages))
        .order_by(Work.published_at.desc(), Work.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def campaign_by_slug(slug: str) -> Campaign | None:
    """A campaign by its slug (None for an unknown or malformed one)."""
    if not is_slug(slug):
        return None
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def campaign_for_edit(campaign_id: int) -> Campaign | None:
    """A campaign with prisoners and sources."""
    stmt = (
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(
            selectinload(Campaign.prisoners),
            selectinload(Campaign.sources),
            selectinload(Campaign.translations),
        )
    )
    return db.session.scalar(stmt)


# ---- the dashboard (issue 25): the queue's health beside the impact figures ----

DECISION_WINDOW_DAYS = 30


def pending_letters() -> int:
    """How many letters wait at the letter desk for a volunteer."""
    return letters.pending_count()


def median_decision_time(now: datetime | None = None) -> timedelta | None:
    """The median time from submission to decision of the works decided in the last
    DECISION_WINDOW_DAYS days (demo works left out: they are loaded decided); None when
    there is none. One statement; the times are sorted here (a month's decisions)."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Work.submitted_at, Work.decided_at).where(
            Work.decided_at.is_not(None),
            Work.decided_at >= now - timedelta(days=DECISION_WINDOW_DAYS),
            Work.is_demo.is_(False),
        )
    )
    waits = sorted(decided - submitted for submitted, decided in rows)
    if not waits:
        return None
    middle = len(waits) // 2
    if len(waits) % 2:
        return waits[middle]
    return (waits[middle - 1] + waits[middle]) / 2
