"""Artists submit works without an account and follow them through a private link."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from contextlib import closing
from typing import BinaryIO

import segno
from flask import (
    Blueprint,
    Flask,
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
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice

from .. import images, mail
from ..core.errors import GalleryError
from ..extensions import db
from ..media import media_store
from ..models import CallState, Campaign, Licence, Work, WorkStatus, utcnow
from ..models.impact import qr_address
from ..verbs import NotAllowed, covers, editing, uploads, work_images
from ..verbs.submissions import NewWork, submit_work, withdraw_work
from ..web import challenge
from ..web.errors import error_message, retry_later
from ..web.forms import (
    CoverForm,
    WorkTextsForm,
    chosen_image,
    content_warning_value,
    cover_forms,
    cover_prefix,
    split_tags,
)
from ..web.http import decode_limits, image_slot, or_404, private
from ..web.i18n import url_in_language
from ..web.limits import limiter, onion_or_client_key, spend
from ..web.templating import language_name
from . import queries
from .forms import (
    AddImageForm,
    ImageAltForm,
    SubmitForm,
    WithdrawForm,
    WorkWordsForm,
    chosen_file,
)
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
    form = SubmitForm().offer_more_images(current_app.config["MAX_WORK_IMAGES"] - 1)
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
        "submit/form.html",
        form=form,
        problem=problem,
        challenge=offer,
        call=call,
        kept_hours=_kept_hours(form.upload),
        more_kept_hours=[_kept_hours(entry.form.upload) for entry in form.more],
    )
    return page, status


def _kept_hours(upload: HiddenField) -> int | None:
    """The hours (rounded, at least one) the image an upload field names stays kept, or None
    when it names no complete upload (then the hidden field is emptied)."""
    kept = uploads.upload_state(upload.data) if request.method == "POST" else None
    if kept is None or not kept.complete:
        upload.data = ""
        return None
    return max(1, round((kept.expires_at - utcnow()).total_seconds() / 3600))


def _slots(form: SubmitForm) -> list[tuple[FileField, HiddenField]]:
    """Each image of the form: its file field and the hidden field naming its upload (the
    cover image's, then the other images')."""
    return [(form.image, form.upload), *((m.image, m.upload) for m in (e.form for e in form.more))]


def _image_source(field: FileField, upload: HiddenField) -> BinaryIO:
    """Where an image comes from: the file chosen in the form, else the complete resumable
    upload (/uploads/) it names (uploads.UploadMissing if it has gone since)."""
    chosen = chosen_file(field)
    if chosen is not None:
        return chosen.stream
    return uploads.take_upload(upload.data)


def _keep_images(form: SubmitForm) -> None:
    """A form sent back with a mistake: each file sent the plain way is kept as a complete
    upload, named in its hidden field, so the artist need not send it again (an earlier
    one it replaces goes). Counted against UPLOAD_RATE_LIMIT; past it, or when the database
    cannot keep it, the file is not kept and the page asks for it again."""
    for field, upload in _slots(form):
        chosen = chosen_file(field)
        if chosen is None:
            continue
        limit = current_app.config["UPLOAD_RATE_LIMIT"]
        if current_app.config["RATELIMIT_ENABLED"] and not spend(
            limit, "kept-" + onion_or_client_key()
        ):
            log.info("image not kept: the client's upload budget is spent")
            return
        chosen.stream.seek(0)
        data = chosen.stream.read()
        filetype = chosen.mimetype if chosen.mimetype.startswith("image/") else None
        try:
            uploads.drop_upload(upload.data)
            upload.data = uploads.stash_upload(data, filetype[:100] if filetype else None)
            db.session.commit()
        except GalleryError as exc:
            db.session.rollback()
            upload.data = ""
            log.warning("image not kept: %s", type(exc).__name__)


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
        _keep_images(form)
        return _show_form(
            form,
            400,
            _("Your work has not been saved yet. Please correct the fields marked below."),
            call,
        )
    if challenge.required() and not challenge.passed():
        _keep_images(form)
        return _show_form(
            form,
            400,
            challenge.unfinished(),
            call,
        )
    failing = form.image, form.upload  # the image being read, which a refusal is about
    try:
        with image_slot():
            store, config = media_store(), current_app.config
            with closing(_image_source(*failing)) as image:
                _work, token = submit_work(
                    store,
                    image,
                    _fields(form, call),
                    max_pixels=config["MAX_IMAGE_PIXELS"],
                    limits=decode_limits(),
                )
            for more in form.more_images():  # the work's other images, in the same commit
                failing = more.image, more.upload
                with closing(_image_source(*failing)) as image:
                    work_images.add_work_image(
                        store,
                        _work.id,
                        image,
                        more.alt_text.data.strip(),
                        max_images=config["MAX_WORK_IMAGES"],
                        max_pixels=config["MAX_IMAGE_PIXELS"],
                        limits=decode_limits(),
                        audited=False,
                    )
            # The uploads they came from (or ones that files chosen since replaced) go too.
            for _field, upload in _slots(form):
                uploads.drop_upload(upload.data)
            work_id = _work.id  # read before the commit expires it
            db.session.commit()
    except uploads.UploadMissing as exc:
        db.session.rollback()
        failing[0].errors = [_(exc.template)]
        return _show_form(
            form,
            400,
            _("Your work has not been saved yet. Please correct the fields marked below."),
            call,
        )
    except images.InvalidImage as exc:
        # No file of this submission is kept, and a refused image is not kept for another
        # attempt: its upload goes too (the others stay, for the next attempt).
        db.session.rollback()
        if uploads.drop_upload(failing[1].data):
            db.session.commit()
        failing[1].data = ""
        failing[0].errors = [_(exc.template, **exc.params)]
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
    flash(_("Thank you. Your work was received and waits for review."), "success")
    return _then_suggest_faces(redirect(url_for("submit.receipt", token=token), code=303), work_id)


def _then_suggest_faces(response: Response, work_id: int) -> Response:
    """The response, after which (once sent) the face detector looks at the work's images."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response.call_on_close(lambda: _suggest_faces(app, work_id))
    return response


