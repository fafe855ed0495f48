"""Visitors report a published work to the moderators (no account needed)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..extensions import db
from ..media import media_store
from ..models import ReportCategory
from ..verbs import NotAllowed
from ..verbs.reports import file_report
from ..web import challenge
from ..web.http import or_404
from ..web.limits import network_key
from . import queries
from .forms import ReportForm

bp = Blueprint("reports", __name__)


def _limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


# Counted per IPv4 address or IPv6 /48 (one free tunnel holds 65,536 /64s), every POST;
# on the onion service the challenge stands in for the address.
@bp.route("/works/<public_id>/report", methods=["GET", "POST"])
@challenge.form_limit(_limit, network_key, accepted_only=False)
def report(public_id: str) -> ResponseReturnValue:
    """The report form; "identifies a person at risk" takes the work down at once, within
    the site's budget of auto-hides (verbs/reports.py)."""
    work = or_404(queries.public_work(public_id))
    form = ReportForm()
    problem = None
    if request.method == "POST":
        challenge.note_pressure()
    if request.method == "POST" and form.validate_on_submit():
        if not challenge.required() or challenge.passed():
            try:
                file_report(
                    media_store(),
                    work.id,
                    ReportCategory(form.category.data),
                    form.text.data,
                    hides_per_hour=current_app.config["AUTO_HIDES_PER_HOUR"],
                )
                db.session.commit()
            except NotAllowed:
                abort(404)
            return redirect(url_for("reports.thanks"), code=303)
        problem = challenge.unfinished()
    status = 400 if request.method == "POST" else 200
    offer = challenge.offer() if challenge.required() else None
    return render_template(
        "reports/report.html", work=work, form=form, problem=problem, challenge=offer
    ), status


@bp.get("/reports/thanks")
def thanks() -> ResponseReturnValue:
    """Thanks, and what happens next."""
    return render_template("reports/thanks.html")
