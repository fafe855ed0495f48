"""Queries: a visitor's words parsed into folded, stemmed terms, the ranked hits on either
database, and the matched words highlighted in titles and snippets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from ..core.errors import InvalidInput
from ..extensions import db
from ..models import Prisoner, Work, WorkStatus, with_names
from .folding import _WORD, DEFAULT_CONFIG, LANGUAGES, lexemes, stem, words
from .index import FTS_TABLE, PG_VECTOR, PRISONER, WORK

MAX_QUERY_LENGTH = 200  # characters a visitor may type
MAX_TERMS = 12  # words of a query that are looked for; the rest are ignored
PREFIX_MIN = 3  # a word this long also finds longer words it begins ("мифтахов" finds "мифтахова")
TITLE_WEIGHT = 10.0  # SQLite bm25: a title word weighs this many body words


# ---- queries ----


class QueryRefused(InvalidInput):
    """A query no search is run for: longer than MAX_QUERY_LENGTH, or holding a NUL."""


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def config_for(locale: object) -> str:
    """The text-search configuration of a visitor's language ("fr", "ru_RU", a Babel Locale)."""
    return LANGUAGES.get(str(locale or "").split("_")[0].lower(), DEFAULT_CONFIG)


@lru_cache(maxsize=4096)
def _configs(word: str, config: str) -> tuple[str, ...]:
    # A word in Cyrillic is Russian whatever the page's language.
    return (config,) if config == "russian" or not _CYRILLIC.search(word) else (config, "russian")


@lru_cache(maxsize=4096)
def _forms(word: str, config: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((word, *(stem(word, c) for c in _configs(word, config)))))


@dataclass(frozen=True)
class Terms:
    """The folded words of a query, in the order typed, each once, and the configuration
    of the visitor's language they are stemmed in."""

    words: tuple[str, ...]
    config: str = DEFAULT_CONFIG

    def __bool__(self) -> bool:
        return bool(self.words)

    def forms(self, word: str) -> tuple[str, ...]:
        """A query word and its stems: any of them finds the word (SQLite looks for these;
        PostgreSQL computes the same with its configurations)."""
        return _forms(word, self.config)

    def matches(self, word: str) -> bool:
        """Whether a folded word of a text is one the query finds: one of its lexemes is a
        form of a query word, or begins with one when that word is long enough."""
        found = lexemes(word)
        for t in self.words:
            prefix = len(t) >= PREFIX_MIN
            for form in self.forms(t):
                if any(x == form or (prefix and x.startswith(form)) for x in found):
                    return True
        return False

    def fts5(self) -> str:
        """The SQLite FTS5 query: for every word, the word or one of its stems (each
        quoted, and a prefix when the word is long enough); every word required."""
        groups = []
        for t in self.words:
            star = "*" if len(t) >= PREFIX_MIN else ""
            groups.append(
                "("
                + " OR ".join('"' + f.replace('"', '""') + '"' + star for f in self.forms(t))
                + ")"
            )
        return " AND ".join(groups)

    def tsquery(self) -> tuple[str, dict[str, str]]:
        """The PostgreSQL tsquery, as SQL and its parameters: every word quoted as a lexeme
        (a prefix when long enough), put through `simple` (the word) and the configuration
        of the visitor's language (its stem), either found; every word required."""
        parts, params = [], {}
        for n, t in enumerate(self.words):
            params[f"w{n}"] = (
                "'"
                + t.replace("'", "''").replace("\\", "\\\\")
                + "'"
                + (":*" if len(t) >= PREFIX_MIN else "")
            )
            parts.append(
                "("
                + " || ".join(
                    f"to_tsquery('{c}'::regconfig, :w{n})"
                    for c in ("simple", *_configs(t, self.config))
                )
                + ")"
            )
        return " && ".join(parts), params


def parse_query(raw: str | None, locale: object = None) -> Terms:
    """The words to look for in what a visitor typed, stemmed in the visitor's language
    (`locale`; English when none); QueryRefused when it is too long or holds a NUL.
    Punctuation, operators and quotes are separators like spaces: "AND" is the word "and",
    "-x" the word "x"."""
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryRefused("too-long")
    if "\x00" in raw:
        raise QueryRefused("nul")
    seen: dict[str, None] = {}
    for word in words(raw):
        seen.setdefault(word, None)
    return Terms(tuple(seen)[:MAX_TERMS], config_for(locale))


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int


@dataclass
class Result:
    """One thing found: a work or a prisoner, loaded with what a results page shows."""

    kind: str
    work: Work | None = None
    prisoner: Prisoner | None = None


@dataclass
class Results:
    items: list[Result]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


_VISIBLE = (
    "(d.kind = 'prisoner' AND EXISTS (SELECT 1 FROM prisoner p WHERE p.id = d.ref_id)) OR "
    "(d.kind = 'work' AND EXISTS (SELECT 1 FROM work w WHERE w.id = d.ref_id "
    "AND w.status = :approved AND w.hidden = :no))"
)


