"""work content warning

A work may carry a content warning (violence, self-harm, death, other), set by the artist
or a moderator (issue 26): stored as its code, none for no warning.

Revision ID: d9e3b5a7c2f4
Revises: c2f8a4d6e1b3
Create Date: 2026-12-07 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e3b5a7c2f4"
down_revision = "c2f8a4d6e1b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work") as batch:
        batch.add_column(sa.Column("content_warning", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("work") as batch:
        batch.drop_column("content_warning")
