"""works carry their prisoners' names in the search index

A search for a prisoner's name now lists the works made for him too (issue 25): a work's
index row holds, at the end of its body, the names of the prisoners it stands with in every
spelling (Prisoner.name, name_native, each story's name), as search.work_texts writes them.
Every public work's row is written again here, so an upgraded installation finds them at
once (`flask --app gallery reindex` does the same at any time).

The downgrade writes the rows back without the names.

Revision ID: d4b8f2a6c913
Revises: a7d3f9e2c5b8
Create Date: 2026-12-06 22:00:00

"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from gallery import search

# revision identifiers, used by Alembic.
revision = "d4b8f2a6c913"
down_revision = "a7d3f9e2c5b8"
branch_labels = None
depends_on = None

# The tables as they are at this revision (never the models, which move on).
prisoner = sa.table(
    "prisoner",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_native", sa.String),
)
story = sa.table(
    "prisoner_story",
    sa.column("id", sa.Integer),
    sa.column("prisoner_id", sa.Integer),
    sa.column("name", sa.String),
)
work_prisoner = sa.table(
    "work_prisoner", sa.column("work_id", sa.Integer), sa.column("prisoner_id", sa.Integer)
)
document = sa.table(
    "search_document",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("ref_id", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("body", sa.Text),
    sa.column("title_stems", sa.Text),
    sa.column("body_stems", sa.Text),
)


def _names_of_works(conn) -> dict[int, str]:
    """{work id: the folded names of its prisoners, every spelling, each once}."""
    names: dict[int, list[str]] = defaultdict(list)
    for p in conn.execute(sa.select(prisoner).order_by(prisoner.c.id)).mappings():
        names[p["id"]] = [p["name"], p["name_native"]]
    for s in conn.execute(sa.select(story).order_by(story.c.id)).mappings():
        names[s["prisoner_id"]].append(s["name"])
    per_work: dict[int, list[str]] = defaultdict(list)
    links = sa.select(work_prisoner).order_by(work_prisoner.c.work_id, work_prisoner.c.prisoner_id)
    for link in conn.execute(links).mappings():
        per_work[link["work_id"]].extend(n for n in names[link["prisoner_id"]] if n)
    return {w: search.folded_text(*dict.fromkeys(found)) for w, found in per_work.items()}


def _rewrite(conn, body_of) -> None:
    """Write every work row again with the body body_of(work id, body) gives."""
    rows = conn.execute(
        sa.select(document.c.id, document.c.ref_id, document.c.title, document.c.body).where(
            document.c.kind == search.WORK
        )
    ).all()
    for row_id, work_id, title, body in rows:
        new_body = body_of(work_id, body or "")
        if new_body != (body or ""):
            conn.execute(
                document.update()
                .where(document.c.id == row_id)
                .values(**search.document_row(title or "", new_body))
            )


def upgrade():
    conn = op.get_bind()
    names = _names_of_works(conn)
    _rewrite(conn, lambda work_id, body: " ".join(p for p in (body, names.get(work_id)) if p))


def downgrade():
    conn = op.get_bind()
    names = _names_of_works(conn)

    def without(work_id: int, body: str) -> str:
        tail = names.get(work_id)
        if tail and body.endswith(tail):
            return body[: -len(tail)].rstrip()
        return body

    _rewrite(conn, without)