def _ranked(dialect: str, terms: Terms, limit: int, offset: int) -> tuple[list[Hit], int]:
    params: dict[str, object] = {
        "approved": WorkStatus.APPROVED.value,
        "no": False,
        "limit": limit,
        "offset": offset,
    }
    if dialect == "sqlite":
        params["q"] = terms.fts5()
        source = (
            f"FROM {FTS_TABLE} JOIN search_document d ON d.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH :q AND ({_VISIBLE})"
        )
        rank = f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0, {TITLE_WEIGHT}, 1.0)"  # title, body, their stems
        order = "rank ASC, d.id ASC"  # bm25: lower is better
    else:
        query, words = terms.tsquery()
        params.update(words)
        # The very expression of the GIN index (its columns are search_document's: the
        # only table of the outer query), so the planner uses the index.
        source = f"FROM search_document d WHERE {PG_VECTOR} @@ ({query}) AND ({_VISIBLE})"
        rank = f"ts_rank({PG_VECTOR}, {query})"
        order = "rank DESC, d.id ASC"
    total = db.session.execute(text(f"SELECT count(*) {source}"), params).scalar_one()
    if not total or offset >= total:
        return [], total
    rows = db.session.execute(
        text(
            f"SELECT d.kind, d.ref_id, {rank} AS rank {source} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    return [Hit(kind, ref_id) for kind, ref_id, _rank in rows], total


def find(terms: Terms, *, page: int = 1, per_page: int = 20) -> Results:
    """Published works and prisoner profiles matching every word, best first (works and
    profiles in one list), one page of them, loaded for display."""
    if not terms:
        return Results([], 0, page, per_page)
    hits, total = _ranked(db.engine.dialect.name, terms, per_page, (page - 1) * per_page)
    work_ids = [h.ref_id for h in hits if h.kind == WORK]
    prisoner_ids = [h.ref_id for h in hits if h.kind == PRISONER]
    works = {}
    if work_ids:
        stmt = (
            select(Work)
            .where(
                Work.id.in_(work_ids), Work.status == WorkStatus.APPROVED, Work.hidden.is_(False)
            )
            .options(with_names(Work.prisoners), selectinload(Work.tags))
        )
        works = {w.id: w for w in db.session.scalars(stmt)}
    prisoners = {}
    if prisoner_ids:
        stmt = (
            select(Prisoner)
            .where(Prisoner.id.in_(prisoner_ids))
            .options(selectinload(Prisoner.stories))
        )
        prisoners = {p.id: p for p in db.session.scalars(stmt)}
    items = []
    for hit in hits:
        if hit.kind == WORK and hit.ref_id in works:
            items.append(Result(WORK, work=works[hit.ref_id]))
        elif hit.kind == PRISONER and hit.ref_id in prisoners:
            items.append(Result(PRISONER, prisoner=prisoners[hit.ref_id]))
    return Results(items, total, page, per_page)


NEIGHBOURS_WINDOW = 200  # results a work's previous and next are looked for among


def work_neighbours(terms: Terms, work_id: int) -> tuple[int | None, int | None]:
    """The ids of the works just before and just after a work in the results of a search
    (prisoners' profiles skipped), among its first NEIGHBOURS_WINDOW results: what a work
    page opened from the results links to. (None, None) when the work is not among them."""
    if not terms:
        return None, None
    hits, _total = _ranked(db.engine.dialect.name, terms, NEIGHBOURS_WINDOW, 0)
    ids = [h.ref_id for h in hits if h.kind == WORK]
    if work_id not in ids:
        return None, None
    at = ids.index(work_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


# ---- showing what matched ----


def highlight(value: str | None, terms: Terms) -> Markup:
    """The text, HTML-escaped, with the words the query looks for wrapped in <mark>."""
    value = unicodedata.normalize("NFC", value or "")
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(value):
        word = match.group()
        folded = words(word)
        if folded and all(terms.matches(w) for w in folded):
            out.append(str(escape(value[last : match.start()])))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    out.append(str(escape(value[last:])))
    return Markup("".join(out))


def plain(html: Markup) -> str:
    """The words of a rendered text as plain text (for snippets)."""
    return " ".join(html.striptags().split())


_CUT = " ,.;:-\u2013\u2014"  # stripped where a snippet is cut


def snippet(value: str | None, terms: Terms, width: int = 220) -> Markup:
    """About `width` characters of a plain text around its first matching word,
    highlighted; the beginning when nothing matches."""
    value = " ".join(unicodedata.normalize("NFC", value or "").split())
    if len(value) <= width:
        return highlight(value, terms)
    start = 0
    for match in _WORD.finditer(value):
        folded = words(match.group())
        if folded and all(terms.matches(w) for w in folded):
            start = max(0, match.start() - width // 4)
            break
    if start:
        space = value.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(value), start + width)
    if end < len(value):
        space = value.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    # The ellipsis sits tight against the word it cuts ("и затем…", "…начало"), in place
    # of the punctuation or dash it would stand beside.
    piece = value[start:end]
    if start:
        piece = piece.lstrip(_CUT)
    if end < len(value):
        piece = piece.rstrip(_CUT)
    return Markup("%s%s%s") % (
        "…" if start else "",
        highlight(piece, terms),
        "…" if end < len(value) else "",
    )
