"""covering identifying details, near-duplicates and mail to artists

Work gains a perceptual hash (phash) for the moderators' near-duplicate hints, the cover
tool's state (cover_requested, face_suggestions, covered_regions) and, for an artist who
asked to be told of the decision, the encrypted receipt token and the language to write
in.  outgoing_mail holds messages between the decision's commit and their delivery.

Revision ID: 9a3f6c2e8b41
Revises: 7c4e9b2d1f60
Create Date: 2026-12-01 23:30:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "9a3f6c2e8b41"
down_revision = "7c4e9b2d1f60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phash", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("cover_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("face_suggestions", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("covered_regions", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("notify_token", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notify_locale", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_phash"), ["phash"], unique=False)
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", gallery.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work.id"],
            name=op.f("fk_outgoing_mail_work_id_work"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_mail_due", ["next_attempt_at"], unique=False)


def downgrade():
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_outgoing_mail_due")
    op.drop_table("outgoing_mail")
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_phash"))
        for column in (
            "notify_locale",
            "notify_token",
            "covered_regions",
            "face_suggestions",
            "cover_requested",
            "phash",
        ):
            batch_op.drop_column(column)
