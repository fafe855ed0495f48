"""Visitors' reports on published works, and how moderators close them."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from .. import federation, search
from ..core.database import begin_write
from ..core.errors import NotFound
from ..extensions import db
from ..media import Store
from ..models import ModerationEvent, Report, ReportCategory, WorkStatus, actions, utcnow
from . import NotAllowed, audit, digest
from .common import locked_work, new_media_address, require_reason
from .decisions import reject
from .unpublishing import unpublish

REPORT_ACTIONS = ("dismiss", "unpublish", "reject")
log = logging.getLogger(__name__)


def file_report(
    store: Store,
    work_id: int,
    category: ReportCategory,
    text: str | None,
    hides_per_hour: int | None = None,
) -> Report:
    """A visitor's report; "identifies a person at risk" hides the work at once, and gives
    its files a new address (caches that kept the old one get 404 from the app).

    At most `hides_per_hour` works are hidden that way in any hour, for the whole site
    (None: no budget): past it the report is kept and waits, with the work still up, for a
    moderator, who sees it counted in the moderation menu."""
    begin_write()
    work = locked_work(work_id)
    if work.status != WorkStatus.APPROVED:
        raise NotAllowed("not-public")
    report = Report(work_id=work.id, category=category, text=(text or "").strip() or None)
    db.session.add(report)
    if (
        category == ReportCategory.PERSON_AT_RISK
        and not work.hidden
        and not _hides_spent(hides_per_hour)
    ):
        work.hidden = True
        federation.retract(work)
        new_media_address(store, work)
        search.drop_work(work.id)
        audit.record(
            actions.AUTO_HIDE,
            work_id=work.id,
            subject=work.title,
            reason="a visitor reported that the work identifies a person at risk",
        )
    db.session.flush()
    if category == ReportCategory.PERSON_AT_RISK:
        # Moderators who opted in hear of it at once (counts only, sent after the commit).
        digest.alert_moderators(at_risk_now=True)
    return report


def handle_report(
    store: Store, report_id: int, moderator_id: int, action: str, note: str | None
) -> Report:
    """Close a report: keep the work (unhiding it), unpublish it, or reject it.

    Unpublishing or rejecting closes every open report on that work, since the work
    has left the gallery."""
    if action not in REPORT_ACTIONS:
        raise NotAllowed("action")
    if action != "dismiss":
        note = require_reason(note)
    begin_write()
    report = db.session.get(Report, report_id, with_for_update=True)
    if report is None:
        raise NotFound("no such report")
    if report.handled_at is not None:
        raise NotAllowed("handled")
    work = locked_work(report.work_id)
    if action == "dismiss":
        audit.record(
            actions.REPORT_DISMISS,
            moderator_id=moderator_id,
            work_id=work.id,
            subject=f"{report.category.value}: {work.title}",
            reason=note,
        )
        closing = [report]
    elif action == "unpublish":
        unpublish(store, work, moderator_id, note or "", actions.REPORT_UNPUBLISH)
        closing = [r for r in work.reports if r.handled_at is None]
    else:
        reject(store, work, moderator_id, note or "", actions.REPORT_REJECT)
        closing = [r for r in work.reports if r.handled_at is None]
    now = utcnow()
    for r in closing:
        r.handled_at, r.handled_by_id, r.resolution = (
            now,
            moderator_id,
            f"{action}: {note or ''}".strip(),
        )
    db.session.flush()
    if action == "dismiss" and work.hidden and not _open_at_risk(work.id):
        work.hidden = False
        search.index_work(work)  # visible again
        federation.schedule(work)  # announced after the delay, as a newly published work
    db.session.flush()
    return report


def _hides_spent(hides_per_hour: int | None) -> bool:
    """Whether the site's budget of auto-hides for the last hour is used up (then say so in
    the log, for the operator)."""
    if hides_per_hour is None:
        return False
    since = utcnow() - timedelta(hours=1)
    stmt = select(func.count(ModerationEvent.id)).where(
        ModerationEvent.action == actions.AUTO_HIDE, ModerationEvent.at >= since
    )
    if (db.session.scalar(stmt) or 0) < hides_per_hour:
        return False
    log.warning(
        "person-at-risk report kept without hiding the work: %s auto-hides in the "
        "last hour (AUTO_HIDES_PER_HOUR); it waits for a moderator",
        hides_per_hour,
    )
    return True


def _open_at_risk(work_id: int) -> bool:
    stmt = select(Report.id).where(
        Report.work_id == work_id,
        Report.handled_at.is_(None),
        Report.category == ReportCategory.PERSON_AT_RISK,
    )
    return db.session.scalar(stmt.limit(1)) is not None


def dismiss_wave(store: Store, moderator_id: int, hours: int, note: str | None) -> int:
    """Dismiss every open report received in the last `hours` (a wave of false reports):
    each is closed and audited as a single dismissal would be, and its work is visible
    again unless another open report still says it puts someone at risk.  Returns how
    many were dismissed."""
    begin_write()
    since = utcnow() - timedelta(hours=hours)
    stmt = select(Report.id).where(Report.handled_at.is_(None), Report.created_at >= since)
    ids = list(db.session.scalars(stmt.order_by(Report.id)))
    for report_id in ids:
        handle_report(store, report_id, moderator_id, "dismiss", note)
    return len(ids)
