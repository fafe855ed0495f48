"""Reads for the visitors' and artists' pages: each runs a fixed number of indexed queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from ..core.paging import MAX_PAGE, BadQuery, Cursor
from ..core.text import is_slug, today_in
from ..core.tokens import token_hash
from ..extensions import db
from ..models import (
    Campaign,
    Prisoner,
    PrisonerStatus,
    PrisonerStory,
    Tag,
    Work,
    WorkStatus,
    by_name,
    with_names,
    work_prisoners,
    work_tags,
)

PUBLIC_ID_RE = re.compile(r"\A[A-Za-z0-9_-]{10,32}\Z")


def _published(work: Work) -> Cursor:
    assert work.published_at is not None
    return Cursor(work.published_at, work.id)


@dataclass
class GridFilters:
    """Filters of the /works grid, resolved to rows (None when absent)."""

    prisoner: Prisoner | None = None
    campaign: Campaign | None = None
    tag: Tag | None = None

    def args(self) -> dict[str, str]:
        out = {}
        for key in ("prisoner", "campaign", "tag"):
            row = getattr(self, key)
            if row is not None:
                out[key] = row.slug
        return out


@dataclass
class GridPage:
    works: list[Work]
    page: int
    next_cursor: str | None
    prev_cursor: str | None
    filters: GridFilters = field(default_factory=GridFilters)


def _slug(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not is_slug(value):
        raise BadQuery("slug")
    return value


def resolve_filters(
    prisoner: str | None, campaign: str | None, tag: str | None
) -> GridFilters | None:
    """Rows for the filter slugs; None when a well-formed slug names nothing."""
    wanted = {"prisoner": _slug(prisoner), "campaign": _slug(campaign), "tag": _slug(tag)}
    models = {"prisoner": Prisoner, "campaign": Campaign, "tag": Tag}
    found = GridFilters()
    for key, slug in wanted.items():
        if slug is None:
            continue
        model = models[key]
        row = db.session.scalar(select(model).where(model.slug == slug))
        if row is None:
            return None
        setattr(found, key, row)
    return found


def _public_works(filters: GridFilters) -> Select[tuple[Work]]:
    stmt = select(Work).where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
    if filters.prisoner is not None:
        stmt = stmt.where(
            Work.id.in_(
                select(work_prisoners.c.work_id).where(
                    work_prisoners.c.prisoner_id == filters.prisoner.id
                )
            )
        )
    if filters.campaign is not None:
        stmt = stmt.where(Work.campaign_id == filters.campaign.id)
    if filters.tag is not None:
        stmt = stmt.where(
            Work.id.in_(select(work_tags.c.work_id).where(work_tags.c.tag_id == filters.tag.id))
        )
    return stmt


def _older_than(cursor: Cursor):  # type: ignore[no-untyped-def]
    return or_(
        Work.published_at < cursor.moment,
        and_(Work.published_at == cursor.moment, Work.id < cursor.row_id),
    )


def _newer_than(cursor: Cursor):  # type: ignore[no-untyped-def]
    return or_(
        Work.published_at > cursor.moment,
        and_(Work.published_at == cursor.moment, Work.id > cursor.row_id),
    )


def _boundary_for_page(filters: GridFilters, page: int, per_page: int) -> Cursor | None:
    """The last work of the page before `page`, found on the index alone."""
    stmt = (
        _public_works(filters)
        .with_only_columns(Work.published_at, Work.id)
        .order_by(Work.published_at.desc(), Work.id.desc())
        .offset((page - 1) * per_page - 1)
        .limit(1)
    )
    row = db.session.execute(stmt).first()
    return Cursor(row[0], row[1]) if row else None


def _with_cards(stmt: Select[tuple[Work]]) -> Select[tuple[Work]]:
    return stmt.options(with_names(Work.prisoners))


def grid_page(
    filters: GridFilters,
    *,
    page: int = 1,
    after: Cursor | None = None,
    before: Cursor | None = None,
    per_page: int = 24,
) -> GridPage:
    """One page of approved works, newest first, by keyset (page numbers map onto it)."""
    if not 1 <= page <= MAX_PAGE:
        raise BadQuery("page")
    base = _with_cards(_public_works(filters))
    if before is not None:
        stmt = base.where(_newer_than(before)).order_by(Work.published_at.asc(), Work.id.asc())
        rows = list(db.session.scalars(stmt.limit(per_page + 1)))
        has_more_newer = len(rows) > per_page
        works = list(reversed(rows[:per_page]))
        has_older = True
        page = max(page, 2) if has_more_newer else 1
    else:
        cursor = after
        if cursor is None and page > 1:
            cursor = _boundary_for_page(filters, page, per_page)
            if cursor is None:
                return GridPage([], page, None, None, filters)
        stmt = base.order_by(Work.published_at.desc(), Work.id.desc())
        if cursor is not None:
            stmt = stmt.where(_older_than(cursor))
        rows = list(db.session.scalars(stmt.limit(per_page + 1)))
        works = rows[:per_page]
        has_older = len(rows) > per_page
        has_more_newer = cursor is not None
    next_cursor = _published(works[-1]).encode() if works and has_older else None
    prev_cursor = _published(works[0]).encode() if works and has_more_newer else None
    return GridPage(works, page, next_cursor, prev_cursor, filters)


def newest_works(limit: int = 8, filters: GridFilters | None = None) -> list[Work]:
    """The newest approved works (of a campaign, prisoner or tag, if given): the home page,
    the slideshow."""
    stmt = _with_cards(_public_works(filters or GridFilters())).order_by(
        Work.published_at.desc(), Work.id.desc()
    )
    return list(db.session.scalars(stmt.limit(limit)))


def public_work(public_id: str) -> Work | None:
    """An approved work by its public id, with what its page shows."""
    if not PUBLIC_ID_RE.match(public_id):
        return None
    stmt = (
        select(Work)
        .where(
            Work.public_id == public_id,
            Work.status == WorkStatus.APPROVED,
            Work.hidden.is_(False),
        )
        .options(with_names(Work.prisoners), selectinload(Work.tags), selectinload(Work.campaign))
    )
    return db.session.scalar(stmt)


def approved_count_by_prisoner() -> dict[int, int]:
    """How many approved works stand with each prisoner, in one grouped query."""
    stmt = (
        select(work_prisoners.c.prisoner_id, func.count())
        .join(Work, Work.id == work_prisoners.c.work_id)
        .where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        .group_by(work_prisoners.c.prisoner_id)
    )
    return {pid: n for pid, n in db.session.execute(stmt)}


def prisoners(locale: str, featured_only: bool = False) -> list[Prisoner]:
    """Prisoners by their names as readers of `locale` see them, with their stories loaded."""
    stmt = select(Prisoner).options(selectinload(Prisoner.stories))
    if featured_only:
        stmt = stmt.where(Prisoner.featured.is_(True))
    return by_name(db.session.scalars(stmt), locale)


BIRTHDAY_WINDOW_DAYS = 60


def upcoming_birthdays(today: date | None = None) -> list[tuple[Prisoner, date]]:
    """People in prison whose birthday comes in the next 60 days, soonest first (with their
    names in every language)."""
    stmt = (
        select(Prisoner)
        .where(Prisoner.status == PrisonerStatus.IMPRISONED, Prisoner.birth_date.is_not(None))
        .options(selectinload(Prisoner.stories).load_only(PrisonerStory.locale, PrisonerStory.name))
    )
    found = []
    for prisoner in db.session.scalars(stmt):
        start = today or today_in(prisoner.timezone)
        birthday = prisoner.next_birthday(start)
        if birthday is not None and (birthday - start).days <= BIRTHDAY_WINDOW_DAYS:
            found.append((prisoner, birthday))
    return sorted(found, key=lambda pair: (pair[1], pair[0].name))


def prisoner_by_slug(slug: str) -> Prisoner | None:
    """A prisoner with stories, sources and campaigns loaded."""
    if not is_slug(slug):
        return None
    stmt = (
        select(Prisoner)
        .where(Prisoner.slug == slug)
        .options(
            selectinload(Prisoner.stories),
            selectinload(Prisoner.sources),
            selectinload(Prisoner.campaigns),
        )
    )
    return db.session.scalar(stmt)


def campaign_by_slug(slug: str) -> Campaign | None:
    """A campaign with its prisoners and sources loaded."""
    if not is_slug(slug):
        return None
    stmt = (
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(with_names(Campaign.prisoners), selectinload(Campaign.sources))
    )
    return db.session.scalar(stmt)


def postcard_pairs(campaign: Campaign, limit: int) -> list[tuple[Work, Prisoner]]:
    """A campaign's solidarity postcards, as (work, prisoner): its newest published
    postcard-safe works (up to `limit`), each for every prisoner of the campaign it stands
    with (every prisoner it stands with when the campaign names none) whose profile has a
    name in Russian Cyrillic (Prisoner.postcard_name)."""
    stmt = (
        _with_cards(_public_works(GridFilters(campaign=campaign)))
        .where(Work.postcard_safe.is_(True))
        .order_by(Work.published_at.desc(), Work.id.desc())
        .limit(limit)
    )
    wanted = {p.id for p in campaign.prisoners}
    return [
        (work, prisoner)
        for work in db.session.scalars(stmt)
        for prisoner in work.prisoners
        if (not wanted or prisoner.id in wanted) and prisoner.postcard_name()
    ]


def campaigns() -> list[Campaign]:
    """Every campaign, the most recent first."""
    stmt = (
        select(Campaign)
        .options(selectinload(Campaign.translations))  # their titles in the reader's language
        .order_by(Campaign.held_on.desc().nulls_last(), Campaign.title)
    )
    return list(db.session.scalars(stmt))


def tags_in_use(locale: str | None = None) -> list[Tag]:
    """Tags carried by at least one approved work (in the order of their labels in
    `locale`, when given, else of their names).

    One EXISTS a tag, which stops at its first public work: a tag of 10,000 works costs
    one lookup, where an IN over every tagged public work read them all (8 ms a grid page
    with 10,000 works)."""
    public = (
        select(work_tags.c.work_id)
        .join(Work, Work.id == work_tags.c.work_id)
        .where(
            work_tags.c.tag_id == Tag.id, Work.status == WorkStatus.APPROVED, Work.hidden.is_(False)
        )
    )
    tags = list(db.session.scalars(select(Tag).where(public.exists()).order_by(Tag.name)))
    if locale is not None:
        tags.sort(key=lambda t: t.label(locale).casefold())
    return tags


def work_for_receipt(token: str) -> Work | None:
    """The work a receipt token belongs to, whatever its status."""
    if not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(select(Work).where(Work.receipt_token_hash == token_hash(token)))


def feed_works(filters: GridFilters, limit: int = 30) -> list[Work]:
    """The newest public works for an Atom feed (live data: an unpublished or hidden
    work leaves every feed at once)."""
    return grid_page(filters, per_page=limit).works


@dataclass
class SitemapRows:
    """What the sitemap lists, with the date each page last changed where it is known."""

    works: list[tuple[str, datetime | None]]
    prisoners: list[tuple[str, datetime | None]]
    campaigns: list[tuple[str, datetime | None]]


def sitemap_rows() -> SitemapRows:
    """Public ids and slugs with their dates: three queries, no rows loaded whole."""
    works = (
        _public_works(GridFilters())
        .with_only_columns(Work.public_id, Work.published_at)
        .order_by(Work.published_at.desc(), Work.id.desc())
    )
    people = select(Prisoner.slug, Prisoner.updated_at).order_by(Prisoner.slug)
    events = select(Campaign.slug, Campaign.created_at).order_by(Campaign.slug)
    return SitemapRows(
        works=[(row[0], row[1]) for row in db.session.execute(works)],
        prisoners=[(row[0], row[1]) for row in db.session.execute(people)],
        campaigns=[(row[0], row[1]) for row in db.session.execute(events)],
    )


def load_work_details(works: list[Work]) -> list[Work]:
    """Load the tags and campaign (with its texts in every language) of works a grid page
    found, in a fixed number of statements whatever their number (for the JSON API)."""
    if works:
        stmt = (
            select(Work)
            .where(Work.id.in_([w.id for w in works]))
            .options(
                selectinload(Work.tags),
                selectinload(Work.campaign).selectinload(Campaign.translations),
                lazyload(Work.texts),  # loaded with the works already (Work.texts is "selectin")
            )
        )
        db.session.scalars(stmt).all()  # fills in the rows already in the session
    return works
