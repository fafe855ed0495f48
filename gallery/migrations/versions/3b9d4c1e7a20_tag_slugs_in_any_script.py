"""tag slugs in any script

Tags used to get their slug from the ASCII letters of the name alone ("Café" became "caf",
"протест" was dropped). From now on a slug is the name transliterated by python-slugify
("cafe", "protest"). Re-file the tags already stored under their new slug, merging two
tags that now share one (their works keep every tag they had). Prisoner and campaign
slugs are left alone: they are in links people have shared.

Revision ID: 3b9d4c1e7a20
Revises: ef052ff2ad88
Create Date: 2026-12-01 20:30:00

"""

import sqlalchemy as sa
from alembic import op
from slugify import slugify

# revision identifiers, used by Alembic.
revision = "3b9d4c1e7a20"
down_revision = "ef052ff2ad88"
branch_labels = None
depends_on = None

tag = sa.table(
    "tag", sa.column("id", sa.Integer), sa.column("slug", sa.String), sa.column("name", sa.String)
)
work_tag = sa.table("work_tag", sa.column("work_id", sa.Integer), sa.column("tag_id", sa.Integer))


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(sa.select(tag.c.id, tag.c.slug, tag.c.name).order_by(tag.c.id)).all()
    owner = {slug: tag_id for tag_id, slug, _name in rows}  # slug -> the tag that keeps it
    for tag_id, slug, name in rows:
        new = slugify(name, max_length=60, word_boundary=True)
        if not new or new == slug:
            continue
        keeper = owner.get(new)
        if keeper is None or keeper == tag_id:
            conn.execute(tag.update().where(tag.c.id == tag_id).values(slug=new))
            owner.pop(slug, None)
            owner[new] = tag_id
            continue
        # Another tag already files under the new slug: move this tag's works to it.
        has_keeper = sa.select(work_tag.c.work_id).where(work_tag.c.tag_id == keeper)
        conn.execute(
            work_tag.update()
            .where(work_tag.c.tag_id == tag_id, work_tag.c.work_id.not_in(has_keeper))
            .values(tag_id=keeper)
        )
        conn.execute(work_tag.delete().where(work_tag.c.tag_id == tag_id))
        conn.execute(tag.delete().where(tag.c.id == tag_id))
        owner.pop(slug, None)


def downgrade():
    # Nothing to undo in the schema; the old slugs lost letters and cannot be told apart.
    pass
