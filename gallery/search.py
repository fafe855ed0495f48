"""Full-text search of published works and prisoner profiles, on SQLite and PostgreSQL.

One table, `search_document`, holds a row per searchable thing (kind "work" or "prisoner",
its id, a title and a body), written as *folded* words: lower-case (casefold), accents and
other combining marks removed after NFKD (so "ё" is "е", "Café" is "cafe"), every run of
letters and digits one word, words joined by single spaces. Queries are folded the same
way, so "Азат", "азат" and "АЗАТ" are one word, and neither database's tokenizer has
anything left to disagree about.

- SQLite: an FTS5 table over `search_document` (external content, tokenizer
  `unicode61 remove_diacritics 2`), kept in step by triggers; ranked by bm25, a word in
  the title weighing ten times one in the body.
- PostgreSQL: a GIN index on `to_tsvector('simple', ...)` of the title (weight A) and body
  (weight B); ranked by ts_rank.

Both are created by the migration, and by `db.create_all()` through DDL events on the
table (the tests, and backups, make their tables that way). A query is built from folded
word tokens only, each quoted: never from what the visitor typed.

The verbs keep the index in step (`index_work`, `drop_work`, `index_prisoner`: flushed,
never committed); a work is in the index only while it is approved and not hidden, and
the query checks that again on the work itself. `reindex()` rebuilds everything."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import DDL, String, Text, UniqueConstraint, delete, event, select, text
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from .database import begin_write
from .extensions import db
from .models import Prisoner, UTCDateTime, Work, WorkStatus, utcnow, with_names

WORK = "work"
PRISONER = "prisoner"
MAX_QUERY_LENGTH = 200  # characters a visitor may type
MAX_TERMS = 12  # words of a query that are looked for; the rest are ignored
PREFIX_MIN = 3  # a word this long also finds longer words it begins ("мифтахов" finds "мифтахова")
TITLE_WEIGHT = 10.0  # SQLite bm25: a title word weighs this many body words

FTS_TABLE = "search_fts"  # SQLite's FTS5 table (and its shadow tables search_fts_*)
PG_INDEX = "ix_search_document_fts"  # PostgreSQL's GIN index on the expression below

_WORD = re.compile(r"[^\W_]+")


class SearchDocument(db.Model):
    """What the index knows of one work or prisoner, as folded words."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "ref_id"),)  # one row per thing; also its lookup index

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int]
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.kind}:{self.ref_id}>"


# ---- the indexes: one set of statements for the migration and for create_all ----

PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B'))"
)

SQLITE_DDL = (
    (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, content='search_document', "
     "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"),
    ("CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END"),
    ("CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
     "VALUES ('delete', old.id, old.title, old.body); END"),
    ("CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
     "VALUES ('delete', old.id, old.title, old.body); "
     f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body); END"),
)  # fmt: skip
SQLITE_DROP = (f"DROP TABLE IF EXISTS {FTS_TABLE}",)  # the triggers go with search_document
POSTGRES_DDL = (f"CREATE INDEX {PG_INDEX} ON search_document USING gin ({PG_VECTOR})",)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def index_ddl(dialect: str) -> tuple[str, ...]:
    """The statements that make the full-text index of `search_document` on a dialect."""
    return {"sqlite": SQLITE_DDL, "postgresql": POSTGRES_DDL}.get(dialect, ())


def index_drop(dialect: str) -> tuple[str, ...]:
    """The statements that remove it (before the table is dropped)."""
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(dialect, ())


def include_name(name: str | None, type_: str, parent_names: object = None) -> bool:
    """Alembic's `include_name` hook: False for the full-text index (SQLite's FTS5 table
    and its shadow tables, PostgreSQL's GIN index), which the models do not describe, so
    comparing the database with the models leaves it out."""
    if not name:
        return True
    return not ((type_ == "table" and name.startswith(FTS_TABLE)) or (type_ == "index" and name == PG_INDEX))


_table = SearchDocument.__table__
for _dialect in ("sqlite", "postgresql"):
    for _statement in index_ddl(_dialect):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect=_dialect))
    for _statement in index_drop(_dialect):
        event.listen(_table, "before_drop", DDL(_statement).execute_if(dialect=_dialect))


# ---- folding ----


