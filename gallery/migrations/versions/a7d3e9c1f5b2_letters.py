"""letters

The letter desk (issue 25): letters that visitors write to a prisoner, sealed, read and
translated by volunteers, sent in batches and kept in an archive; audit events that name
a letter.

Revision ID: a7d3e9c1f5b2
Revises: c6e2a8f4d1b9
Create Date: 2026-12-06 23:50:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "a7d3e9c1f5b2"
down_revision = "c6e2a8f4d1b9"
branch_labels = None
depends_on = None

STATUSES = ("pending", "approved", "refused", "sent")


def upgrade():
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="letterstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("body_sealed", sa.Text(), nullable=False),
        sa.Column("signature_sealed", sa.Text(), nullable=False),
        sa.Column("translation_sealed", sa.Text(), nullable=True),
        sa.Column("email_sealed", sa.Text(), nullable=True),
        sa.Column("refusal_preset", sa.String(length=20), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("translated_at", gallery.models.UTCDateTime(), nullable=True),
        sa.Column("decided_at", gallery.models.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", gallery.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["work_id"], ["work.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["moderator.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index("ix_letter_desk", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_letter_sent", ["prisoner_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_prisoner_id"), ["prisoner_id"], unique=False)
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_moderation_event_letter_id"), ["letter_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_moderation_event_letter_id", "letter", ["letter_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_moderation_event_letter_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_moderation_event_letter_id"))
        batch_op.drop_column("letter_id")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_prisoner_id"))
        batch_op.drop_index("ix_letter_sent")
        batch_op.drop_index("ix_letter_desk")
    op.drop_table("letter")
