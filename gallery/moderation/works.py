"""The review queue and the decisions on works."""

from __future__ import annotations

import time

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core.errors import GalleryError, InvalidInput, NotFound
from ..core.i18n import N_
from ..core.paging import Cursor
from ..extensions import db
from ..media import media_store
from ..models import Work
from ..verbs import NotAllowed, covers, decisions, editing, undoing, unpublishing, work_images
from ..web.errors import error_message, retry_later
from ..web.forms import (
    CoverForm,
    chosen_image,
    content_warning_value,
    cover_forms,
    cover_prefix,
    split_tags,
)
from ..web.http import decode_limits, image_slot, or_404, page_arg
from . import finisher, queries
from .blueprint import UNDO_KEY, act, after_arg, bp, campaign_arg, flash_errors
from .forms import ActionForm, ContentWarningForm, EditWorkForm, ReasonForm, preset_choices

MAX_UNDO = 100  # works one Undo can take back (a bulk decision of a whole page)


def _back_to_queue() -> ResponseReturnValue:
    return redirect(
        url_for("moderation.queue", after=after_arg(), campaign=campaign_arg()), code=303
    )


def _back(work_id: int):  # type: ignore[no-untyped-def]
    def back() -> ResponseReturnValue:
        if request.form.get("return") == "work":
            return redirect(url_for("moderation.work", work_id=work_id), code=303)
        return _back_to_queue()

    return back


def _to_work(work_id: int):  # type: ignore[no-untyped-def]
    return lambda: redirect(url_for("moderation.work", work_id=work_id), code=303)


@bp.get("/")
def queue() -> ResponseReturnValue:
    """Pending works, oldest first, with everything needed to decide."""
    after, slug = after_arg(), campaign_arg()
    call = None
    if slug is not None:
        call = queries.campaign_by_slug(slug)
        if call is None:
            raise InvalidInput(N_("There is no such campaign to show the works of."))
    page = queries.queue_page(
        Cursor.optional(after),
        per_page=current_app.config["MODERATION_PER_PAGE"],
        campaign_id=call.id if call else None,
    )
    if not page.works and after and page.total:
        # Nothing is left past this point (the last page was just decided), but older
        # works still wait: start again rather than say the queue is empty.
        return redirect(url_for("moderation.queue", campaign=slug), code=303)
    return render_template(
        "moderation/queue.html",
        page=page,
        after=after,
        presets=preset_choices(),
        call=call,
        campaigns=queries.campaigns(),
    )


@bp.get("/works/<int:work_id>")
def work(work_id: int) -> ResponseReturnValue:
    """One work in any state, with its history and the actions its state allows."""
    return _review_page(work_id)


def _review_page(
    work_id: int,
    status: int = 200,
    cover_form: CoverForm | None = None,
    cover_image: int | None = None,
) -> ResponseReturnValue:
    found = or_404(queries.work_for_review(work_id))
    page = render_template(
        "moderation/work.html",
        work=found,
        events=queries.history(work_id),
        presets=preset_choices(),
        lookalikes=queries.lookalikes([found]).get(found.id, []),
        cover_forms=cover_forms(found, cover_form, cover_image),
    )
    return page, status


@bp.post("/works/<int:work_id>/redact")
def redact(work_id: int) -> ResponseReturnValue:
    """Cover rectangles solid on one image of a pending work (its `image` field; none: the
    cover image): every size is made again from the covered one and the uncovered files
    are deleted once this commits."""
    image_id = chosen_image()
    form = CoverForm(prefix=cover_prefix(image_id))
    try:
        with image_slot():
            return _cover(work_id, form, image_id)
    except GalleryError as exc:
        # Busy, or the disk full: the new files go with the rollback and the work keeps its
        # image as it was; the page again, with the rectangles drawn. (act() answers a
        # refusal itself; any other failure is a 500.)
        db.session.rollback()
        flash(error_message(exc), "error")
        return retry_later(_review_page(work_id, exc.status, form, image_id), exc)


