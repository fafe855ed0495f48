"""Artists submit works without an account and follow them through a private link."""

from __future__ import annotations

import io
import logging

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from .. import images, mail
from ..core.errors import GalleryError
from ..extensions import db
from ..media import media_store
from ..models import CallState, Campaign, Licence, Work, WorkStatus
from ..models.impact import qr_address
from ..verbs import NotAllowed, covers, editing
from ..verbs.submissions import NewWork, submit_work, withdraw_work
from ..web import challenge
from ..web.errors import error_message, retry_later
from ..web.forms import CoverForm, WorkTextsForm, content_warning_value, split_tags
from ..web.http import decode_limits, image_slot, or_404, private
from ..web.i18n import url_in_language
from ..web.limits import limiter, onion_or_client_key
from ..web.templating import language_name
from . import queries
from .forms import SubmitForm, WithdrawForm, WorkWordsForm
from .media import send_rendition

bp = Blueprint("submit", __name__)
# The receipt's form to fix a work's words: its fields' names and ids start with "words-",
# apart from the texts form's on the same page.
WORDS = "words"
log = logging.getLogger(__name__)


def _submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _form(call: Campaign | None = None) -> SubmitForm:
    """The submission form; for a campaign's call, its campaign is fixed (the field is not
    offered) and the prisoners offered are the campaign's, all ticked at first."""
    form = SubmitForm()
    if mail.settings() is None:
        # No mail server: nothing would ever be sent, so the promise is not offered.
        del form.notify
    if request.method == "GET":
        form.language.data = str(get_locale())
    locale = str(get_locale())
    if call is not None:
        del form.campaign
    prisoners = (call.prisoners if call is not None else None) or queries.prisoners(locale)
    form.prisoners.choices = [SelectChoice(p.id, p.name_for(locale)) for p in prisoners]
    if call is not None and request.method == "GET":
        form.prisoners.data = [p.id for p in call.prisoners]
    if call is None:
        form.campaign.choices = [SelectChoice("", _("None"))] + [
            SelectChoice(c.id, _campaign_title(c, locale)) for c in queries.campaigns()
        ]
    return form


def _campaign_title(campaign: Campaign, locale: str) -> str:
    shown = campaign.text_for("title", locale)
    return shown.text if shown else campaign.title


def _fields(form: SubmitForm, call: Campaign | None = None) -> NewWork:
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
        campaign_id=call.id if call is not None else form.campaign.data,
        tag_names=tuple(split_tags(form.tags.data)),
        cover_requested=bool(form.cover.data),
        content_warning=content_warning_value(form.content_warning.data),
        # The language to write to the artist in, when they ask to be told of the decision.
        notify_locale=str(get_locale()) if form.notify and form.notify.data else None,
    )


def _show_form(
    form: SubmitForm,
    status: int = 200,
    problem: str | None = None,
    call: Campaign | None = None,
) -> ResponseReturnValue:
    offer = challenge.offer() if challenge.required() else None
    page = render_template(
        "submit/form.html", form=form, problem=problem, challenge=offer, call=call
    )
    return page, status


# Only accepted works (a 303 to the receipt) use up the budget: a form sent back with
# errors, a refused image or a full disk leaves it as it was.  On the onion service,
# where every client has the same address, the challenge stands in for it.
@bp.route("/submit", methods=["GET", "POST"])
@challenge.form_limit(_submit_limit)
def submit() -> ResponseReturnValue:
    """The submission form; on success, the artist goes to their private status page."""
    return _take(None)


@bp.route("/campaigns/<slug>/submit", methods=["GET", "POST"])
@challenge.form_limit(_submit_limit)
def campaign_call(slug: str) -> ResponseReturnValue:
    """One campaign's call for works: the submission form with its campaign and prisoners
    preset, under its brief and dates. Before it opens and after it closes, the page says
    so and offers the general form; a work sent then is not taken (409 before, 410 after)."""
    call = or_404(queries.campaign_call(slug))
    state = call.call_state()
    if state is CallState.OPEN:
        return _take(call)
    page = render_template("submit/call_shut.html", call=call, state=state)
    if request.method == "GET":
        return page
    log.info("submission refused: the call is %s", state)
    return page, 409 if state is CallState.UPCOMING else 410


