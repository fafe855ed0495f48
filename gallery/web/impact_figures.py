"""Reads for the impact pages and the moderators' dashboard (issue 25), shared by both sides: the daily counts
summed by kind, by month over the last twelve months and by day over the last thirty.

A prisoner's figures are the rows that name them, and the rows about a work that stands
with them but names no prisoner (a poster of a work made for two prisoners counts for
each of them on their pages, once in the totals). A campaign's are the rows that name it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from ..extensions import db
from ..models import Campaign, ImpactCount, Prisoner, work_prisoners
from ..models.impact import KINDS, NONE

MONTHS = 12
DAYS = 30


@dataclass
class Figures:
    """What a page shows: totals by kind since counting began, this month's by kind, and
    the sum of every kind per month and per day (oldest first, empty ones included)."""

    totals: dict[str, int] = field(default_factory=dict)
    this_month: dict[str, int] = field(default_factory=dict)
    month: date = field(default_factory=lambda: today().replace(day=1))
    months: list[tuple[date, int]] = field(default_factory=list)
    days: list[tuple[date, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def today() -> date:
    """Counts are kept by UTC day (verbs/impact.py)."""
    return datetime.now(UTC).date()


def _month_starts(last: date, n: int) -> list[date]:
    starts = []
    year, month = last.year, last.month
    for _ in range(n):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def for_prisoner(prisoner_id: int) -> ColumnElement[bool]:
    works = select(work_prisoners.c.work_id).where(work_prisoners.c.prisoner_id == prisoner_id)
    return or_(
        ImpactCount.prisoner_id == prisoner_id,
        and_(ImpactCount.prisoner_id == NONE, ImpactCount.work_id.in_(works)),
    )


def for_campaign(campaign_id: int) -> ColumnElement[bool]:
    return ImpactCount.campaign_id == campaign_id


def figures(where: ColumnElement[bool] | None = None) -> Figures:
    """The figures of the rows `where` selects (all of them when None), in two queries."""
    where = true() if where is None else where
    now = today()
    found = Figures(month=now.replace(day=1))
    totals = db.session.execute(
        select(ImpactCount.kind, func.sum(ImpactCount.count))
        .where(where)
        .group_by(ImpactCount.kind)
    )
    found.totals = {kind: int(n) for kind, n in totals if kind in KINDS and n}
    starts = _month_starts(now, MONTHS)
    recent = db.session.execute(
        select(ImpactCount.day, ImpactCount.kind, func.sum(ImpactCount.count))
        .where(where, ImpactCount.day >= starts[0])
        .group_by(ImpactCount.day, ImpactCount.kind)
    )
    by_month: Counter[date] = Counter()
    by_day: Counter[date] = Counter()
    this_month: Counter[str] = Counter()
    for day, kind, n in recent:
        by_month[day.replace(day=1)] += int(n)
        by_day[day] += int(n)
        if day >= found.month:
            this_month[kind] += int(n)
    found.months = [(start, by_month[start]) for start in starts]
    found.days = [
        (d, by_day[d]) for d in (now - timedelta(days=i) for i in range(DAYS - 1, -1, -1))
    ]
    found.this_month = {kind: this_month[kind] for kind in KINDS if this_month[kind]}
    return found


def prisoner_totals() -> dict[int, int]:
    """Every count for each prisoner, as for_prisoner() selects them, in two queries."""
    totals: Counter[int] = Counter()
    named = db.session.execute(
        select(ImpactCount.prisoner_id, func.sum(ImpactCount.count))
        .where(ImpactCount.prisoner_id != NONE)
        .group_by(ImpactCount.prisoner_id)
    )
    for prisoner_id, n in named:
        totals[prisoner_id] += int(n)
    through_works = db.session.execute(
        select(work_prisoners.c.prisoner_id, func.sum(ImpactCount.count))
        .join(work_prisoners, work_prisoners.c.work_id == ImpactCount.work_id)
        .where(ImpactCount.prisoner_id == NONE, ImpactCount.work_id != NONE)
        .group_by(work_prisoners.c.prisoner_id)
    )
    for prisoner_id, n in through_works:
        totals[prisoner_id] += int(n)
    return dict(totals)


def campaign_totals() -> dict[int, int]:
    rows = db.session.execute(
        select(ImpactCount.campaign_id, func.sum(ImpactCount.count))
        .where(ImpactCount.campaign_id != NONE)
        .group_by(ImpactCount.campaign_id)
    )
    return {campaign_id: int(n) for campaign_id, n in rows}


def counted_prisoners(prisoners: list[Prisoner]) -> list[tuple[Prisoner, int]]:
    """The prisoners given (in their order) with their totals, those with none left out."""
    totals = prisoner_totals()
    return [(p, totals[p.id]) for p in prisoners if totals.get(p.id)]


def counted_campaigns(campaigns: list[Campaign]) -> list[tuple[Campaign, int]]:
    totals = campaign_totals()
    return [(c, totals[c.id]) for c in campaigns if totals.get(c.id)]