@bp.post("/works/<int:work_id>/cover-image")
def choose_cover_image(work_id: int) -> ResponseReturnValue:
    """Make another of the work's images (its `image` field) its cover image."""
    image_id = chosen_image()
    if image_id is None:
        abort(404)
    return act(
        lambda: work_images.choose_cover_image(work_id, image_id, current_user.id),
        done=_("This image is now the cover image."),
        refused=_("Only a work waiting for review or published can change its cover image."),
        back=_to_work(work_id),
        form=ActionForm(),
    )


def _cover(work_id: int, form: CoverForm, image_id: int | None = None) -> ResponseReturnValue:
    return act(
        lambda: covers.cover_work(
            media_store(),
            work_id,
            form.regions.regions,
            current_user.id,
            decode_limits(),
            image_id=image_id,
        ),
        done=lambda w: ngettext(
            "%(num)s region covered, on every size of the image.",
            "%(num)s regions covered, on every size of the image.",
            len(form.regions.regions),
        ),
        refused=_(
            "Only a work waiting for review can be covered, and its image may "
            "have just changed: please look at it again."
        ),
        back=_to_work(work_id),
        form=form,
        answer=lambda status: _review_page(work_id, status, form, image_id),
    )


def _seen(value: str | None) -> str:
    """A fingerprint sent by an approve form; "" (which matches no work) when it is
    missing or not one: a form from before fingerprints, or made by hand."""
    return value if value and len(value) <= 64 and value.isascii() and value.isalnum() else ""


def _undo_seconds() -> int:
    return int(current_app.config["DECISION_UNDO_SECONDS"])


def _offer_undo(work_ids: list[int]) -> None:
    """Once these decisions have committed: the next page shows an Undo button for them
    while their window lasts, and this worker finishes them when it has passed."""
    seconds = _undo_seconds()
    if work_ids and seconds > 0:
        session[UNDO_KEY] = {"ids": work_ids[:MAX_UNDO], "until": time.time() + seconds}
        finisher.after_undo_window(current_app._get_current_object(), seconds)  # type: ignore[attr-defined]


@bp.post("/works/<int:work_id>/approve")
def approve(work_id: int) -> ResponseReturnValue:
    """Publish a pending work, once what to cover has been looked at, and as the moderator
    saw it (the form's `seen`: the work's review_fingerprint on their page). Otherwise it
    is refused with a 409 and the work's own page, where the moderator can cover, or look
    again at what changed."""
    try:
        work = decisions.approve_work(
            media_store(),
            work_id,
            current_user.id,
            undo=_undo_seconds(),
            seen=_seen(request.form.get("seen")),
        )
        db.session.commit()
    except NotAllowed as exc:
        db.session.rollback()
        if str(exc) == "changed":
            flash(
                _(
                    "Not published: this work was changed after you opened it (by its artist "
                    "or another moderator). Please look at it again."
                ),
                "error",
            )
            return _review_page(work_id, 409)
        if str(exc) != "cover-first":
            flash(_("This work is no longer waiting for review."), "error")
            return _back(work_id)()
        flash(
            _(
                "Not published: the artist asked for covering or the face detector suggests "
                "faces. Cover them, or record that there is nothing to cover, then approve."
            ),
            "error",
        )
        return _review_page(work_id, 409)
    _offer_undo([work.id])
    flash(_("Approved and published: %(title)s", title=work.title), "success")
    return _back(work_id)()


@bp.post("/works/<int:work_id>/reject")
def reject(work_id: int) -> ResponseReturnValue:
    """Refuse a pending work, with the reason the artist will read; its files go once the
    rejection can no longer be undone."""
    form = ReasonForm()

    def done(work: Work) -> str:
        _offer_undo([work.id])
        return _("Rejected, and its image deleted: %(title)s", title=title)

    # Read first: a rejected work forgets its title with everything else of its artist.
    found = db.session.get(Work, work_id)
    title = found.title if found is not None else ""
    return act(
        lambda: decisions.reject_work(
            media_store(),
            work_id,
            current_user.id,
            form.reason.data,
            preset=form.preset.data or None,
            undo=_undo_seconds(),
        ),
        done=done,
        refused=_("This work is no longer waiting for review."),
        back=_back(work_id),
        form=form,
    )


