"""The letter desk (`/moderation/letters`), for volunteers and moderators: who needs
letters, the letters waiting to be read, each letter's page (the original beside its
Russian translation, the guidance, the checklist, approve or refuse), and for moderators
the batches to print and post and the archive kept for after release.

A volunteer reaches only the reading and deciding (blueprint.VOLUNTEER_ENDPOINTS)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..core.text import is_slug
from ..extensions import db
from ..models import Letter, LetterStatus, Prisoner
from ..models.labels import LETTER_CHECKLIST, LETTER_REFUSALS
from ..verbs import NotAllowed
from ..verbs import letters as desk
from .blueprint import bp

TRANSLATION_LIMIT = 6000  # characters kept of a translation (a letter is at most 1,500)
REASON_LIMIT = 2000

# Why the desk refused an action, as the volunteer reads it.
REFUSED = {
    "translation-required": lambda: _("Write the Russian translation first."),
    "translation-not-cyrillic": lambda: _(
        "The translation must be in Cyrillic only: no Latin letters, not even in the "
        "signature. A prison censor stops foreign words."
    ),
    "checklist": lambda: _("Tick every item of the checklist before approving."),
    "not-pending": lambda: _("This letter is no longer waiting to be read."),
    "reason-required": lambda: _("Choose a reason or write one: the writer reads it."),
    "sent": lambda: _("This letter has been sent and can no longer be changed."),
    "empty-batch": lambda: _("None of these letters is waiting to be sent any more."),
}


def _letter(letter_id: int) -> Letter:
    found = db.session.get(Letter, letter_id)
    if found is None:
        abort(404)
    return found


@bp.get("/letters")
def letters() -> ResponseReturnValue:
    """The desk: who needs letters (fewest sent in 30 days first), the letters waiting,
    and for moderators the next batches and the archive."""
    moderator = not current_user.is_volunteer
    return render_template(
        "moderation/letters.html",
        needs=desk.who_needs_letters(),
        needs_days=desk.NEEDS_DAYS,
        waiting=desk.pending(),
        batches=desk.batches() if moderator else [],
        archive=desk.archive_counts() if moderator else [],
    )


@bp.get("/letters/<int:letter_id>")
def letter(letter_id: int, status: int = 200) -> ResponseReturnValue:
    """One letter: the original, the translation form, the guidance, the checklist and
    the decision."""
    found = _letter(letter_id)
    if found.status == LetterStatus.SENT and current_user.is_volunteer:
        abort(403)  # the archive is for moderators only
    page = render_template(
        "moderation/letter.html",
        letter=found,
        text=desk.read(found),
        checklist=LETTER_CHECKLIST,
        refusals=LETTER_REFUSALS,
    )
    return page, status


def _run(letter_id: int, verb: Callable[[], Letter], done: str) -> ResponseReturnValue:
    """A desk action on one letter: the verb, a commit, then the desk once the letter is
    decided, else the letter again; a refusal shows the letter again with why, as 409."""
    try:
        result = verb()
        db.session.commit()
    except NotAllowed as exc:
        db.session.rollback()
        flash(_why(str(exc)), "error")
        return letter(letter_id, 409)
    flash(done, "success")
    if result.status in (LetterStatus.APPROVED, LetterStatus.REFUSED):
        return redirect(url_for("moderation.letters"), code=303)
    return redirect(url_for("moderation.letter", letter_id=letter_id), code=303)


def _why(code: str) -> str:
    return REFUSED.get(code, REFUSED["not-pending"])()


def _translation() -> str:
    return (request.form.get("translation") or "")[:TRANSLATION_LIMIT]


@bp.post("/letters/<int:letter_id>/translate")
def letter_translate(letter_id: int) -> ResponseReturnValue:
    """Keep the translation (a volunteer may come back to it)."""
    return _run(
        letter_id,
        lambda: desk.translate(letter_id, _translation(), moderator_id=current_user.id),
        _("Translation saved."),
    )


@bp.post("/letters/<int:letter_id>/approve")
def letter_approve(letter_id: int) -> ResponseReturnValue:
    """Keep the translation sent with the form, then approve against the checklist."""

    def verb() -> Letter:
        if _translation().strip():
            desk.translate(letter_id, _translation(), moderator_id=current_user.id)
        return desk.approve(
            letter_id, request.form.getlist("checked"), moderator_id=current_user.id
        )

    return _run(letter_id, verb, _("Letter approved: it goes with the next batch."))


@bp.post("/letters/<int:letter_id>/refuse")
def letter_refuse(letter_id: int) -> ResponseReturnValue:
    """Refuse with a preset reason and/or the volunteer's own words."""
    return _run(
        letter_id,
        lambda: desk.refuse(
            letter_id,
            preset=request.form.get("preset") or None,
            reason=(request.form.get("reason") or "")[:REASON_LIMIT],
            moderator_id=current_user.id,
        ),
        _("Letter refused. Its writer can read why on their private page."),
    )


# ---- batches and the archive (moderators only) ----


def _prisoner_named(slug: str | None) -> Prisoner | None:
    """The prisoner a slug names; None for none, or for text no slug could be (a NUL byte,
    which PostgreSQL refuses, or too long) before any lookup."""
    if not slug or not is_slug(slug):
        return None
    return db.session.scalar(select(Prisoner).where(Prisoner.slug == slug))


def _prisoner_arg() -> Prisoner:
    """The prisoner named by ?prisoner= (a slug), or 404."""
    found = _prisoner_named(request.values.get("prisoner"))
    if found is None:
        abort(404)
    return found


@bp.post("/letters/batch/sent")
def letter_batch_sent() -> ResponseReturnValue:
    """Mark the batch the desk showed (its letters' ids) as posted today."""
    prisoner = _prisoner_named(request.form.get("prisoner"))
    ids = [int(i) for i in request.form.getlist("letters") if i.isdigit() and len(i) < 12]
    try:
        if prisoner is None:
            raise NotAllowed("empty-batch")
        count = desk.mark_sent(prisoner.id, ids, moderator_id=current_user.id)
        db.session.commit()
    except NotAllowed as exc:
        db.session.rollback()
        flash(_why(str(exc)), "error")
        return redirect(url_for("moderation.letters"), code=303)
    flash(
        ngettext(
            "%(num)s letter marked as sent. Writers who asked will be told.",
            "%(num)s letters marked as sent. Writers who asked will be told.",
            count,
        ),
        "success",
    )
    return redirect(url_for("moderation.letters"), code=303)