@bp.get("/campaigns/<slug>/submit/qr.png")
def campaign_call_qr(slug: str) -> ResponseReturnValue:
    """The QR code of a call's address in the reader's language (with ?src=qr, so a visit
    from it is counted), for organisers' posters and flyers: a PNG any document takes."""
    call = or_404(queries.campaign_call(slug))
    code = segno.make(
        qr_address(url_in_language("submit.campaign_call", slug=call.slug)), error="m"
    )
    out = io.BytesIO()
    code.save(out, kind="png", scale=10, border=4, dark="#000", light="#fff")
    return Response(out.getvalue(), mimetype="image/png")


def _take(call: Campaign | None) -> ResponseReturnValue:
    """The submission form (GET) or a submission (POST), generally or for one call."""
    form = _form(call)
    if request.method == "GET":
        return _show_form(form, call=call)
    challenge.note_pressure()
    if form.website.data:
        log.info("submission refused: honeypot field filled")
        return _show_form(
            form, 400, _("Your submission could not be accepted. Please try again."), call
        )
    if not form.validate_on_submit():
        return _show_form(
            form,
            400,
            _("Your work has not been saved yet. Please correct the fields marked below."),
            call,
        )
    if challenge.required() and not challenge.passed():
        return _show_form(
            form,
            400,
            challenge.unfinished(),
            call,
        )
    upload = form.image.data
    try:
        with image_slot():
            _work, token = submit_work(
                media_store(),
                upload.stream,
                _fields(form, call),
                max_pixels=current_app.config["MAX_IMAGE_PIXELS"],
                limits=decode_limits(),
            )
            db.session.commit()
    except images.InvalidImage as exc:
        form.image.errors = [_(exc.template, **exc.params)]
        return _show_form(form, exc.status, _("The image could not be accepted."), call)
    except NotAllowed:
        return _show_form(
            form, 400, _("Please choose the prisoner and campaign from the list."), call
        )
    except GalleryError as exc:
        # Busy, or the disk full: nothing was kept (the rollback removes the new files);
        # the form again as it was, with what happened. Any other failure is a 500.
        db.session.rollback()
        log.warning("submission refused: %s", type(exc).__name__)
        return retry_later(_show_form(form, exc.status, error_message(exc), call), exc)
    _suggest_faces(_work.id)
    flash(_("Thank you. Your work was received and waits for review."), "success")
    return redirect(url_for("submit.receipt", token=token), code=303)


def _suggest_faces(work_id: int) -> None:
    """The face detector looks at a new work once its submission has committed (never in
    a GET); a failure here leaves the work without suggestions, not the artist without
    their receipt (the next approval, or `flask suggest-faces`, looks again)."""
    try:
        with image_slot():  # the detector runs in a decode child, counted like the others
            covers.suggest_faces(
                media_store(), db.session.get(Work, work_id), limits=decode_limits()
            )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the work is saved; a hint must not cost the page
        db.session.rollback()
        log.exception("could not suggest faces for a new submission")


@bp.get("/submissions/<token>")
def receipt(token: str) -> ResponseReturnValue:
    """The artist's private status page: the work, its status, the reason, withdraw."""
    return _receipt_page(token)


def _receipt_page(
    token: str,
    status: int = 200,
    *,
    form: WithdrawForm | None = None,
    cover_form: CoverForm | None = None,
    texts_form: WorkTextsForm | None = None,
    words_form: WorkWordsForm | None = None,
) -> Response:
    work = or_404(queries.work_for_receipt(token))
    if words_form is None:
        words_form = WorkWordsForm(
            formdata=None,
            prefix=WORDS,
            title=work.title,
            alt_text=work.alt_text,
            description=work.description,
            tags=", ".join(t.name for t in work.tags),
        )
    page = render_template(
        "submit/receipt.html",
        work=work,
        token=token,
        form=form or WithdrawForm(),
        cover_form=(cover_form or CoverForm()).offer(work.face_suggestions),
        texts_form=texts_form or _texts_form(work),
        words_form=words_form,
    )
    return private((page, status))


