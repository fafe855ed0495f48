"""The index: the search_document table, its full-text DDL for SQLite (FTS5) and
PostgreSQL (GIN), the rows written as folded words and their stems, and the functions the
verbs call to keep it in step."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import DDL, String, Text, UniqueConstraint, delete, event, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from ..core.database import begin_write
from ..extensions import db
from ..models import Prisoner, UTCDateTime, Work, WorkStatus, utcnow
from .folding import STEMMED, folded_text, lexemes

WORK = "work"
PRISONER = "prisoner"
FTS_TABLE = "search_fts"  # SQLite's FTS5 table (and its shadow tables search_fts_*)
PG_INDEX = "ix_search_document_fts"  # PostgreSQL's GIN index on the expression below


class SearchDocument(db.Model):
    """What the index knows of one work or prisoner, as folded words."""

    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
    )  # one row per thing; also its lookup index

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
    return " || ".join(
        f"to_tsvector('{config}'::regconfig, coalesce({column}, ''))"
        for config in ("simple", *STEMMED)
    )


PG_VECTOR = f"(setweight({_pg_vector('title')}, 'A') || setweight({_pg_vector('body')}, 'B'))"

_FTS_COLUMNS = ("title", "body", "title_stems", "body_stems")
_NEW = ", ".join(f"new.{c}" for c in _FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in _FTS_COLUMNS)
_COLS = ", ".join(_FTS_COLUMNS)
SQLITE_DDL = (
    (
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLS}, content='search_document', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    ),
    (
        "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"
    ),
    (
        "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); END"
    ),
    (
        "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); "
        f"INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW}); END"
    ),
)
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
    return not (
        (type_ == "table" and name.startswith(FTS_TABLE)) or (type_ == "index" and name == PG_INDEX)
    )


_table = SearchDocument.__table__
for _dialect in ("sqlite", "postgresql"):
    for _statement in index_ddl(_dialect):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect=_dialect))
    for _statement in index_drop(_dialect):
        event.listen(_table, "before_drop", DDL(_statement).execute_if(dialect=_dialect))


def stems(folded: str) -> str:
    """The stems column of a folded text: each word's stems that differ from it."""
    return " ".join(s for w in folded.split() for s in lexemes(w)[1:])


def document_row(title: str, body: str) -> dict[str, str]:
    """The indexed columns of a row, from its folded title and body."""
    return {"title": title, "body": body, "title_stems": stems(title), "body_stems": stems(body)}


def work_document(
    title: str | None,
    shown_name: str | None,
    description: str | None,
    alt_text: str | None,
    tags: Iterable[str],
) -> tuple[str, str]:
    """(title, body) of a work's index row, from its texts (the migration uses this too)."""
    return folded_text(title), folded_text(shown_name, description, alt_text, *tags)


def work_texts(work: Work) -> tuple[str, str]:
    """work_document of a work in every language it is written in (its own columns and its
    WorkText rows), with its tags' names and labels and the names of the prisoners it stands
    with in every spelling: a search in one language, or for a prisoner's name, finds it.

    The names go in the body, never the title: a search for a name puts the prisoner's own
    profile (the name is its title) above the works made for him."""
    rows = [work, *work.texts]
    return work_document(
        " ".join(r.title or "" for r in rows),
        work.shown_name,
        "\n".join(r.description or "" for r in rows),
        " ".join(r.alt_text or "" for r in rows),
        [
            *(name for t in work.tags for name in (t.name, *(t.labels or {}).values())),
            *(name for p in work.prisoners for name in p.all_names()),
        ],
    )


def prisoner_document(
    name: str | None,
    name_native: str | None,
    stories: Iterable[tuple[str | None, str | None]],
    other_names: Iterable[str | None] = (),
) -> tuple[str, str]:
    """(title, body) of a prisoner's index row: names (each language's too); every
    language's summary and story."""
    return (
        folded_text(*dict.fromkeys(n for n in (name, name_native, *other_names) if n)),
        folded_text(*(t for pair in stories for t in pair)),
    )


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
            delete(SearchDocument).where(
                SearchDocument.kind == kind, SearchDocument.ref_id.in_(ids)
            ),
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
    """Put a prisoner's profile in the index as it is now (every profile is public), and
    the public works made for him again, which carry his names (work_texts)."""
    if prisoner.id is None:
        db.session.flush()
    title, body = prisoner_document(
        prisoner.name,
        prisoner.name_native,
        [(s.summary, s.body) for s in prisoner.stories],
        prisoner.all_names(),
    )
    _put(PRISONER, prisoner.id, title, body)
    works = db.session.scalars(
        select(Work)
        .where(
            Work.status == WorkStatus.APPROVED,
            Work.hidden.is_(False),
            Work.prisoners.any(Prisoner.id == prisoner.id),
        )
        .options(
            selectinload(Work.tags), selectinload(Work.prisoners).selectinload(Prisoner.stories)
        )
    ).all()
    for work in works:
        title, body = work_texts(work)
        _put(WORK, work.id, title, body)


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
        .options(
            selectinload(Work.tags), selectinload(Work.prisoners).selectinload(Prisoner.stories)
        )
    ).all()
    prisoners = db.session.scalars(select(Prisoner).options(selectinload(Prisoner.stories))).all()
    for work in works:
        title, body = work_texts(work)
        db.session.add(SearchDocument(kind=WORK, ref_id=work.id, **document_row(title, body)))
    for prisoner in prisoners:
        title, body = prisoner_document(
            prisoner.name,
            prisoner.name_native,
            [(s.summary, s.body) for s in prisoner.stories],
            prisoner.all_names(),
        )
        db.session.add(
            SearchDocument(kind=PRISONER, ref_id=prisoner.id, **document_row(title, body))
        )
    db.session.flush()
    return len(works), len(prisoners)