def fold(value: str | None) -> str:
    """Text as the index sees it: casefolded, without accents or other combining marks
    (NFKD, so "ё" is "е", "é" is "e", "ﬁ" is "fi")."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(value: str | None) -> list[str]:
    """The folded words of a text (runs of letters and digits)."""
    return _WORD.findall(fold(value))


def folded_text(*parts: str | None) -> str:
    """Several texts as one string of folded words, separated by single spaces."""
    return " ".join(w for part in parts for w in words(part))


def work_document(title: str | None, shown_name: str | None, description: str | None,
                  alt_text: str | None, tags: Iterable[str]) -> tuple[str, str]:  # fmt: skip
    """(title, body) of a work's index row, from its texts (the migration uses this too)."""
    return folded_text(title), folded_text(shown_name, description, alt_text, *tags)


def work_texts(work: Work) -> tuple[str, str]:
    """work_document of a work in every language it is written in (its own columns and its
    WorkText rows), with its tags' names and labels: a search in one language finds it."""
    rows = [work, *work.texts]
    return work_document(" ".join(r.title or "" for r in rows), work.shown_name,
                         "\n".join(r.description or "" for r in rows), " ".join(r.alt_text or "" for r in rows),
                         [name for t in work.tags for name in (t.name, *(t.labels or {}).values())])  # fmt: skip


def prisoner_document(name: str | None, name_native: str | None,
                      stories: Iterable[tuple[str | None, str | None]],
                      other_names: Iterable[str | None] = ()) -> tuple[str, str]:  # fmt: skip
    """(title, body) of a prisoner's index row: names (each language's too); every
    language's summary and story."""
    return (folded_text(*dict.fromkeys(n for n in (name, name_native, *other_names) if n)),
            folded_text(*(t for pair in stories for t in pair)))  # fmt: skip


# ---- keeping the index in step (verbs call these; they flush, never commit) ----


def _put(kind: str, ref_id: int, title: str, body: str) -> None:
    row = db.session.scalar(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id)
    )
    if row is None:
        db.session.add(SearchDocument(kind=kind, ref_id=ref_id, title=title, body=body))
    elif (row.title, row.body) != (title, body):
        row.title, row.body = title, body
    db.session.flush()


def _drop(kind: str, ref_ids: Iterable[int]) -> None:
    ids = list(ref_ids)
    if ids:
        db.session.execute(
            delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id.in_(ids)),
            execution_options={"synchronize_session": False},
        )


def is_public(work: Work) -> bool:
    """Whether visitors may find the work: approved and not hidden."""
    return work.status == WorkStatus.APPROVED and not work.hidden


def index_work(work: Work) -> None:
    """Put a work in the index as it is now, or take it out when it is not public."""
    if work.id is None:
        db.session.flush()
    if not is_public(work):
        drop_work(work.id)
        return
    title, body = work_texts(work)
    _put(WORK, work.id, title, body)


def drop_work(work_id: int) -> None:
    """Take a work out of the index (whatever it is: rejected, withdrawn, deleted)."""
    _drop(WORK, [work_id])


def drop_works(work_ids: Iterable[int]) -> None:
    """Take several works out of the index."""
    _drop(WORK, work_ids)


def index_prisoner(prisoner: Prisoner) -> None:
    """Put a prisoner's profile in the index as it is now (every profile is public)."""
    if prisoner.id is None:
        db.session.flush()
    title, body = prisoner_document(prisoner.name, prisoner.name_native,
                                    [(s.summary, s.body) for s in prisoner.stories],
                                    prisoner.all_names())  # fmt: skip
    _put(PRISONER, prisoner.id, title, body)


def drop_prisoners(prisoner_ids: Iterable[int]) -> None:
    """Take prisoners out of the index."""
    _drop(PRISONER, prisoner_ids)


