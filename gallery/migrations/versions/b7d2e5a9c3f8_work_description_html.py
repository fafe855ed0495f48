"""work description rendered once

An artist's Markdown description is rendered and sanitised when it is saved and kept as
HTML, so that no page parses Markdown while it is drawn (a hostile text can cost a parser
tens of milliseconds, once per work on a page).  Existing rows keep NULL and are rendered
when shown.

Revision ID: b7d2e5a9c3f8
Revises: 9a3f6c2e8b41
Create Date: 2026-12-01 23:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e5a9c3f8"
down_revision = "9a3f6c2e8b41"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description_html", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("description_html")
