"""The review queue and the decisions on works."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..forms import split_tags
from ..media import store
from ..queries import BadQuery
from ..services import NotAllowed
from . import after_arg, bp, queries, services
from .forms import ActionForm, EditWorkForm, ReasonForm, preset_choices


def _back_to_queue() -> ResponseReturnValue:
    return redirect(url_for("moderation.queue", after=after_arg()), code=303)


def _back(work_id: int) -> ResponseReturnValue:
    if request.form.get("return") == "work":
        return redirect(url_for("moderation.work", work_id=work_id), code=303)
    return _back_to_queue()


def _form_errors(form: ActionForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


@bp.get("/")
def queue() -> ResponseReturnValue:
    """Pending works, oldest first, with everything needed to decide."""
    try:
        page = queries.queue_page(
            after_arg(), per_page=current_app.config.get("MODERATION_PER_PAGE", 20)
        )
    except BadQuery:
        abort(400)
    if not page.works and after_arg() and page.total:
        # Nothing is left past this point (the last page was just decided), but older
        # works still wait: start again rather than say the queue is empty.
        return redirect(url_for("moderation.queue"), code=303)
    return render_template("moderation/queue.html", page=page, after=after_arg(),
                           presets=preset_choices())  # fmt: skip


@bp.get("/works/<int:work_id>")
def work(work_id: int) -> ResponseReturnValue:
    """One work in any state, with its history and the actions its state allows."""
    found = queries.work_for_review(work_id)
    if found is None:
        abort(404)
    return render_template("moderation/work.html", work=found, events=queries.history(work_id),
                           presets=preset_choices())  # fmt: skip


@bp.post("/works/<int:work_id>/approve")
def approve(work_id: int) -> ResponseReturnValue:
    """Publish a pending work."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        work = services.approve_work(work_id, current_user.id)
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("This work is no longer waiting for review."), "error")
    else:
        flash(_("Approved and published: %(title)s", title=work.title), "success")
    return _back(work_id)


@bp.post("/works/<int:work_id>/reject")
def reject(work_id: int) -> ResponseReturnValue:
    """Refuse a pending work, with the reason the artist will read; its files go."""
    form = ReasonForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(work_id)
    try:
        work = services.reject_work(store(), work_id, current_user.id, form.full_reason())
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("This work is no longer waiting for review."), "error")
    else:
        flash(_("Rejected, and its image deleted: %(title)s", title=work.title), "success")
    return _back(work_id)


@bp.post("/works/<int:work_id>/edit")
def edit(work_id: int) -> ResponseReturnValue:
    """Fix the title, alt text and tags of a pending or published work."""
    form = EditWorkForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(work_id)
    try:
        changed = services.edit_work(
            work_id, current_user.id, title=form.title.data.strip(),
            alt_text=form.alt_text.data.strip(), tag_names=split_tags(form.tags.data),
        )  # fmt: skip
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("A rejected or withdrawn work cannot be edited."), "error")
    else:
        flash(_("Saved.") if changed else _("Nothing was changed."), "success")
    return _back(work_id)


@bp.post("/works/<int:work_id>/unpublish")
def unpublish(work_id: int) -> ResponseReturnValue:
    """Take a published work down at once; it goes back to the queue."""
    form = ReasonForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("moderation.work", work_id=work_id), code=303)
    try:
        work = services.unpublish_work(work_id, current_user.id, form.full_reason())
    except LookupError:
        abort(404)
    except NotAllowed:
        flash(_("Only a published work can be unpublished."), "error")
    else:
        flash(_("Unpublished and back in the queue: %(title)s", title=work.title), "success")
    return redirect(url_for("moderation.work", work_id=work_id), code=303)


def _selected_ids() -> list[int]:
    raw = request.form.getlist("work_ids")
    if not raw or len(raw) > 500 or not all(v.isdigit() and len(v) < 19 for v in raw):
        return []
    return [int(v) for v in raw]


@bp.post("/bulk-approve")
def bulk_approve() -> ResponseReturnValue:
    """Approve every selected pending work."""
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = _selected_ids()
    if not ids:
        flash(_("Select at least one work first."), "error")
        return _back_to_queue()
    done, skipped = services.bulk_decide(store(), ids, current_user.id, approve=True)
    _flash_bulk(ngettext("%(num)s work approved.", "%(num)s works approved.", done), skipped)
    return _back_to_queue()


@bp.post("/bulk-reject")
def bulk_reject() -> ResponseReturnValue:
    """Reject every selected pending work with one reason."""
    form = ReasonForm()
    ids = _selected_ids()
    if not form.validate_on_submit() or not ids:
        _form_errors(form)
        if not ids:
            flash(_("Select at least one work first."), "error")
        return _back_to_queue()
    done, skipped = services.bulk_decide(
        store(), ids, current_user.id, approve=False, reason=form.full_reason()
    )
    _flash_bulk(ngettext("%(num)s work rejected.", "%(num)s works rejected.", done), skipped)
    return _back_to_queue()


def _flash_bulk(message: str, skipped: int) -> None:
    flash(message, "success")
    if skipped:
        flash(ngettext("%(num)s was no longer waiting for review and was left as it was.",
                       "%(num)s were no longer waiting for review and were left as they were.",
                       skipped), "error")  # fmt: skip


@bp.get("/published")
def published() -> ResponseReturnValue:
    """Published works, newest first, to find one to revise."""
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1
    return render_template("moderation/published.html", pagination=queries.published(max(page, 1)))