def _texts_form(work: Work) -> WorkTextsForm:
    languages = [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]
    return WorkTextsForm().offer(work, languages)


@bp.post("/submissions/<token>/texts")
@limiter.limit(_submit_limit, key_func=onion_or_client_key)
def texts(token: str) -> ResponseReturnValue:
    """The artist writes their work's title, alt text and description in another of the
    gallery's languages while it waits for review (a moderator sees them before they are
    published); all three empty takes that language away."""
    work = or_404(queries.work_for_receipt(token))
    form = _texts_form(work)
    if not form.validate_on_submit():
        return _receipt_page(token, 400, texts_form=form)
    try:
        editing.write_work_texts(
            work.id, form.language.data, **form.texts(), states=(WorkStatus.PENDING,)
        )
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(_("This work is no longer waiting for review."), "error")
        return _receipt_page(token, 409, texts_form=form)
    flash(
        _("Your texts in %(language)s are saved.", language=language_name(form.language.data)),
        "success",
    )
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.post("/submissions/<token>/cover")
@limiter.limit(_submit_limit, key_func=onion_or_client_key)
def cover(token: str) -> ResponseReturnValue:
    """The artist covers rectangles on their own pending work, as a moderator would."""
    work = or_404(queries.work_for_receipt(token))
    form = CoverForm()
    if not form.validate_on_submit():
        return _receipt_page(token, 400, cover_form=form)
    try:
        with image_slot():
            covers.cover_work(media_store(), work.id, form.regions.regions, None, decode_limits())
            db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(
            _(
                "Only a work waiting for review can be covered, and its image may have just "
                "changed: please look at it again."
            ),
            "error",
        )
        return _receipt_page(token, 409, cover_form=form)
    except GalleryError as exc:
        # Busy, or the disk full: the new files go with the rollback, the image stays as it
        # was; the page again, with the rectangles drawn.
        db.session.rollback()
        flash(error_message(exc), "error")
        return retry_later(_receipt_page(token, exc.status, cover_form=form), exc)
    count = len(form.regions.regions)
    flash(
        ngettext(
            "%(num)s region covered. Below is your image as it will be published.",
            "%(num)s regions covered. Below is your image as it will be published.",
            count,
        ),
        "success",
    )
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.post("/submissions/<token>/edit")
@limiter.limit(_submit_limit, key_func=onion_or_client_key)
def edit(token: str) -> ResponseReturnValue:
    """The artist fixes the title, alt text, description and tags while the work waits for
    review (audited; it keeps its place in the queue)."""
    work = or_404(queries.work_for_receipt(token))
    form = WorkWordsForm(prefix=WORDS)
    if not form.validate_on_submit():
        return _receipt_page(token, 400, words_form=form)
    try:
        changed = editing.edit_work(
            work.id,
            None,
            title=form.title.data.strip(),
            alt_text=form.alt_text.data.strip(),
            description=(form.description.data or "").strip() or None,
            tag_names=split_tags(form.tags.data),
        )
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(_("This work is no longer waiting for review."), "error")
        return _receipt_page(token, 409, words_form=form)
    flash(_("Your changes are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.post("/submissions/<token>/cover-request")
def request_cover(token: str) -> ResponseReturnValue:
    """The artist asks the moderators to cover faces and other identifying details."""
    work = or_404(queries.work_for_receipt(token))
    try:
        covers.request_cover(work.id)
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(_("This work is no longer waiting for review."), "error")
        return _receipt_page(token, 409)
    flash(
        _(
            "Thank you. Our moderators will cover faces and other identifying details "
            "before publishing."
        ),
        "success",
    )
    return redirect(url_for("submit.receipt", token=token), code=303)


@bp.post("/submissions/<token>/withdraw")
def withdraw(token: str) -> ResponseReturnValue:
    """Withdraw the work: its files are deleted at once."""
    or_404(queries.work_for_receipt(token))  # an unknown or spent link: 404
    form = WithdrawForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _receipt_page(token, 400, form=form)
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
