"""Artists submit works without an account and follow them through a private link."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from .. import images
from ..extensions import db, media_store
from ..models import Licence, WorkStatus
from ..verbs import NotAllowed
from ..verbs.submissions import NewWork, submit_work, withdraw_work
from ..web.http import or_404, private
from ..web.limits import limiter
from . import queries
from ..web.forms import split_tags
from .forms import SubmitForm, WithdrawForm
from .media import send_rendition

bp = Blueprint("submit", __name__)
log = logging.getLogger(__name__)


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _form() -> SubmitForm:
    form = SubmitForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
    form.prisoners.choices = [SelectChoice(p.id, p.name) for p in queries.prisoners()]
    form.campaign.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(c.id, c.title) for c in queries.campaigns()
    ]
    return form


def _fields(form: SubmitForm) -> NewWork:
    return NewWork(
        title=form.title.data.strip(),
        alt_text=form.alt_text.data.strip(),
        description=(form.description.data or "").strip() or None,
        text_locale=form.language.data or None,
        display_name=(form.display_name.data or "").strip() or None,
        contact_email=(form.email.data or "").strip() or None,
        licence=Licence(form.licence.data),
        own_work=bool(form.own_work.data),
        consent=bool(form.consent.data),
        ai_used=form.ai_used.data == "yes",
        prisoner_ids=tuple(form.prisoners.data or ()),
        campaign_id=form.campaign.data,
        tag_names=tuple(split_tags(form.tags.data)),
    )


def _show_form(form: SubmitForm, status: int = 200, problem: str | None = None) -> ResponseReturnValue:
    return render_template("submit/form.html", form=form, problem=problem), status


@bp.route("/submit", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def submit() -> ResponseReturnValue:
    """The submission form; on success, the artist goes to their private status page."""
    form = _form()
    if request.method == "GET":
        return _show_form(form)
    if form.website.data:
        log.info("submission refused: honeypot field filled")
        return _show_form(form, 400, _("Your submission could not be accepted. Please try again."))
    if not form.validate_on_submit():
        return _show_form(form, 400, _("Please correct the fields marked below."))
    upload = form.image.data
    try:
        _work, token = submit_work(
            media_store(), upload.stream, _fields(form),
            max_pixels=current_app.config["MAX_IMAGE_PIXELS"],
        )  # fmt: skip
        db.session.commit()
    except images.InvalidImage as exc:
        form.image.errors = [_(exc.template, **exc.params)]
        return _show_form(form, exc.status, _("The image could not be accepted."))
    except NotAllowed:
        return _show_form(form, 400, _("Please choose the prisoner and campaign from the list."))
    except OSError:
        # The disk is full or failing: nothing was kept (the rollback removes the new
        # files); say so.
        db.session.rollback()
        log.exception("could not store a submission")
        return _show_form(
            form, 503, _("We could not save your work right now. Please try again later.")
        )
    flash(_("Thank you. Your work was received and waits for review."), "success")
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.get("/submissions/<token>")
def receipt(token: str) -> ResponseReturnValue:
    """The artist's private status page: the work, its status, the reason, withdraw."""
    work = or_404(queries.work_for_receipt(token))
    return private(render_template("submit/receipt.html", work=work, token=token, form=WithdrawForm()))


@bp.post("/submissions/<token>/withdraw")
def withdraw(token: str) -> ResponseReturnValue:
    """Withdraw the work: its files are deleted at once."""
    work = or_404(queries.work_for_receipt(token))
    form = WithdrawForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return private((render_template("submit/receipt.html", work=work, token=token, form=form), 400))
    try:
        withdraw_work(media_store(), token)
        db.session.commit()
    except NotAllowed:
        flash(_("This work can no longer be withdrawn."), "error")
    else:
        flash(_("Your work was withdrawn and its files deleted."), "success")
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.get("/submissions/<token>/media/<filename>")
def receipt_media(token: str, filename: str) -> ResponseReturnValue:
    """The artist's own image while it is pending, never cached."""
    work = or_404(queries.work_for_receipt(token))
    if work.status != WorkStatus.PENDING or not work.image_key:
        abort(404)
    return private(send_rendition(work.image_key, filename, conditional=False))
