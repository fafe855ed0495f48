"""work texts and tag labels

A work's title, alt text and description can be written in other languages than the
artist's (work_text rows; the demo posters have them in every language of the gallery),
and a tag can have a label per language, shown instead of its name (issue 23).

Revision ID: a7c3e9d2f148
Revises: a3f7c2e91b54
Create Date: 2026-12-06 06:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e9d2f148"
down_revision = "a3f7c2e91b54"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "work_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("alt_text", sa.String(length=1000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_html", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"], ["work.id"], name=op.f("fk_work_text_work_id_work"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_text")),
        sa.UniqueConstraint("work_id", "locale", name=op.f("uq_work_text_work_id")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.add_column(sa.Column("labels", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_column("labels")
    op.drop_table("work_text")
