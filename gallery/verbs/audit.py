"""The audit log: one ModerationEvent per decision, edit and account change, never edited,
except to forget an artist's words when the work forgets its artist (forget_edit_texts).
How each action reads on the audit page is in labels.py."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from ..extensions import db
from ..models import ModerationEvent, utcnow
from ..models.actions import EDIT


def record(
    action: str,
    *,
    moderator_id: int | None = None,
    work_id: int | None = None,
    letter_id: int | None = None,
    subject: str | None = None,
    reason: str | None = None,
) -> ModerationEvent:
    """Add an event to the current transaction (the caller commits)."""
    event = ModerationEvent(
        at=utcnow(),
        action=action,
        moderator_id=moderator_id,
        work_id=work_id,
        letter_id=letter_id,
        subject=subject[:200] if subject else None,
        reason=reason,
    )
    db.session.add(event)
    return event


# An `edit` event's reason names each field changed on a line of its own, with the old and
# the new text ("title: 'Old' -> 'New'", verbs/editing.py edit_work): while the work is
# pending or published, moderators can see what a colleague changed and put it back.
EDITED_FIELDS = ("title", "alt text", "tags")
FORGOTTEN = "changed (the texts were forgotten with the artist's details)"


def forget_edit_texts(work_ids: Collection[int]) -> None:
    """Keep only which fields the `edit` events of these works changed, not the texts: when
    a work forgets its artist (withdrawal, rejection) and when it is purged, so the old
    title and alt text (which often describe people and places) leave the log too."""
    if not work_ids:
        return
    events = db.session.scalars(
        select(ModerationEvent).where(
            ModerationEvent.action == EDIT,
            ModerationEvent.work_id.in_(list(work_ids)),
            ModerationEvent.reason.is_not(None),
        )
    )
    for event in events:
        event.reason = forgotten_edit(event.reason)


def forgotten_edit(reason: str | None) -> str | None:
    """An edit event's reason with only the names of the fields it changed."""
    if reason is None:
        return None
    fields = [
        name
        for name in EDITED_FIELDS
        if any(line.startswith(f"{name}:") for line in reason.splitlines())
    ]
    return "\n".join(f"{name}: {FORGOTTEN}" for name in fields) or None
