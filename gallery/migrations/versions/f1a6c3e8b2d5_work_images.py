"""work images: a work's other images than its cover image

A work keeps its image columns: they are its cover image. work_image holds its other
images (up to MAX_WORK_IMAGES in all), each with its position, alt text and the same image
columns (ImageColumns in gallery/models/works.py).

Revision ID: f1a6c3e8b2d5
Revises: b4e8c1f6a2d7
Create Date: 2026-12-07 05:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a6c3e8b2d5"
down_revision = "b4e8c1f6a2d7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "work_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=1000), nullable=False),
        sa.Column("image_key", sa.String(length=43), nullable=True),
        sa.Column("image_format", sa.String(length=8), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("image_bytes", sa.Integer(), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("has_alpha", sa.Boolean(), nullable=False),
        sa.Column("renditions", sa.JSON(), nullable=True),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("face_suggestions", sa.JSON(), nullable=True),
        sa.Column("covered_regions", sa.Integer(), nullable=False),
        sa.Column("cover_checked_key", sa.String(length=43), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work.id"],
            name=op.f("fk_work_image_work_id_work"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_image")),
        sa.UniqueConstraint("image_key", name=op.f("uq_work_image_image_key")),
    )
    with op.batch_alter_table("work_image", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_image_phash"), ["phash"], unique=False)
        batch_op.create_index("ix_work_image_work_position", ["work_id", "position"], unique=False)


def downgrade():
    with op.batch_alter_table("work_image", schema=None) as batch_op:
        batch_op.drop_index("ix_work_image_work_position")
        batch_op.drop_index(batch_op.f("ix_work_image_phash"))
    op.drop_table("work_image")