def reindex() -> tuple[int, int]:
    """Rebuild the whole index from the works and profiles (flushed, not committed);
    returns (works, prisoners) indexed."""
    begin_write()
    db.session.execute(delete(SearchDocument), execution_options={"synchronize_session": False})
    works = db.session.scalars(
        select(Work)
        .where(Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
        .options(selectinload(Work.tags))
    ).all()
    prisoners = db.session.scalars(select(Prisoner).options(selectinload(Prisoner.stories))).all()
    for work in works:
        title, body = work_texts(work)
        db.session.add(SearchDocument(kind=WORK, ref_id=work.id, title=title, body=body))
    for prisoner in prisoners:
        title, body = prisoner_document(prisoner.name, prisoner.name_native,
                                        [(s.summary, s.body) for s in prisoner.stories],
                                        prisoner.all_names())  # fmt: skip
        db.session.add(SearchDocument(kind=PRISONER, ref_id=prisoner.id, title=title, body=body))
    db.session.flush()
    return len(works), len(prisoners)


# ---- queries ----


class QueryRefused(ValueError):
    """A query no search is run for: longer than MAX_QUERY_LENGTH, or holding a NUL."""


@dataclass(frozen=True)
class Terms:
    """The folded words of a query, in the order typed, each once."""

    words: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, word: str) -> bool:
        """Whether a folded word of a text is one the query looks for."""
        return any(word == t or (len(t) >= PREFIX_MIN and word.startswith(t)) for t in self.words)

    def fts5(self) -> str:
        """The SQLite FTS5 query: every word quoted (and a prefix when long enough), all
        of them required."""
        return " ".join(
            '"' + t.replace('"', '""') + '"' + ("*" if len(t) >= PREFIX_MIN else "") for t in self.words
        )

    def tsquery(self) -> str:
        """The PostgreSQL tsquery text: every word quoted as a lexeme, all required."""
        return " & ".join(
            "'" + t.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if len(t) >= PREFIX_MIN else "")
            for t in self.words
        )


def parse_query(raw: str | None) -> Terms:
    """The words to look for in what a visitor typed; QueryRefused when it is too long or
    holds a NUL. Punctuation, operators and quotes are separators like spaces: "AND" is
    the word "and", "-x" the word "x"."""
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryRefused("too-long")
    if "\x00" in raw:
        raise QueryRefused("nul")
    seen: dict[str, None] = {}
    for word in words(raw):
        seen.setdefault(word, None)
    return Terms(tuple(seen)[:MAX_TERMS])


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
    params: dict[str, object] = {"approved": WorkStatus.APPROVED.value, "no": False,
                                 "limit": limit, "offset": offset}  # fmt: skip
    if dialect == "sqlite":
        params["q"] = terms.fts5()
        source = (f"FROM {FTS_TABLE} JOIN search_document d ON d.id = {FTS_TABLE}.rowid "
                  f"WHERE {FTS_TABLE} MATCH :q AND ({_VISIBLE})")  # fmt: skip
        rank = f"bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0)"
        order = "rank ASC, d.id ASC"  # bm25: lower is better
    else:
        params["q"] = terms.tsquery()
        # The very expression of the GIN index (its columns are search_document's: the
        # only table of the outer query), so the planner uses the index.
        source = (f"FROM search_document d WHERE {PG_VECTOR} @@ to_tsquery('simple'::regconfig, :q) "
                  f"AND ({_VISIBLE})")  # fmt: skip
        rank = f"ts_rank({PG_VECTOR}, to_tsquery('simple'::regconfig, :q))"
        order = "rank DESC, d.id ASC"
    total = db.session.execute(text(f"SELECT count(*) {source}"), params).scalar_one()
    if not total or offset >= total:
        return [], total
    rows = db.session.execute(
        text(f"SELECT d.kind, d.ref_id, {rank} AS rank {source} ORDER BY {order} LIMIT :limit OFFSET :offset"),
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
            .where(Work.id.in_(work_ids), Work.status == WorkStatus.APPROVED, Work.hidden.is_(False))
            .options(with_names(Work.prisoners), selectinload(Work.tags))
        )
        works = {w.id: w for w in db.session.scalars(stmt)}
    prisoners = {}
    if prisoner_ids:
        stmt = select(Prisoner).where(Prisoner.id.in_(prisoner_ids)).options(selectinload(Prisoner.stories))
        prisoners = {p.id: p for p in db.session.scalars(stmt)}
    items = []
    for hit in hits:
        if hit.kind == WORK and hit.ref_id in works:
            items.append(Result(WORK, work=works[hit.ref_id]))
        elif hit.kind == PRISONER and hit.ref_id in prisoners:
            items.append(Result(PRISONER, prisoner=prisoners[hit.ref_id]))
    return Results(items, total, page, per_page)


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
            out.append(str(escape(value[last:match.start()])))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.end()
    out.append(str(escape(value[last:])))
    return Markup("".join(out))


def plain(html: Markup) -> str:
    """The words of a rendered text as plain text (for snippets)."""
    return " ".join(html.striptags().split())


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
    piece = highlight(value[start:end], terms)
    return Markup("%s%s%s") % ("… " if start else "", piece, " …" if end < len(value) else "")
