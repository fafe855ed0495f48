"""federation: followers, announcements and outgoing activities

The gallery's ActivityPub actor (gallery/federation/): fed_follower holds who follows it
(never published), fed_announcement when each published work's Create is due and whether
it was sent, fed_outgoing the signed activities waiting for delivery, retried as mail is.
The actor's key pair is a site_setting row (its private part sealed).

Revision ID: d8f2b6a4c1e9
Revises: c8f2a5d1e7b9
Create Date: 2026-12-07 03:00:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "d8f2b6a4c1e9"
down_revision = "c8f2a5d1e7b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fed_follower",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("follower_id", sa.String(length=2000), nullable=False),
        sa.Column("inbox", sa.String(length=2000), nullable=False),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_follower")),
        sa.UniqueConstraint("actor", "follower_id", name=op.f("uq_fed_follower_actor")),
    )
    op.create_table(
        "fed_announcement",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("due_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("sent_at", gallery.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work.id"],
            name=op.f("fk_fed_announcement_work_id_work"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", name=op.f("pk_fed_announcement")),
    )
    with op.batch_alter_table("fed_announcement", schema=None) as batch_op:
        batch_op.create_index("ix_fed_announcement_due", ["sent_at", "due_at"], unique=False)
    op.create_table(
        "fed_outgoing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("inbox", sa.String(length=2000), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", gallery.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work.id"],
            name=op.f("fk_fed_outgoing_work_id_work"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fed_outgoing")),
    )
    with op.batch_alter_table("fed_outgoing", schema=None) as batch_op:
        batch_op.create_index("ix_fed_outgoing_due", ["next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("fed_outgoing", schema=None) as batch_op:
        batch_op.drop_index("ix_fed_outgoing_due")
    op.drop_table("fed_outgoing")
    with op.batch_alter_table("fed_announcement", schema=None) as batch_op:
        batch_op.drop_index("ix_fed_announcement_due")
    op.drop_table("fed_announcement")
    op.drop_table("fed_follower")
