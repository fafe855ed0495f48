"""Verbs on moderators' accounts: log in and out, passwords, creation, deactivation.

Every verb that ends sessions bumps Moderator.session_generation: the session cookie
carries the generation it was issued with, and auth.py refuses any other."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..core import passwords
from ..core.database import begin_write
from ..core.errors import InvalidInput, NotFound
from ..extensions import db
from ..models import Moderator, Role, actions, utcnow
from . import NotAllowed, audit

USERNAME_RE = re.compile(r"\A[a-z0-9][a-z0-9._-]{2,39}\Z")
DEMO_USERNAME = "demo-moderator"


class AccountError(InvalidInput):
    """A username that is malformed or taken; str() is a short code for the message."""


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively and without surrounding spaces."""
    return username.strip().lower()


def authenticate(username: str, password: str) -> Moderator | None:
    """The active moderator with these credentials, logged as a login; else None.

    Unknown, inactive and wrong-password answers cost one argon2 verification each."""
    moderator = db.session.scalar(
        select(Moderator).where(Moderator.username == normalise_username(username)[:80])
    )
    ok = passwords.verify(moderator.password_hash if moderator else None, password)
    if moderator is None or not ok or not moderator.active:
        return None
    begin_write()
    moderator = db.session.get(Moderator, moderator.id, with_for_update=True)
    if moderator is None or not moderator.active:
        return None
    if passwords.needs_rehash(moderator.password_hash):
        moderator.password_hash = passwords.hasher().hash(password)
    moderator.last_login_at = utcnow()
    audit.record(actions.LOGIN, moderator_id=moderator.id, subject=moderator.username)
    db.session.flush()
    return moderator


def _bump(moderator: Moderator) -> None:
    moderator.session_generation += 1


def _locked(moderator_id: int) -> Moderator:
    begin_write()
    moderator = db.session.get(Moderator, moderator_id, with_for_update=True)
    if moderator is None:
        raise NotFound("no such moderator")
    return moderator


def log_out(moderator_id: int) -> None:
    """End every session of this moderator, on every device."""
    moderator = _locked(moderator_id)
    _bump(moderator)
    audit.record(actions.LOGOUT, moderator_id=moderator.id, subject=moderator.username)
    db.session.flush()


def change_password(moderator_id: int, current: str, new: str) -> None:
    """Replace one's own password (checking the current one); ends every session."""
    moderator = db.session.get(Moderator, moderator_id)
    if moderator is None or not passwords.verify(moderator.password_hash, current):
        raise NotAllowed("wrong-password")
    new_hash = passwords.hash_password(new)  # raises WeakPassword
    moderator = _locked(moderator_id)
    moderator.password_hash = new_hash
    _bump(moderator)
    audit.record(actions.PASSWORD_CHANGE, moderator_id=moderator.id, subject=moderator.username)
    db.session.flush()


def create_moderator(
    username: str,
    password: str,
    *,
    role: Role = Role.MODERATOR,
    actor_id: int | None = None,
    enforce_length: bool = True,
) -> Moderator:
    """A new active account; raises AccountError or passwords.WeakPassword."""
    username = normalise_username(username)
    if not USERNAME_RE.match(username):
        raise AccountError("bad-username")
    password_hash = passwords.hash_password(password, enforce_length=enforce_length)
    begin_write()
    if db.session.scalar(select(Moderator.id).where(Moderator.username == username)):
        raise AccountError("taken")
    moderator = Moderator(username=username, password_hash=password_hash, role=role)
    db.session.add(moderator)
    db.session.flush()
    # The role as its code, shown by its name in the reader's language (labels.event_details).
    audit.record(
        actions.MODERATOR_CREATE, moderator_id=actor_id, subject=username, reason=role.value
    )
    db.session.flush()
    return moderator


def set_active(moderator_id: int, active: bool, *, actor_id: int) -> Moderator:
    """Deactivate (ending every live session at once) or reactivate an account."""
    if moderator_id == actor_id and not active:
        raise NotAllowed("self")
    moderator = _locked(moderator_id)
    moderator.active = active
    _bump(moderator)
    action = actions.MODERATOR_ACTIVATE if active else actions.MODERATOR_DEACTIVATE
    audit.record(action, moderator_id=actor_id, subject=moderator.username)
    db.session.flush()
    return moderator


def reset_password(moderator_id: int, *, actor_id: int) -> tuple[Moderator, str]:
    """Give an account a new random password (returned once) and end its sessions."""
    new = passwords.random_password()
    new_hash = passwords.hash_password(new)
    moderator = _locked(moderator_id)
    moderator.password_hash = new_hash
    _bump(moderator)
    audit.record(actions.MODERATOR_RESET, moderator_id=actor_id, subject=moderator.username)
    db.session.flush()
    return moderator, new


def create_demo_moderator() -> str | None:
    """On an installation without any moderator, an admin `demo-moderator`; its password."""
    if db.session.scalar(select(func.count()).select_from(Moderator)):
        return None
    password = passwords.random_password()
    create_moderator(DEMO_USERNAME, password, role=Role.ADMIN)
    return password
