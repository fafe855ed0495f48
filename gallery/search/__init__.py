"""Full-text search of published works and prisoner profiles, on SQLite and PostgreSQL.

One table, `search_document`, holds a row per searchable thing (kind "work" or "prisoner",
its id, a title and a body), written as *folded* words: lower-case (casefold), accents and
other combining marks removed after NFKD (so "ё" is "е", "Café" is "cafe"; "й" stays a
letter of its own, which Russian endings need), every run of letters and digits one word,
words joined by single spaces. Queries are folded the same way, so "Азат", "азат" and
"АЗАТ" are one word.

Stemming (Snowball, the algorithms PostgreSQL's `english`, `french` and `russian`
text-search configurations use). A document is stemmed in all three languages, since its
words may be in any of them; a query in the visitor's language (and, for a word in
Cyrillic, in Russian too). A document's *lexemes* are its folded words and their stems in
the three configurations; a query word finds a document when the word, or its stem in the
query's configuration, is one of the document's lexemes, or (when the word has at least
PREFIX_MIN letters) begins one. Every query word must find the document. So "Мифтахову"
(stem "мифтахов") finds "Мифтахов" and "Мифтахова", "prisonniers" (stem "prisonni") finds
"Prisonnier", and an English title is found from /fr/ and /ru/ (its words are lexemes
whatever the language; /ru/ stems a Latin word in English, as PostgreSQL's `russian` does).

- SQLite: Python cannot give FTS5 a tokenizer, so the stems are computed here
  (`snowballstemmer`, one stemmer per language and thread, the stems of a word cached) and
  stored beside the words: `title_stems` and `body_stems` hold, for each word, its stems
  that differ from it. An FTS5 table over the four columns (external content, tokenizer
  `unicode61 remove_diacritics 0`: the text is folded already, and "й" must stay "й"),
  kept in step by triggers; ranked by bm25, a title word weighing ten times a body word.
  A query word is `("word"* OR "stem"*)`.
- PostgreSQL: stems with its own configurations. A GIN index on the folded title (weight A)
  and body (weight B), each `to_tsvector` in `simple` (the words), `english`, `french` and
  `russian` (their stems), concatenated; ranked by ts_rank. A query word is
  `to_tsquery('simple', 'word':*) || to_tsquery('<language>', 'word':*)`. The stem columns
  are filled there too (a backup copies PostgreSQL's rows into SQLite) but not read.

The two agree on what is found, but for what each stems differently: PostgreSQL's own
Snowball may be an older release than the library's (a handful of words, e.g. English
"added" is "ad" in PostgreSQL 15, "add" in Snowball 3), and its configurations drop stop
words ("the", "и", "les") from the stems, not from the words; a stop word typed is still
looked for as a word on both.

Both indexes are created by the migration, and by `db.create_all()` through DDL events on
the table (the tests, and backups, make their tables that way). A query is built from folded
word tokens only, each quoted: never from what the visitor typed.

The verbs keep the index in step (`index_work`, `drop_work`, `index_prisoner`: flushed,
never committed); a work is in the index only while it is approved and not hidden, and
the query checks that again on the work itself. `reindex()` rebuilds everything."""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import snowballstemmer
from markupsafe import Markup, escape
from sqlalchemy import DDL, String, Text, UniqueConstraint, delete, event, select, text
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from ..core.database import begin_write
from ..core.errors import InvalidInput
from ..extensions import db
from ..models import Prisoner, UTCDateTime, Work, WorkStatus, utcnow, with_names

WORK = "work"
PRISONER = "prisoner"
MAX_QUERY_LENGTH = 200  # characters a visitor may type
MAX_TERMS = 12  # words of a query that are looked for; the rest are ignored
PREFIX_MIN = 3  # a word this long also finds longer words it begins ("мифтахов" finds "мифтахова")
TITLE_WEIGHT = 10.0  # SQLite bm25: a title word weighs this many body words

# The visitor's language → the text-search configuration (and Snowball algorithm) its
# queries are stemmed with; any other locale is stemmed in English.
LANGUAGES = {"en": "english", "fr": "french", "ru": "russian"}
DEFAULT_CONFIG = "english"
STEMMED = ("english", "french", "russian")  # every document is stemmed in all of them

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
    # For SQLite's FTS5: each word's stems (in STEMMED) that differ from it.
    title_stems: Mapped[str] = mapped_column(Text, default="")
    body_stems: Mapped[str] = mapped_column(Text, default="")
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.kind}:{self.ref_id}>"


# ---- the indexes: one set of statements for the migration and for create_all ----


def _pg_vector(column: str) -> str:
    # The words ('simple') and their stems in every language, one tsvector.
    return " || ".join(f"to_tsvector('{config}'::regconfig, coalesce({column}, ''))"
                       for config in ("simple", *STEMMED))  # fmt: skip


