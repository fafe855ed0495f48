"""full-text search

A `search_document` row per published work and per prisoner profile, written as folded
words (gallery/search.py as it was then: its index and folding are copied here), with
the full-text index of each database: on SQLite an FTS5 table over it kept in step by
triggers, on PostgreSQL a GIN index on its tsvector. The
upgrade fills it from the works and profiles already there, so an installation that is
upgraded can search at once (`flask --app gallery reindex` rebuilds it at any time).

Revision ID: 7c4e9b2d1f60
Revises: 5e1f2a9c0b7d
Create Date: 2026-12-02 10:00:00

"""

import re
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c4e9b2d1f60"
down_revision = "5e1f2a9c0b7d"
branch_labels = None
depends_on = None

# The tables as they are at this revision (never the models, which move on).
work = sa.table(
    "work",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("display_name", sa.String),
    sa.column("description", sa.Text),
    sa.column("alt_text", sa.String),
    sa.column("status", sa.String),
    sa.column("hidden", sa.Boolean),
)
tag = sa.table("tag", sa.column("id", sa.Integer), sa.column("name", sa.String))
work_tag = sa.table("work_tag", sa.column("work_id", sa.Integer), sa.column("tag_id", sa.Integer))
prisoner = sa.table(
    "prisoner",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_native", sa.String),
)
story = sa.table(
    "prisoner_story",
    sa.column("prisoner_id", sa.Integer),
    sa.column("locale", sa.String),
    sa.column("summary", sa.String),
    sa.column("body", sa.Text),
)
# The index as it was made at this revision ('simple' words only; the stems came with
# a7d3f9e2c5b8): a copy, so that this migration makes the same thing whatever search.py
# becomes.
FTS = "search_fts"
INDEX_DDL = {
    "sqlite": (
        (
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, body, content='search_document', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        ),
        (
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            f"INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        ),
        (
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END"
        ),
        (
            "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
            f"INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        ),
    ),
    "postgresql": (
        "CREATE INDEX ix_search_document_fts ON search_document USING gin ("
        "(setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')))",
    ),
}
INDEX_DROP = {
    "sqlite": (f"DROP TABLE IF EXISTS {FTS}",),
    "postgresql": ("DROP INDEX IF EXISTS ix_search_document_fts",),
}


def old_words(value):
    """The folded words of a text, as search.py made them at this revision: casefolded,
    every combining mark dropped after NFKD (so "й" was "и" too)."""
    decomposed = unicodedata.normalize("NFKD", (value or "").casefold())
    return re.findall(r"[^\W_]+", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def old_document(title, *body):
    """(title, body) of an index row, from the title's text and the body's texts."""
    return " ".join(old_words(title)), " ".join(w for part in body for w in old_words(part))


document = sa.table(
    "search_document",
    sa.column("kind", sa.String),
    sa.column("ref_id", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("body", sa.Text),
    sa.column("updated", sa.DateTime),
)


def upgrade():
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_document_kind")),
    )
    conn = op.get_bind()
    for statement in INDEX_DDL.get(conn.dialect.name, ()):
        op.execute(statement)
    _fill(conn)


def _fill(conn):
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    tags = defaultdict(list)
    for work_id, name in conn.execute(
        sa.select(work_tag.c.work_id, tag.c.name)
        .join(tag, tag.c.id == work_tag.c.tag_id)
        .order_by(tag.c.name)
    ):
        tags[work_id].append(name)
    rows = []
    public = sa.select(work).where(work.c.status == "approved", work.c.hidden.is_(False))
    for w in conn.execute(public.order_by(work.c.id)).mappings():
        title, body = old_document(
            w["title"], w["display_name"], w["description"], w["alt_text"], *tags[w["id"]]
        )
        rows.append(
            {"kind": "work", "ref_id": w["id"], "title": title, "body": body, "updated": now}
        )
    stories = defaultdict(list)
    for s in conn.execute(
        sa.select(story).order_by(story.c.prisoner_id, story.c.locale)
    ).mappings():
        stories[s["prisoner_id"]].append((s["summary"], s["body"]))
    for p in conn.execute(sa.select(prisoner).order_by(prisoner.c.id)).mappings():
        title, body = old_document(
            " ".join(filter(None, (p["name"], p["name_native"]))),
            *(t for pair in stories[p["id"]] for t in pair),
        )
        rows.append(
            {"kind": "prisoner", "ref_id": p["id"], "title": title, "body": body, "updated": now}
        )
    if rows:
        op.bulk_insert(document, rows)


def downgrade():
    for statement in INDEX_DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
    op.drop_table("search_document")
