"""source titles per language, and undesirable outlets

A source's title is written in each reader's language (`titles`, locale -> title; `title`
keeps the original language's), and a source from an outlet Russia has declared
"undesirable" is marked (`undesirable`), so the page warns readers in Russia not to repost
it (issue 23). Existing rows keep their title as their only one, and are marked from the
known outlets' addresses.

Revision ID: f3c9d2a1b7e4
Revises: e5b7a2c9d013
Create Date: 2026-12-06 07:00:00

"""

import sqlalchemy as sa
from alembic import op

from gallery.models.outlets import is_undesirable

# revision identifiers, used by Alembic.
revision = "f3c9d2a1b7e4"
down_revision = "e5b7a2c9d013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("titles", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("undesirable", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    bind = op.get_bind()
    source = sa.table("source", sa.column("id", sa.Integer), sa.column("url", sa.String))
    marked = [
        row.id
        for row in bind.execute(sa.select(source.c.id, source.c.url))
        if is_undesirable(row.url)
    ]
    if marked:
        bind.execute(
            sa.text("UPDATE source SET undesirable = :yes WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"yes": True, "ids": marked},
        )


def downgrade():
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("undesirable")
        batch_op.drop_column("titles")
