"""prisoner names per language

A prisoner's name as each language spells it (prisoner_story.name: «Азат Мифтахов» on
Russian pages, "Azat Miftakhov" on French ones; empty: the base name is shown), and the
language of the name in the prisoner's own script (prisoner.name_native_locale), which the
pages used to mark as Russian whatever it was. Existing native names keep that mark until a
moderator says otherwise.

Revision ID: a3f7c2e91b54
Revises: f3c9d2a1b7e4
Create Date: 2026-12-06 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3f7c2e91b54"
down_revision = "f3c9d2a1b7e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("prisoner_story", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_native_locale", sa.String(length=16), nullable=True))
    prisoner = sa.table(
        "prisoner", sa.column("name_native", sa.String), sa.column("name_native_locale", sa.String)
    )
    op.execute(
        prisoner.update().where(prisoner.c.name_native.is_not(None)).values(name_native_locale="ru")
    )


def downgrade():
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.drop_column("name_native_locale")
    with op.batch_alter_table("prisoner_story", schema=None) as batch_op:
        batch_op.drop_column("name")
