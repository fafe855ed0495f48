"""uploads: resumable uploads (tus) staged until the submission form takes them

upload holds each upload's length, how much has arrived, an image type when the client
said one, and when it expires; its id is a capability, kept only as its SHA-256.
upload_part holds the bytes, one row per slice, deleted with their upload.

Revision ID: a7c4e9f2b1d3
Revises: d8f2b6a4c1e9
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

import gallery.models

# revision identifiers, used by Alembic.
revision = "a7c4e9f2b1d3"
down_revision = "d8f2b6a4c1e9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("filetype", sa.String(length=100), nullable=True),
        sa.Column("created_at", gallery.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", gallery.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_upload_token_hash")),
    )
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.create_index("ix_upload_expires", ["expires_at"], unique=False)
    op.create_table(
        "upload_part",
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["upload.id"],
            name=op.f("fk_upload_part_upload_id_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", "offset", name=op.f("pk_upload_part")),
    )


def downgrade():
    op.drop_table("upload_part")
    with op.batch_alter_table("upload", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_expires")
    op.drop_table("upload")
