"""digest subscriptions and moderators' alert mail

subscription holds a reader's double opt-in to the e-mail digest (issue 26): the address
sealed with its private token, a keyed hash of address and scope (one row each), the
scope (everything, a prisoner, a campaign), the language, and when it was confirmed and
last sent. moderator gains a sealed address and an opt-in for the alert mail.

Revision ID: c8f2a5d1e7b9
Revises: d9e3b5a7c2f4
Create Date: 2026-12-07 03:00:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "c8f2a5d1e7b9"
down_revision = "d9e3b5a7c2f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email_sealed", sa.Text(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "all", "prisoner", "campaign", name="digestscope", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("prisoner_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("confirm_sent_at", gallery.models.UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", gallery.models.UTCDateTime(), nullable=True),
        sa.Column("last_sent_at", gallery.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("address_hash"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index("ix_subscription_confirmed", ["confirmed_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_subscription_prisoner_id"), ["prisoner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_subscription_campaign_id"), ["campaign_id"], unique=False
        )
    with op.batch_alter_table("moderator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_email_sealed", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("alerts", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("moderator", schema=None) as batch_op:
        batch_op.drop_column("alerts")
        batch_op.drop_column("alert_email_sealed")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_prisoner_id"))
        batch_op.drop_index("ix_subscription_confirmed")
    op.drop_table("subscription")
