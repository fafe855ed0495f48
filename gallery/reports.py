"""Visitors report a published work to the moderators (no account needed)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length

from . import queries
from .extensions import limiter
from .models import ReportCategory
from .moderation import services
from .services import NotAllowed

bp = Blueprint("reports", __name__)

REPORT_LIMIT = "5 per hour;20 per day"

CATEGORY_LABELS = {
    ReportCategory.UNRELATED: _l("It is not related to political prisoners"),
    ReportCategory.PERSON_AT_RISK: _l("It identifies a person who could be at risk"),
    ReportCategory.COPYRIGHT: _l("It copies someone else’s work"),
    ReportCategory.OFFENSIVE: _l("It is offensive"),
    ReportCategory.OTHER: _l("Something else"),
}


def category_label(category: ReportCategory | str) -> str:
    """What a report category means, in the reader's language."""
    return str(CATEGORY_LABELS[ReportCategory(category)])


class ReportForm(FlaskForm):
    category = RadioField(
        _l("What is wrong?"),
        choices=[SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()],
        validators=[InputRequired(_l("Please choose what is wrong."))],
    )
    text = TextAreaField(
        _l("Tell us more"),
        description=_l("Optional, except for “Something else”. Please do not write your name."),
        validators=[Length(max=2000)],  # no Optional(): validate_text must run
    )

    def validate_text(self, field: TextAreaField) -> None:
        if self.category.data == ReportCategory.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("Please tell us what is wrong."))


def _limit() -> str:
    return current_app.config.get("REPORT_RATE_LIMIT", REPORT_LIMIT)


@bp.route("/works/<public_id>/report", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def report(public_id: str) -> ResponseReturnValue:
    """The report form; "identifies a person at risk" takes the work down at once."""
    work = queries.public_work(public_id)
    if work is None:
        abort(404)
    form = ReportForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.file_report(work.id, ReportCategory(form.category.data), form.text.data)
        except NotAllowed:
            abort(404)
        return redirect(url_for("reports.thanks"), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("reports/report.html", work=work, form=form), status


@bp.get("/reports/thanks")
def thanks() -> ResponseReturnValue:
    """Thanks, and what happens next."""
    return render_template("reports/thanks.html")