@bp.post("/works/<int:work_id>/nothing-to-cover")
def nothing_to_cover(work_id: int) -> ResponseReturnValue:
    """Record that the work's image, as it is now, has nothing (more) to cover."""
    return act(
        lambda: covers.nothing_to_cover(work_id, current_user.id),
        done=_("Recorded: nothing to cover on this image. It can be approved."),
        refused=_("Only a work waiting for review can be checked."),
        back=_to_work(work_id),
        form=ActionForm(),
    )


@bp.post("/undo")
def undo() -> ResponseReturnValue:
    """Take back the decisions just made (approve or reject, one work or several) while
    their window lasts: the works wait in the queue again."""
    form = ActionForm()
    ids = _selected_ids()
    session.pop(UNDO_KEY, None)
    if not form.validate_on_submit() or not ids:
        flash_errors(form)
        return _back_to_queue()
    undone, late = [], 0
    for work_id in ids:
        try:  # refused before it changes anything: the others still go
            undone.append(
                undoing.undo_decision(media_store(), work_id, current_user.id, _undo_seconds()).id
            )
        except (NotAllowed, NotFound):
            late += 1
    db.session.commit()
    if undone:
        flash(
            ngettext(
                "Undone: the work waits for review again.",
                "Undone: %(num)s works wait for review again.",
                len(undone),
            ),
            "success",
        )
    if late:
        flash(_("Too late to undo: the decision is final, or the work changed since."), "error")
    if len(undone) == 1:
        return redirect(url_for("moderation.work", work_id=undone[0]), code=303)
    return _back_to_queue()


@bp.post("/works/<int:work_id>/edit")
def edit(work_id: int) -> ResponseReturnValue:
    """Fix the title, alt text and tags of a pending or published work."""
    form = EditWorkForm()
    return act(
        lambda: editing.edit_work(
            work_id,
            current_user.id,
            title=form.title.data.strip(),
            alt_text=form.alt_text.data.strip(),
            tag_names=split_tags(form.tags.data),
        ),
        done=lambda changed: _("Saved.") if changed else _("Nothing was changed."),
        refused=_("A rejected or withdrawn work cannot be edited."),
        back=_back(work_id),
        form=form,
    )


@bp.post("/works/<int:work_id>/unpublish")
def unpublish(work_id: int) -> ResponseReturnValue:
    """Take a published work down at once; it goes back to the queue."""
    form = ReasonForm()
    return act(
        lambda: unpublishing.unpublish_work(
            media_store(), work_id, current_user.id, form.full_reason()
        ),
        done=lambda w: (
            _("Unpublished and back in the queue: %(title)s", title=w.title)
            if not w.media_move_pending
            else _(
                "Unpublished and back in the queue: %(title)s. The media store "
                "did not answer, so its images keep their old address for now; "
                "nobody can see them, and they move when the store answers.",
                title=w.title,
            )
        ),
        refused=_("Only a published work can be unpublished."),
        back=_to_work(work_id),
        form=form,
    )


def _print_leave(work_id: int, permitted: bool) -> ResponseReturnValue:
    return act(
        lambda: editing.set_print_leave(work_id, current_user.id, permitted),
        done=lambda w: (
            _("The artist’s permission to print is recorded: %(title)s", title=w.title)
            if permitted
            else _("Permission to print withdrawn: %(title)s", title=w.title)
        ),
        refused=_(
            "Only a pending or published work with all rights reserved needs the "
            "artist’s permission to print."
        ),
        back=_to_work(work_id),
        form=ActionForm(),
    )


@bp.post("/works/<int:work_id>/allow-print")
def allow_print(work_id: int) -> ResponseReturnValue:
    """Record the artist's permission to print (posters, wall labels) a work whose licence
    reserves every right."""
    return _print_leave(work_id, True)


@bp.post("/works/<int:work_id>/forbid-print")
def forbid_print(work_id: int) -> ResponseReturnValue:
    """Withdraw the permission to print a work whose licence reserves every right."""
    return _print_leave(work_id, False)


