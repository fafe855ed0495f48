"""campaign calls

A campaign may call for works (issue 26): a brief and a thank-you text in each language
(the original in the campaign's row, the others in its translations) and the days the call
is open.

Revision ID: c2f8a4d6e1b3
Revises: b4e1d7c2a9f3
Create Date: 2026-12-07 03:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c2f8a4d6e1b3"
down_revision = "b4e1d7c2a9f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("call_brief", sa.Text(), nullable=True))
        batch.add_column(sa.Column("call_thanks", sa.Text(), nullable=True))
        batch.add_column(sa.Column("call_opens_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("call_closes_on", sa.Date(), nullable=True))
    with op.batch_alter_table("campaign_translation") as batch:
        batch.add_column(sa.Column("call_brief", sa.Text(), nullable=True))
        batch.add_column(sa.Column("call_thanks", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("campaign_translation") as batch:
        batch.drop_column("call_thanks")
        batch.drop_column("call_brief")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("call_closes_on")
        batch.drop_column("call_opens_on")
        batch.drop_column("call_thanks")
        batch.drop_column("call_brief")
