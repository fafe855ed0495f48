"""Visitors report a published work to the moderators (no account needed)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..extensions import db, media_store
from ..models import ReportCategory
from ..verbs import NotAllowed
from ..verbs.reports import file_report
from ..web.limits import limiter
from ..web.http import or_404
from . import queries
from .forms import ReportForm

bp = Blueprint("reports", __name__)

REPORT_LIMIT = "5 per hour;20 per day"


def _limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", REPORT_LIMIT)


@bp.route("/works/<public_id>/report", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def report(public_id: str) -> ResponseReturnValue:
    """The report form; "identifies a person at risk" takes the work down at once."""
    work = or_404(queries.public_work(public_id))
    form = ReportForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            file_report(media_store(), work.id, ReportCategory(form.category.data), form.text.data)
            db.session.commit()
        except NotAllowed:
            abort(404)
        return redirect(url_for("reports.thanks"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("reports/report.html", work=work, form=form), status


@bp.get("/reports/thanks")
def thanks() -> ResponseReturnValue:
    """Thanks, and what happens next."""
    return render_template("reports/thanks.html")