@bp.post("/works/<int:work_id>/postcard-safe")
def postcard_safe(work_id: int) -> ResponseReturnValue:
    """Mark a published work safe to send as a solidarity postcard (the box `safe`
    ticked), or take the mark back (not ticked): 409 for a work that is not published."""
    safe = request.form.get("safe") is not None
    return act(
        lambda: editing.set_postcard_safe(work_id, current_user.id, safe),
        done=lambda w: (
            _("Marked safe to send as a postcard: %(title)s", title=w.title)
            if safe
            else _("No longer offered as a postcard: %(title)s", title=w.title)
        ),
        refused=_("Only a published work can be sent as a postcard."),
        back=_to_work(work_id),
        form=ActionForm(),
        answer=lambda status: _review_page(work_id, status),
    )


@bp.post("/works/<int:work_id>/content-warning")
def content_warning(work_id: int) -> ResponseReturnValue:
    """Set or take off a pending or published work's content warning (field `warning`:
    a code, or empty for none)."""
    form = ContentWarningForm()
    return act(
        lambda: editing.set_content_warning(
            work_id, current_user.id, content_warning_value(form.warning.data)
        ),
        done=lambda w: _("Content warning saved: %(title)s", title=w.title),
        refused=_("Only a pending or published work can carry a content warning."),
        back=_to_work(work_id),
        form=form,
        answer=lambda status: _review_page(work_id, status),
    )


def _selected_ids() -> list[int]:
    raw = request.form.getlist("work_ids")
    if (
        not raw
        or len(raw) > 500
        or not all(v.isascii() and v.isdigit() and len(v) < 19 for v in raw)
    ):
        return []
    return [int(v) for v in raw]


def _bulk(approve_them: bool, reason: str | None, preset: str | None = None) -> ResponseReturnValue:
    ids = _selected_ids()
    if not ids:
        flash(_("Select at least one work first."), "error")
        return _back_to_queue()
    outcome = decisions.bulk_decide(
        media_store(),
        ids,
        current_user.id,
        approve_them=approve_them,
        reason=reason,
        preset=preset,
        undo=_undo_seconds(),
        seen={i: _seen(request.form.get(f"seen-{i}")) for i in ids} if approve_them else None,
    )
    db.session.commit()
    _offer_undo(outcome.done)
    done = len(outcome.done)
    if approve_them:
        flash(ngettext("%(num)s work approved.", "%(num)s works approved.", done), "success")
    else:
        flash(ngettext("%(num)s work rejected.", "%(num)s works rejected.", done), "success")
    if outcome.cover_first:
        flash(
            ngettext(
                "%(num)s was not published: the artist asked for covering or the face detector "
                "suggests faces. Open it to cover, or to record that there is nothing to cover.",
                "%(num)s were not published: their artists asked for covering or the face detector "
                "suggests faces. Open each to cover, or to record that there is nothing to cover.",
                outcome.cover_first,
            ),
            "error",
        )
    if outcome.changed:
        flash(
            ngettext(
                "%(num)s was not approved: it was changed after you opened this page (by its "
                "artist or another moderator). Look at it again.",
                "%(num)s were not approved: they were changed after you opened this page (by "
                "their artists or another moderator). Look at them again.",
                outcome.changed,
            ),
            "error",
        )
    if outcome.skipped:
        flash(
            ngettext(
                "%(num)s was no longer waiting for review and was left as it was.",
                "%(num)s were no longer waiting for review and were left as they were.",
                outcome.skipped,
            ),
            "error",
        )
    return _back_to_queue()


@bp.post("/bulk-approve")
def bulk_approve() -> ResponseReturnValue:
    """Approve every selected pending work."""
    return _bulk(True, None)


@bp.post("/bulk-reject")
def bulk_reject() -> ResponseReturnValue:
    """Reject every selected pending work with one reason."""
    form = ReasonForm()
    if not form.validate_on_submit():
        flash_errors(form)
        if not _selected_ids():
            flash(_("Select at least one work first."), "error")
        return _back_to_queue()
    return _bulk(False, form.reason.data, form.preset.data or None)


@bp.get("/published")
def published() -> ResponseReturnValue:
    """Published works, newest first, to find one to revise."""
    return render_template("moderation/published.html", pagination=queries.published(page_arg()))
