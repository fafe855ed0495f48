"""What a remote server's activities change: a Follow of the gallery's actor stores the
follower (its shared inbox, else its inbox) and queues a signed Accept; an Undo of it
forgets the follower. Called by the inbox (public/federation.py) once the signature is
checked; the signer must be the actor of the activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from .. import federation
from ..core.database import begin_write
from ..core.errors import InvalidInput
from ..extensions import db
from ..models import Follower

MAX_URL = 2000


def _https_url(value: object) -> str:
    if (
        not isinstance(value, str)
        or len(value) > MAX_URL
        or not value.startswith(("https://", "http://"))
    ):
        raise InvalidInput("not an address")
    return value


def follow(name: str, remote: dict[str, Any], activity: dict[str, Any]) -> Follower:
    """Store the signer `remote` (its actor document) as a follower of `name`, once, and
    queue the Accept of `activity` to its inbox."""
    endpoints = remote.get("endpoints") if isinstance(remote.get("endpoints"), dict) else {}
    inbox = _https_url(endpoints.get("sharedInbox") or remote.get("inbox"))
    personal = _https_url(remote.get("inbox"))
    follower_id = _https_url(remote.get("id"))
    begin_write()
    row = db.session.scalar(
        select(Follower).where(Follower.actor == name, Follower.follower_id == follower_id)
    )
    if row is None:
        row = Follower(actor=name, follower_id=follower_id, inbox=inbox)
        db.session.add(row)
    else:
        row.inbox = inbox
    echoed = {
        k: activity[k]
        for k in ("id", "type", "actor", "object")
        if isinstance(activity.get(k), str)
    }
    federation.queue_accept(name, personal, echoed)
    db.session.flush()
    return row


def unfollow(name: str, follower_id: str) -> int:
    """Forget a follower of `name`; how many rows went (0 or 1)."""
    begin_write()
    result = db.session.execute(
        delete(Follower).where(Follower.actor == name, Follower.follower_id == follower_id)
    )
    db.session.flush()
    return result.rowcount or 0