PG_VECTOR = f"(setweight({_pg_vector('title')}, 'A') || setweight({_pg_vector('body')}, 'B'))"

_FTS_COLUMNS = ("title", "body", "title_stems", "body_stems")
_NEW = ", ".join(f"new.{c}" for c in _FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in _FTS_COLUMNS)
_COLS = ", ".join(_FTS_COLUMNS)
SQLITE_DDL = (
    (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLS}, content='search_document', "
     "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"),
    ("CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"),
    ("CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); END"),
    ("CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
     f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); "
     f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"),
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


def _strip_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(value: str | None) -> str:
    """Text as the index sees it: casefolded, without accents or other combining marks
    (NFKD, so "ё" is "е", "é" is "e", "ﬁ" is "fi"), but for "й", a letter of its own that
    Russian's endings ("-ой", "-ий") need."""
    if not value:
        return ""
    return "й".join(_strip_marks(part) for part in unicodedata.normalize("NFC", value.casefold()).split("й"))


def words(value: str | None) -> list[str]:
    """The folded words of a text (runs of letters and digits)."""
    return _WORD.findall(fold(value))


def folded_text(*parts: str | None) -> str:
    """Several texts as one string of folded words, separated by single spaces."""
    return " ".join(w for part in parts for w in words(part))


# ---- stemming ----

_stemmers = threading.local()  # a stemmer keeps state while it works: one per thread


def _stemmer(algorithm: str) -> Any:
    found = getattr(_stemmers, algorithm, None)
    if found is None:
        found = snowballstemmer.stemmer(algorithm)
        setattr(_stemmers, algorithm, found)
    return found


@lru_cache(maxsize=65536)
def stem(word: str, config: str) -> str:
    """The lexeme PostgreSQL's text-search configuration `config` ("english", "french",
    "russian") makes of a folded word, computed with Snowball here: a word with a digit is
    kept as it is (PostgreSQL's `numword`), and `russian` stems a word of ASCII letters in
    English."""
    if not word.isalpha():
        return word
    algorithm = "english" if config == "russian" and word.isascii() else config
    return str(_stemmer(algorithm).stemWord(word))


def lexemes(word: str) -> tuple[str, ...]:
    """What the index holds of a folded word: the word, then its other stems in STEMMED."""
    return tuple(dict.fromkeys((word, *(stem(word, config) for config in STEMMED))))


def stems(folded: str) -> str:
    """The stems column of a folded text: each word's stems that differ from it."""
    return " ".join(s for w in folded.split() for s in lexemes(w)[1:])


def document_row(title: str, body: str) -> dict[str, str]:
    """The indexed columns of a row, from its folded title and body."""
    return {"title": title, "body": body, "title_stems": stems(title), "body_stems": stems(body)}


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
        db.session.add(SearchDocument(kind=kind, ref_id=ref_id, **document_row(title, body)))
    elif (row.title, row.body) != (title, body):
        for column, value in document_row(title, body).items():
            setattr(row, column, value)
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
        db.session.add(SearchDocument(kind=WORK, ref_id=work.id, **document_row(title, body)))
    for prisoner in prisoners:
        title, body = prisoner_document(prisoner.name, prisoner.name_native,
                                        [(s.summary, s.body) for s in prisoner.stories],
                                        prisoner.all_names())  # fmt: skip
        db.session.add(SearchDocument(kind=PRISONER, ref_id=prisoner.id, **document_row(title, body)))
    db.session.flush()
    return len(works), len(prisoners)


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
            groups.append("(" + " OR ".join('"' + f.replace('"', '""') + '"' + star for f in self.forms(t)) + ")")
        return " AND ".join(groups)

    def tsquery(self) -> tuple[str, dict[str, str]]:
        """The PostgreSQL tsquery, as SQL and its parameters: every word quoted as a lexeme
        (a prefix when long enough), put through `simple` (the word) and the configuration
        of the visitor's language (its stem), either found; every word required."""
        parts, params = [], {}
        for n, t in enumerate(self.words):
            params[f"w{n}"] = (
                "'" + t.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if len(t) >= PREFIX_MIN else "")
            )
            parts.append("(" + " || ".join(f"to_tsquery('{c}'::regconfig, :w{n})"
                                           for c in ("simple", *_configs(t, self.config))) + ")")  # fmt: skip
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
    params: dict[str, object] = {"approved": WorkStatus.APPROVED.value, "no": False,
                                 "limit": limit, "offset": offset}  # fmt: skip
    if dialect == "sqlite":
        params["q"] = terms.fts5()
        source = (f"FROM {FTS_TABLE} JOIN search_document d ON d.id = {FTS_TABLE}.rowid "
                  f"WHERE {FTS_TABLE} MATCH :q AND ({_VISIBLE})")  # fmt: skip
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
    return Markup("%s%s%s") % ("…" if start else "", highlight(piece, terms), "…" if end < len(value) else "")
