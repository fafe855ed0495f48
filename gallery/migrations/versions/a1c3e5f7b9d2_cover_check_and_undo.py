"""cover check and undo

cover_checked_key: the image key on which a moderator reviewed what to cover (covers
applied, or "nothing to cover" recorded); a work whose artist asked for covering, or
that has face suggestions, is approved only when it equals the current image key.
finalize_after: a rejected work keeps its files and its artist's details until then, so
the rejection can be undone for a short while (DECISION_UNDO_SECONDS).

Revision ID: a1c3e5f7b9d2
Revises: d4a8c1f0e6b2
Create Date: 2026-12-06 02:50:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "a1c3e5f7b9d2"
down_revision = "d4a8c1f0e6b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_checked_key", sa.String(length=43), nullable=True))
        batch_op.add_column(
            sa.Column("finalize_after", gallery.models.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("finalize_after")
        batch_op.drop_column("cover_checked_key")
