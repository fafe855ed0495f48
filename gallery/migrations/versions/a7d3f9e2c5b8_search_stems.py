"""search stems

Search stems words with Snowball (issue 23): "Мифтахову" finds "Мифтахов", "prisonniers"
finds "Prisonnier". `search_document` gains the stems of its words for SQLite's FTS5
(`title_stems`, `body_stems`), the FTS5 table is made again over the four columns (and
keeps "й", no longer folded to "и"), PostgreSQL's GIN index covers the words and their
stems in the `english`, `french` and `russian` configurations. Every row is written again
from the works and profiles, so an installation that is upgraded finds words in any of
their forms at once (`flask --app gallery reindex` does the same at any time).

The downgrade goes back to the words-only index of 7c4e9b2d1f60 ("й" folded again).

Revision ID: a7d3f9e2c5b8
Revises: a7c3e9d2f148
Create Date: 2026-12-07 10:00:00

"""

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from gallery import search

# revision identifiers, used by Alembic.
revision = "a7d3f9e2c5b8"
down_revision = "a7c3e9d2f148"
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
document = sa.table(
    "search_document",
    sa.column("kind", sa.String),
    sa.column("ref_id", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("body", sa.Text),
    sa.column("title_stems", sa.Text),
    sa.column("body_stems", sa.Text),
    sa.column("updated", sa.DateTime),
)

# The index of 7c4e9b2d1f60 (words only), to take away and to make again on the way down.
FTS = "search_fts"
TRIGGERS = ("search_document_ai", "search_document_ad", "search_document_au")
OLD_DDL = {
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
        f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # from the rows already there
    ),
    "postgresql": (
        "CREATE INDEX ix_search_document_fts ON search_document USING gin ("
        "(setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')))",
    ),
}
DROP = {
    "sqlite": (f"DROP TABLE IF EXISTS {FTS}", *(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS)),
    "postgresql": ("DROP INDEX IF EXISTS ix_search_document_fts",),
}


def upgrade():
    conn = op.get_bind()
    for statement in DROP.get(conn.dialect.name, ()):
        op.execute(statement)
    with op.batch_alter_table("search_document") as batch_op:
        batch_op.add_column(sa.Column("title_stems", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("body_stems", sa.Text(), nullable=False, server_default=""))
    op.execute(document.delete())
    for statement in search.index_ddl(conn.dialect.name):
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
        title, body = search.work_document(
            w["title"], w["display_name"], w["description"], w["alt_text"], tags[w["id"]]
        )
        rows.append(
            {
                "kind": search.WORK,
                "ref_id": w["id"],
                "updated": now,
                **search.document_row(title, body),
            }
        )
    stories = defaultdict(list)
    for s in conn.execute(
        sa.select(story).order_by(story.c.prisoner_id, story.c.locale)
    ).mappings():
        stories[s["prisoner_id"]].append((s["summary"], s["body"]))
    for p in conn.execute(sa.select(prisoner).order_by(prisoner.c.id)).mappings():
        title, body = search.prisoner_document(p["name"], p["name_native"], stories[p["id"]])
        rows.append(
            {
                "kind": search.PRISONER,
                "ref_id": p["id"],
                "updated": now,
                **search.document_row(title, body),
            }
        )
    if rows:
        op.bulk_insert(document, rows)


def downgrade():
    conn = op.get_bind()
    for statement in search.index_drop(conn.dialect.name) + DROP.get(conn.dialect.name, ()):
        op.execute(statement)
    op.execute(
        document.update().values(
            title=sa.func.replace(document.c.title, "й", "и"),
            body=sa.func.replace(document.c.body, "й", "и"),
        )
    )
    with op.batch_alter_table("search_document") as batch_op:
        batch_op.drop_column("body_stems")
        batch_op.drop_column("title_stems")
    for statement in OLD_DDL.get(conn.dialect.name, ()):
        op.execute(statement)
