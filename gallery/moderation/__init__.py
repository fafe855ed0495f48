"""The moderators' side: login, review queue, reports, audit log, profiles, accounts."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from . import (  # noqa: F401  (their routes join bp)
    admin,
    auth,
    dashboard,
    editorial,
    guide,
    letter_prints,
    letters,
    oversight,
    translating,
    works,
)
from .blueprint import bp, undo_offer
from .queries import open_report_count, pending_count


def _pending_count() -> int | None:
    return pending_count() if current_user.is_authenticated else None


def _open_report_count() -> int | None:
    return open_report_count() if current_user.is_authenticated else None


def init_app(app: Flask) -> None:
    """Register Flask-Login and /login, the /moderation blueprint and the queue count."""
    auth.init_app(app)
    app.register_blueprint(bp)
    app.add_template_global(_pending_count, "pending_count")
    app.add_template_global(undo_offer)
    app.add_template_global(_open_report_count, "open_report_count")