def _suggest_faces(app: Flask, work_id: int) -> None:
    """The face detector looks at a new work once its submission has committed and the
    artist has their answer: the server calls this when the response has been sent (WSGI's
    close), in the same worker, so the upload does not wait for it (a detector's child
    spends ~0.2 s loading OpenCV, more than a 2 MP upload's pipeline). Never in a GET. A
    failure here, or a worker stopped first, leaves the work without suggestions: the
    receipt says the detector has not looked yet, and the approval looks before anything
    is published (verbs.decisions), as `flask suggest-faces` does for a backlog."""
    with app.app_context():
        try:
            with image_slot():  # the detector runs in a decode child, counted like the others
                work = db.session.get(Work, work_id)
                if work is not None:
                    covers.suggest_faces(media_store(), work, limits=decode_limits())
            db.session.commit()
        except Exception:  # noqa: BLE001 - the work is saved; a hint must not cost a thing
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
    cover_image: int | None = None,
    add_form: AddImageForm | None = None,
    alt_form: ImageAltForm | None = None,
    alt_image: int | None = None,
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
        cover_forms=cover_forms(work, cover_form, cover_image),
        texts_form=texts_form or _texts_form(work),
        words_form=words_form,
        # A rejected or withdrawn work has forgotten its title; its seal has not.
        sealed_title=None if work.title else work.receipt_title_for(token),
        add_form=add_form or AddImageForm(formdata=None, prefix=ADD),
        alt_forms={
            image.id: (
                alt_form
                if alt_form is not None and image.id == alt_image
                else ImageAltForm(formdata=None, prefix=_alt_prefix(image.id), obj=image)
            )
            for image in work.images
        },
        max_images=current_app.config["MAX_WORK_IMAGES"],
    )
    return private((page, status))


# The receipt's forms of a work's other images: their fields' names start with these.
ADD = "add"


