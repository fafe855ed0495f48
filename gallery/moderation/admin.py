"""Admins manage moderators: create, deactivate, reactivate, reset passwords."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from .. import passwords
from ..models import Role
from ..services import NotAllowed
from . import accounts, admin_required, bp, queries
from .forms import ActionForm, NewModeratorForm


def _show_password(username: str, password: str) -> ResponseReturnValue:
    # Rendered, never flashed: a flash would sit in the (signed, not encrypted) cookie.
    response = current_app.make_response(
        render_template("moderation/password_shown.html", username=username, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/moderators")
@admin_required
def moderators() -> ResponseReturnValue:
    """Every account, with the admin's actions."""
    return render_template("moderation/moderators.html", moderators=queries.moderators(),
                           form=NewModeratorForm())  # fmt: skip


@bp.post("/moderators/new")
@admin_required
def create_moderator() -> ResponseReturnValue:
    """A new account with a random password, shown once."""
    form = NewModeratorForm()
    if not form.validate_on_submit():
        flash(_("Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."),
              "error")  # fmt: skip
        return redirect(url_for("moderation.moderators"), code=303)
    password = passwords.random_password()
    role = Role.ADMIN if form.admin.data else Role.MODERATOR
    try:
        moderator = accounts.create_moderator(form.username.data, password, role=role,
                                              actor_id=current_user.id)  # fmt: skip
    except accounts.AccountError as exc:
        flash(_("That username is taken.") if str(exc) == "taken" else
              _("Usernames are 3 to 40 lower-case letters, digits, dots, dashes or underscores."),
              "error")  # fmt: skip
        return redirect(url_for("moderation.moderators"), code=303)
    return _show_password(moderator.username, password)


def _set_active(moderator_id: int, active: bool) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        moderator = accounts.set_active(moderator_id, active, actor_id=current_user.id)
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        flash(_("%(name)s can log in again.", name=moderator.username) if active else
              _("%(name)s is deactivated and logged out everywhere.", name=moderator.username),
              "success")  # fmt: skip
    return redirect(url_for("moderation.moderators"), code=303)


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
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        password = accounts.reset_password(moderator_id, actor_id=current_user.id)
    except LookupError:
        abort(404)
    moderator = next(m for m in queries.moderators() if m.id == moderator_id)
    return _show_password(moderator.username, password)
