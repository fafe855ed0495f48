"""The moderators' dashboard (issue 25): the impact figures the public pages show, and the
health of the queues: works pending, letters pending, open reports, and the median time
to a decision over the last 30 days."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..models import Role
from ..models import impact as kinds
from ..web import impact_figures
from . import queries
from .blueprint import bp


@bp.get("/dashboard")
def dashboard() -> ResponseReturnValue:
    """Moderators and admins only: a role added later (the letter desk's volunteers) does
    not see it until it is named here."""
    if current_user.role not in (Role.MODERATOR, Role.ADMIN):
        abort(403)
    return render_template(
        "moderation/dashboard.html",
        figures=impact_figures.figures(),
        kinds=kinds.KINDS,
        pending_works=queries.pending_count(),
        pending_letters=queries.pending_letters(),
        open_reports=queries.open_report_count(),
        median=queries.median_decision_time(),
        window=queries.DECISION_WINDOW_DAYS,
    )
