"""Visitors' reports and the audit log."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..media import media_store
from ..verbs.reports import dismiss_wave
from ..verbs.reports import handle_report as close_report
from ..web.http import cursor_arg
from . import queries
from .blueprint import act, bp
from .forms import DismissWaveForm, HandleReportForm


def _to_reports() -> ResponseReturnValue:
    return redirect(url_for("moderation.reports"), code=303)


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """Open reports, oldest first, then the latest handled ones."""
    return render_template(
        "moderation/reports.html",
        open_reports=queries.open_reports(),
        handled=queries.handled_reports(),
        form=HandleReportForm(),
        wave_form=DismissWaveForm(),
    )


@bp.post("/reports/<int:report_id>/handle")
def handle_report(report_id: int) -> ResponseReturnValue:
    """Close a report: keep, unpublish or reject the work."""
    form = HandleReportForm()
    return act(
        lambda: close_report(
            media_store(), report_id, current_user.id, form.action.data, form.note.data
        ),
        done=_("Report handled."),
        refused=_("This report was already handled, or the work has changed since."),
        back=_to_reports,
        form=form,
    )


@bp.post("/reports/dismiss-wave")
def dismiss_reports() -> ResponseReturnValue:
    """Dismiss every open report of the last hour or day at once (a wave of false ones)."""
    form = DismissWaveForm()
    return act(
        lambda: dismiss_wave(media_store(), current_user.id, int(form.hours.data), form.note.data),
        done=lambda n: ngettext("%(num)s report dismissed.", "%(num)s reports dismissed.", n),
        refused=_("This report was already handled, or the work has changed since."),
        back=_to_reports,
        form=form,
    )


@bp.get("/audit")
def audit() -> ResponseReturnValue:
    """The audit log, newest first, read-only."""
    events, next_before = queries.audit_page(cursor_arg("before"))
    return render_template("moderation/audit.html", events=events, next_before=next_before)
