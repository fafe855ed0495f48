"""prisoner birth date

An optional birth date, so the home page can list the birthdays of people in prison in
the coming weeks and visitors can send a card in time.

Revision ID: 5e1f2a9c0b7d
Revises: cb80cf436f3f
Create Date: 2026-12-01 20:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f2a9c0b7d"
down_revision = "cb80cf436f3f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.drop_column("birth_date")
