"""work receipt title

A work's title sealed with a key derived from its receipt token (issue 27): kept when a
rejected or withdrawn work forgets its artist, so the receipt can still say which work it
was; only the link's holder can open it.

Revision ID: b4e8c1f6a2d7
Revises: a7c4e9f2b1d3
Create Date: 2026-12-07 05:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4e8c1f6a2d7"
down_revision = "a7c4e9f2b1d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_title", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("receipt_title")
