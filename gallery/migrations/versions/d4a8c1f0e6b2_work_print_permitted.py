"""work print permitted

The moderators' leave to print a work whose licence is "all rights reserved" (issue 13's
print PDFs); every existing work starts without it.

Revision ID: d4a8c1f0e6b2
Revises: b7d2e5a9c3f8
Create Date: 2026-12-02 05:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4a8c1f0e6b2"
down_revision = "b7d2e5a9c3f8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("print_permitted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("print_permitted")
