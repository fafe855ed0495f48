"""Admins manage moderators: create, deactivate, reactivate, reset passwords."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..core import passwords
from ..extensions import db
from ..models import Moderator, Role
from ..verbs import accounts
from ..web.http import private
from . import queries
from .blueprint import act, admin_required, bp
from .forms import NewModeratorForm


def _to_moderators() -> ResponseReturnValue:
    return redirect(url_for("moderation.moderators"), code=303)


def _show_password(username: str, password: str) -> ResponseReturnValue:
    # Rendered, never flashed: a flash would sit in the (signed, not encrypted) cookie.
    return private(
        render_template("moderation/password_shown.html", username=username, password=password)
    )


@bp.get("/moderators")
@admin_required
def moderators() -> ResponseReturnValue:
    """Every account, with the admin's actions."""
    return render_template(
        "moderation/moderators.html", moderators=queries.moderators(), form=NewModeratorForm()
    )


@bp.post("/moderators/new")
@admin_required
def create_moderator() -> ResponseReturnValue:
    """A new account with a random password, shown once."""
    form = NewModeratorForm()
    if not form.validate_on_submit():
        flash(
            _("Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."),
            "error",
        )
        return _to_moderators()
    password = passwords.random_password()
    role = Role(form.role.data)
    try:
        moderator = accounts.create_moderator(
            form.username.data, password, role=role, actor_id=current_user.id
        )
        db.session.commit()
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(
            _("That username is taken.")
            if str(exc) == "taken"
            else _(
                "Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."
            ),
            "error",
        )
        return _to_moderators()
    return _show_password(moderator.username, password)


def _set_active(moderator_id: int, active: bool) -> ResponseReturnValue:
    def done(moderator: Moderator) -> str:
        if active:
            return _("%(name)s can log in again.", name=moderator.username)
        return _("%(name)s is deactivated and logged out everywhere.", name=moderator.username)

    return act(
        lambda: accounts.set_active(moderator_id, active, actor_id=current_user.id),
        done=done,
        refused=_("You cannot deactivate your own account."),
        back=_to_moderators,
    )


@bp.post("/moderators/<int:moderator_id>/deactivate")
@admin_required
def deactivate_moderator(moderator_id: int) -> ResponseReturnValue:
    """Deactivate an account: its live sessions end at once."""
    return _set_active(moderator_id, False)


@bp.post("/moderators/<int:moderator_id>/activate")
@admin_required
def activate_moderator(moderator_id: int) -> ResponseReturnValue:
    """Let a deactivated account log in again."""
    return _set_active(moderator_id, True)


@bp.post("/moderators/<int:moderator_id>/reset-password")
@admin_required
def reset_password(moderator_id: int) -> ResponseReturnValue:
    """A new random password for an account, shown once; its sessions end."""
    moderator, password = accounts.reset_password(moderator_id, actor_id=current_user.id)
    db.session.commit()  # an unknown account: NotFound, a 404
    return _show_password(moderator.username, password)
