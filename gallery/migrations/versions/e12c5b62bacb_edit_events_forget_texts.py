"""edit events forget texts

The `edit` audit events of works that have forgotten their artist (rejected or withdrawn,
or already purged) kept the old and new title and alt text; they now keep only which
fields changed, as audit.forget_edit_texts leaves them from now on. Data only; the texts
are not brought back by a downgrade.

Revision ID: e12c5b62bacb
Revises: a1c3e5f7b9d2
Create Date: 2026-12-06 02:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e12c5b62bacb"
down_revision = "a1c3e5f7b9d2"
branch_labels = None
depends_on = None

# As in gallery/verbs/audit.py when this was written (a migration keeps its own copy).
EDITED_FIELDS = ("title", "alt text", "tags")
FORGOTTEN = "changed (the texts were forgotten with the artist's details)"


def _forgotten(reason):
    fields = [
        name
        for name in EDITED_FIELDS
        if any(line.startswith(f"{name}:") for line in reason.splitlines())
    ]
    return "\n".join(f"{name}: {FORGOTTEN}" for name in fields) or None


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT e.id, e.reason FROM moderation_event e LEFT JOIN work w ON w.id = e.work_id "
            "WHERE e.action = 'edit' AND e.reason IS NOT NULL "
            "AND (w.id IS NULL OR w.status IN ('rejected', 'withdrawn'))"
        )
    ).all()
    for event_id, reason in rows:
        bind.execute(
            sa.text("UPDATE moderation_event SET reason = :reason WHERE id = :id"),
            {"reason": _forgotten(reason), "id": event_id},
        )


def downgrade():
    pass
