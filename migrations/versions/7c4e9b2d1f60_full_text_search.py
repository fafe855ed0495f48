"""full-text search

A `search_document` row per published work and per prisoner profile, written as folded
words (gallery/search.py), with the full-text index of each database: on SQLite an FTS5
table over it kept in step by triggers, on PostgreSQL a GIN index on its tsvector. The
upgrade fills it from the works and profiles already there, so an installation that is
upgraded can search at once (`flask --app gallery reindex` rebuilds it at any time).

Revision ID: 7c4e9b2d1f60
Revises: 5e1f2a9c0b7d
Create Date: 2026-12-02 10:00:00

"""
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from gallery import search

# revision identifiers, used by Alembic.
revision = "7c4e9b2d1f60"
down_revision = "5e1f2a9c0b7d"
branch_labels = None
depends_on = None

# The tables as they are at this revision (never the models, which move on).
work = sa.table("work", sa.column("id", sa.Integer), sa.column("title", sa.String),
                sa.column("display_name", sa.String), sa.column("description", sa.Text),
                sa.column("alt_text", sa.String), sa.column("status", sa.String),
                sa.column("hidden", sa.Boolean))  # fmt: skip
tag = sa.table("tag", sa.column("id", sa.Integer), sa.column("name", sa.String))
work_tag = sa.table("work_tag", sa.column("work_id", sa.Integer), sa.column("tag_id", sa.Integer))
prisoner = sa.table("prisoner", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("name_native", sa.String))  # fmt: skip
story = sa.table("prisoner_story", sa.column("prisoner_id", sa.Integer), sa.column("locale", sa.String),
                 sa.column("summary", sa.String), sa.column("body", sa.Text))  # fmt: skip
document = sa.table("search_document", sa.column("kind", sa.String), sa.column("ref_id", sa.Integer),
                    sa.column("title", sa.Text), sa.column("body", sa.Text),
                    sa.column("updated", sa.DateTime))  # fmt: skip


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
    for statement in search.index_ddl(conn.dialect.name):
        op.execute(statement)
    _fill(conn)


def _fill(conn):
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    tags = defaultdict(list)
    for work_id, name in conn.execute(sa.select(work_tag.c.work_id, tag.c.name)
                                      .join(tag, tag.c.id == work_tag.c.tag_id)
                                      .order_by(tag.c.name)):  # fmt: skip
        tags[work_id].append(name)
    rows = []
    public = sa.select(work).where(work.c.status == "approved", work.c.hidden.is_(False))
    for w in conn.execute(public.order_by(work.c.id)).mappings():
        title, body = search.work_document(w["title"], w["display_name"], w["description"],
                                           w["alt_text"], tags[w["id"]])  # fmt: skip
        rows.append({"kind": search.WORK, "ref_id": w["id"], "title": title, "body": body, "updated": now})
    stories = defaultdict(list)
    for s in conn.execute(sa.select(story).order_by(story.c.prisoner_id, story.c.locale)).mappings():
        stories[s["prisoner_id"]].append((s["summary"], s["body"]))
    for p in conn.execute(sa.select(prisoner).order_by(prisoner.c.id)).mappings():
        title, body = search.prisoner_document(p["name"], p["name_native"], stories[p["id"]])
        rows.append({"kind": search.PRISONER, "ref_id": p["id"], "title": title, "body": body, "updated": now})
    if rows:
        op.bulk_insert(document, rows)


def downgrade():
    for statement in search.index_drop(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("search_document")
