"""work media move pending

A takedown whose media store did not answer still commits; the work is marked so that
`flask move-media` gives its files a new address later (issue 22, security §12).

Revision ID: e5b7a2c9d013
Revises: e12c5b62bacb
Create Date: 2026-12-06 02:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b7a2c9d013"
down_revision = "e12c5b62bacb"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("media_move_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("media_move_pending")
