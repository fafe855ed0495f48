"""Visitors' reports and the audit log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..media import store
from ..services import NotAllowed
from . import bp, queries, services
from .forms import HandleReportForm


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """Open reports, oldest first, then the latest handled ones."""
    return render_template(
        "moderation/reports.html",
        open_reports=queries.open_reports(),
        handled=queries.handled_reports(),
        form=HandleReportForm(),
    )


@bp.post("/reports/<int:report_id>/handle")
def handle_report(report_id: int) -> ResponseReturnValue:
    """Close a report: keep, unpublish or reject the work."""
    form = HandleReportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("moderation.reports"), code=303)
    try:
        services.handle_report(store(), report_id, current_user.id, form.action.data, form.note.data)
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("This report was already handled, or the work has changed since."), "error")
    else:
        flash(_("Report handled."), "success")
    return redirect(url_for("moderation.reports"), code=303)


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """The audit log, newest first, read-only."""
    raw = request.args.get("before", "")
    before = int(raw) if raw.isdigit() and len(raw) < 19 else None
    events, next_before = queries.audit_page(before)
    return render_template("moderation/audit.html", events=events, next_before=next_before)
