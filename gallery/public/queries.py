"""Reads for the visitors' and artists' pages: each runs a fixed number of indexed queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from .. import search
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


def campaign_call(slug: str) -> Campaign | None:
    """A campaign that calls for works, with its prisoners and translations (None for one
    without a call: its /submit address is a 404)."""
    if not is_slug(slug):
        return None
    stmt = (
        select(Campaign)
        .where(Campaign.slug == slug)
        .options(with_names(Campaign.prisoners), selectinload(Campaign.translations))
    )
    found = db.session.scalar(stmt)
    return found if found is not None and found.has_call else None


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


def postcard_works(prisoner: Prisoner, limit: int) -> list[Work]:
    """A prisoner's published postcard-safe works, newest first: the fronts a letter's
    writer may choose from."""
    stmt = (
        _public_works(GridFilters(prisoner=prisoner))
        .where(Work.postcard_safe.is_(True))
        .order_by(Work.published_at.desc(), Work.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


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


# ---- a work page's list context: previous and next within the list a visitor came from ----

CONTEXT_KINDS = ("prisoner", "campaign", "tag")
SEARCH_PREFIX = "search:"
ALL_WORKS = "all"


@dataclass
class ListContext:
    """The list a work page was opened from, as its ?from= says: the grid (all works, or
    filtered by prisoner, campaign and tag: a prisoner's and a campaign's pages show those
    lists) or a search's results."""

    filters: GridFilters | None = None
    query: str | None = None

    @property
    def arg(self) -> str:
        """The ?from= value that names this list."""
        if self.query is not None:
            return SEARCH_PREFIX + self.query
        assert self.filters is not None
        return grid_context(self.filters)

    @property
    def is_search(self) -> bool:
        return self.query is not None


def grid_context(filters: GridFilters) -> str:
    """The ?from= of a grid's work links: "all", or "prisoner:<slug>", "tag:<slug>"...
    joined by commas, in one order."""
    args = filters.args()
    return ",".join(f"{key}:{args[key]}" for key in CONTEXT_KINDS if key in args) or ALL_WORKS


def list_context(raw: str | None) -> ListContext | None:
    """The list a ?from= names; None when it is malformed, names a prisoner, campaign or tag
    that does not exist, or a search with nothing to look for (the page then drops it)."""
    if not raw:
        return None
    if raw.startswith(SEARCH_PREFIX):
        query = raw[len(SEARCH_PREFIX) :]
        try:
            terms = search.parse_query(query)
        except search.QueryRefused:
            return None
        return ListContext(query=query) if terms else None
    if raw == ALL_WORKS:
        return ListContext(filters=GridFilters())
    slugs: dict[str, str] = {}
    for part in raw.split(","):
        key, colon, slug = part.partition(":")
        if not colon or key not in CONTEXT_KINDS or key in slugs or not is_slug(slug):
            return None
        slugs[key] = slug
    filters = resolve_filters(slugs.get("prisoner"), slugs.get("campaign"), slugs.get("tag"))
    if filters is None or grid_context(filters) != raw:  # one spelling per list
        return None
    return ListContext(filters=filters)


@dataclass
class Neighbours:
    """The works before and after a work in its list (newer and older in the grid)."""

    context: ListContext
    previous: Work | None
    next: Work | None


def neighbours(context: ListContext, work: Work, locale: object = None) -> Neighbours | None:
    """The previous and next works of `work` in the list `context` names, by the grid's own
    keyset paging (one row each side of the work's cursor) or the search's ranking; None
    when the work is not in that list (a stale or hand-made link)."""
    if context.is_search:
        terms = search.parse_query(context.query, locale)
        before, after = search.work_neighbours(terms, work.id)
        if before is None and after is None:
            return None
        found = {
            w.id: w
            for w in db.session.scalars(
                _public_works(GridFilters()).where(Work.id.in_([before or 0, after or 0]))
            )
        }
        return Neighbours(context, found.get(before or 0), found.get(after or 0))
    filters = context.filters or GridFilters()
    if (
        db.session.scalar(
            _public_works(filters).where(Work.id == work.id).with_only_columns(Work.id)
        )
        is None
    ):
        return None
    here = _published(work)
    newer = grid_page(filters, before=here, per_page=1).works
    older = grid_page(filters, after=here, per_page=1).works
    return Neighbours(context, newer[0] if newer else None, older[0] if older else None)


MORE_FOR_PRISONER = 4  # other works shown under "More for this prisoner"
MORE_PRISONERS = 3  # prisoners a work page shows more works for


def more_for_prisoners(work: Work) -> list[tuple[Prisoner, list[Work]]]:
    """For each prisoner the work stands with (the first MORE_PRISONERS), a few of the
    newest other public works made for them: one query a prisoner."""
    found = []
    for prisoner in work.prisoners[:MORE_PRISONERS]:
        stmt = (
            _with_cards(_public_works(GridFilters(prisoner=prisoner)))
            .where(Work.id != work.id)
            .order_by(Work.published_at.desc(), Work.id.desc())
            .limit(MORE_FOR_PRISONER)
        )
        others = list(db.session.scalars(stmt))
        if others:
            found.append((prisoner, others))
    return found
