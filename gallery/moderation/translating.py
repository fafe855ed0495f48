"""Works in more languages, for volunteer translators and moderators: the published works
whose title, alt text or description is missing in one of the gallery's languages
(`/moderation/translate`), and a work's texts in another language
(`/moderation/works/<id>/texts`). A volunteer reaches published works only, never an image
no moderator has reviewed; a moderator also a pending one. What a translator writes is
published at once, with the usual note that marks the language, and recorded in the audit
log (blueprint.VOLUNTEER_ENDPOINTS)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..models import Work, WorkStatus
from ..verbs import NotAllowed, editing
from ..web.forms import WorkTextsForm
from ..web.http import or_404
from ..web.templating import language_name
from . import queries
from .blueprint import bp


def _states() -> tuple[WorkStatus, ...]:
    if current_user.is_volunteer:
        return (WorkStatus.APPROVED,)
    return (WorkStatus.PENDING, WorkStatus.APPROVED)


def _work(work_id: int) -> Work:
    work = or_404(db.session.get(Work, work_id))
    if work.status not in _states() or work.hidden:
        or_404(None)
    return work


def _form(work: Work) -> WorkTextsForm:
    languages = [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]
    return WorkTextsForm().offer(work, languages)


@bp.get("/translate")
def works_to_translate() -> ResponseReturnValue:
    """Published works whose texts are missing in one of the gallery's languages."""
    languages = tuple(current_app.config["LANGUAGES"])
    return render_template(
        "moderation/translate.html",
        works=queries.works_to_translate(languages),
        languages=languages,
    )


@bp.route("/works/<int:work_id>/texts", methods=["GET", "POST"])
def work_texts(work_id: int) -> ResponseReturnValue:
    """A work's title, alt text and description in another language."""
    work = _work(work_id)
    form = _form(work)
    status = 200
    if request.method == "GET":
        form.fill(work, request.args.get("language", ""))
    if form.is_submitted():
        if form.validate():
            try:
                editing.write_work_texts(
                    work.id,
                    form.language.data,
                    **form.texts(),
                    states=_states(),
                    moderator_id=current_user.id,
                )
                db.session.commit()
            except NotAllowed:
                db.session.rollback()
                flash(_("This work can no longer be translated here."), "error")
                status = 409
            else:
                flash(
                    _("Texts in %(language)s saved.", language=language_name(form.language.data)),
                    "success",
                )
                return redirect(url_for("moderation.work_texts", work_id=work.id), code=303)
        else:
            status = 400
    return render_template("moderation/work_texts.html", work=work, form=form), status
