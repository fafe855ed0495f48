"""texts in every language

A prisoner's charges, sentence and letter guidance move from the prisoner row into the
per-language rows that already held the story (into the English row, made if missing),
so each can be written in every language. Campaigns get translation rows beside their
original-language columns; prisoners and campaigns say which language they were first
written in; a work says which language the artist wrote in, and keeps a preset rejection
reason by its key so the artist reads it in their own language.

Revision ID: cb80cf436f3f
Revises: 3b9d4c1e7a20
Create Date: 2026-12-01 20:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "cb80cf436f3f"
down_revision = "3b9d4c1e7a20"
branch_labels = None
depends_on = None

TEXTS = ("charges", "sentence", "letter_guidance")
prisoner = sa.table(
    "prisoner", sa.column("id", sa.Integer), *(sa.column(n, sa.Text) for n in TEXTS)
)
story = sa.table(
    "prisoner_story",
    sa.column("id", sa.Integer),
    sa.column("prisoner_id", sa.Integer),
    sa.column("locale", sa.String),
    sa.column("body", sa.Text),
    *(sa.column(n, sa.Text) for n in TEXTS),
)


def upgrade():
    op.create_table(
        "campaign_translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.String(length=400), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_translation_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_translation")),
        sa.UniqueConstraint(
            "campaign_id", "locale", name=op.f("uq_campaign_translation_campaign_id")
        ),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_locale", sa.String(length=8), nullable=False, server_default="en")
        )
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_locale", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("rejection_preset", sa.String(length=20), nullable=True))
    with op.batch_alter_table("prisoner_story", schema=None) as batch_op:
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)

    conn = op.get_bind()
    for row in conn.execute(sa.select(prisoner)).mappings().all():
        values = {n: row[n] for n in TEXTS}
        if not any(values.values()):
            continue
        english = conn.execute(
            sa.select(story.c.id).where(story.c.prisoner_id == row["id"], story.c.locale == "en")
        ).scalar()
        if english is None:
            conn.execute(story.insert().values(prisoner_id=row["id"], locale="en", **values))
        else:
            conn.execute(story.update().where(story.c.id == english).values(**values))

    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_locale", sa.String(length=8), nullable=False, server_default="en")
        )
        for name in TEXTS:
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        for name in TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch_op.drop_column("original_locale")
    conn = op.get_bind()
    rows = conn.execute(sa.select(story).where(story.c.locale == "en")).mappings().all()
    for row in rows:
        conn.execute(
            prisoner.update()
            .where(prisoner.c.id == row["prisoner_id"])
            .values(**{n: row[n] for n in TEXTS})
        )
    conn.execute(story.delete().where(story.c.body.is_(None)))
    with op.batch_alter_table("prisoner_story", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        for name in TEXTS:
            batch_op.drop_column(name)
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_column("rejection_preset")
        batch_op.drop_column("text_locale")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("original_locale")
    op.drop_table("campaign_translation")
