"""The moderators' side: review queue, reports, audit log, profiles, accounts.

Every route of the blueprint needs a logged-in, active moderator (checked once, before
any view runs, so no route can forget it); admin pages add @admin_required."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..extensions import login_manager

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.before_request
def _moderators_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def _private(response):  # type: ignore[no-untyped-def]
    # Pages with e-mail addresses and pending works stay out of every cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 unless the moderator is an admin."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def after_arg() -> str | None:
    """The queue position a form came from, to go back to it."""
    value = request.form.get("after") or request.args.get("after")
    return value if value and len(value) < 60 else None


def _pending_count() -> int | None:
    from .queries import pending_count

    return pending_count() if current_user.is_authenticated else None


def init_app(app: Flask) -> None:
    """Register the blueprint, the CLI commands and the queue count for the nav."""
    from . import admin, cli, editorial, oversight, works  # noqa: F401  (routes)

    app.register_blueprint(bp)
    cli.init_app(app)
    app.add_template_global(_pending_count, "pending_count")
    from ..reports import category_label
    from .audit import action_label

    app.add_template_global(action_label)
    app.add_template_global(category_label)
