"""work postcard safe

A moderator's "postcard-safe" decision on a published work (issue 25's solidarity
postcards), separate from publishing; every existing work starts without it.

Revision ID: c6e2a8f4d1b9
Revises: d4b8f2a6c913
Create Date: 2026-12-06 21:50:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "c6e2a8f4d1b9"
down_revision = "d4b8f2a6c913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("postcard_safe", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("postcard_safe_at", gallery.models.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("postcard_safe_at")
        batch_op.drop_column("postcard_safe")
