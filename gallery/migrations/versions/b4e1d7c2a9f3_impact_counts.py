"""impact counts

Daily counts of what visitors did (postcards and posters printed, letters, slideshows, QR
visits) per work, prisoner and campaign (issue 25): aggregate rows only, with 0 for "none"
so the primary key serves the upsert on SQLite and PostgreSQL.

Revision ID: b4e1d7c2a9f3
Revises: a7d3e9c1f5b2
Create Date: 2026-12-06 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4e1d7c2a9f3"
down_revision = "a7d3e9c1f5b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "impact_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("work_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prisoner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "kind", "work_id", "prisoner_id", "campaign_id", name=op.f("pk_impact_count")
        ),
    )
    with op.batch_alter_table("impact_count", schema=None) as batch_op:
        batch_op.create_index("ix_impact_count_campaign", ["campaign_id", "day"], unique=False)
        batch_op.create_index("ix_impact_count_prisoner", ["prisoner_id", "day"], unique=False)


def downgrade():
    with op.batch_alter_table("impact_count", schema=None) as batch_op:
        batch_op.drop_index("ix_impact_count_prisoner")
        batch_op.drop_index("ix_impact_count_campaign")
    op.drop_table("impact_count")