def _alt_prefix(image_id: int) -> str:
    return f"alt{image_id}"


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
    image_id = chosen_image()
    if image_id is not None and image_id not in {i.id for i in work.images}:
        abort(404)
    form = CoverForm(prefix=cover_prefix(image_id))
    if not form.validate_on_submit():
        return _receipt_page(token, 400, cover_form=form, cover_image=image_id)
    try:
        with image_slot():
            covers.cover_work(
                media_store(),
                work.id,
                form.regions.regions,
                None,
                decode_limits(),
                image_id=image_id,
            )
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
        return _receipt_page(token, 409, cover_form=form, cover_image=image_id)
    except GalleryError as exc:
        # Busy, or the disk full: the new files go with the rollback, the image stays as it
        # was; the page again, with the rectangles drawn.
        db.session.rollback()
        flash(error_message(exc), "error")
        page = _receipt_page(token, exc.status, cover_form=form, cover_image=image_id)
        return retry_later(page, exc)
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
            receipt_token=token,
        )
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        flash(_("This work is no longer waiting for review."), "error")
        return _receipt_page(token, 409, words_form=form)
    flash(_("Your changes are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("submit.receipt", token=token), code=303)


def _no_longer_pending(token: str) -> Response:
    db.session.rollback()
    flash(_("This work is no longer waiting for review."), "error")
    return _receipt_page(token, 409)


@bp.post("/submissions/<token>/images")
@limiter.limit(_submit_limit, key_func=onion_or_client_key)
def add_image(token: str) -> ResponseReturnValue:
    """The artist adds one more image to their pending work (up to MAX_WORK_IMAGES)."""
    work = or_404(queries.work_for_receipt(token))
    work_id = work.id
    form = AddImageForm(prefix=ADD)
    if not form.validate_on_submit():
        return _receipt_page(token, 400, add_form=form)
    config = current_app.config
    try:
        with image_slot():
            work_images.add_work_image(
                media_store(),
                work.id,
                form.image.data.stream,
                form.alt_text.data.strip(),
                max_images=config["MAX_WORK_IMAGES"],
                max_pixels=config["MAX_IMAGE_PIXELS"],
                limits=decode_limits(),
            )
            db.session.commit()
    except images.InvalidImage as exc:
        db.session.rollback()
        form.image.errors = [_(exc.template, **exc.params)]
        return _receipt_page(token, exc.status, add_form=form)
    except NotAllowed as exc:
        if str(exc) != "too-many":
            return _no_longer_pending(token)
        db.session.rollback()
        flash(_("A work can have at most %(num)s images.", num=config["MAX_WORK_IMAGES"]), "error")
        return _receipt_page(token, 409, add_form=form)
    except GalleryError as exc:
        db.session.rollback()  # the new files go with it
        flash(error_message(exc), "error")
        return retry_later(_receipt_page(token, exc.status, add_form=form), exc)
    flash(_("The image was added."), "success")
    return _then_suggest_faces(
        redirect(url_for("submit.receipt", token=token, _anchor="images"), code=303), work_id
    )


def _checked(token: str, image_id: int | None) -> Work:
    """The receipt's work, which must have an image of this id, or for None (its cover
    image) at least one other image (else 404); CSRFProtect has checked the form's
    token."""
    work = or_404(queries.work_for_receipt(token))
    if not work.images or (image_id is not None and image_id not in {i.id for i in work.images}):
        abort(404)
    return work


@bp.post("/submissions/<token>/images/<int:image_id>/remove")
def remove_image(token: str, image_id: int) -> ResponseReturnValue:
    """The artist removes one of their pending work's other images: its files go at once."""
    return _change_image(
        token,
        image_id,
        lambda work_id: work_images.remove_work_image(media_store(), work_id, image_id),
        _("The image was removed and its files deleted."),
    )


@bp.post("/submissions/<token>/images/cover/remove")
def remove_cover_image(token: str) -> ResponseReturnValue:
    """The artist removes their pending work's cover image (the first one): the next image
    takes its place. A work of one image has none to remove here (404): withdrawing is
    the way to take it back."""
    return _change_image(
        token,
        None,
        lambda work_id: work_images.remove_work_image(media_store(), work_id, None),
        _("The image was removed and its files deleted."),
    )


@bp.post("/submissions/<token>/images/<int:image_id>/cover-image")
def choose_cover_image(token: str, image_id: int) -> ResponseReturnValue:
    """The artist makes one of their pending work's other images its cover image."""
    return _change_image(
        token,
        image_id,
        lambda work_id: work_images.choose_cover_image(work_id, image_id),
        _("This image is now the cover image."),
    )


def _change_image(
    token: str, image_id: int | None, change: Callable[[int], object], done: str
) -> ResponseReturnValue:
    """One change to a pending work's image from the private link, then its images again."""
    work = _checked(token, image_id)
    try:
        change(work.id)
        db.session.commit()
    except NotAllowed:
        return _no_longer_pending(token)
    flash(done, "success")
    return redirect(url_for("submit.receipt", token=token, _anchor="images"), code=303)


@bp.post("/submissions/<token>/images/<int:image_id>/alt")
@limiter.limit(_submit_limit, key_func=onion_or_client_key)
def image_alt(token: str, image_id: int) -> ResponseReturnValue:
    """The artist fixes the description (alt text) of one of their work's other images."""
    work = _checked(token, image_id)
    form = ImageAltForm(prefix=_alt_prefix(image_id))
    if not form.validate_on_submit():
        return _receipt_page(token, 400, alt_form=form, alt_image=image_id)
    try:
        changed = work_images.set_image_alt(work.id, image_id, form.alt_text.data.strip())
        db.session.commit()
    except NotAllowed:
        return _no_longer_pending(token)
    flash(_("Your changes are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("submit.receipt", token=token, _anchor="images"), code=303)


@bp.get("/submissions/<token>/images/<int:image_id>/<filename>")
def receipt_image_media(token: str, image_id: int, filename: str) -> ResponseReturnValue:
    """One of the artist's other images while the work is pending, never cached."""
    work = or_404(queries.work_for_receipt(token))
    image = next((i for i in work.images if i.id == image_id), None)
    if work.status != WorkStatus.PENDING or image is None or not image.image_key:
        abort(404)
    return private(send_rendition(image.image_key, filename, conditional=False))


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
